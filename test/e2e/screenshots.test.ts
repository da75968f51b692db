/**
 * Regenerates the README screenshots (docs/screenshots/*.png); skipped unless FF_SCREENSHOTS=1:
 *   npm run build && FF_SCREENSHOTS=1 npm run test:e2e -- screenshots
 * The page is shot while the demo's retry story runs (in process); the terminal shot is
 * scripts/terminal-screenshot.mjs rendering the coloured output of `fake-fluentd demo` (the built CLI).
 */
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createDemo } from '../../src/demo/demo.js'
import { launchBrowser } from './helpers/browser.js'

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
const SCRIPT = fileURLToPath(new URL('../../scripts/terminal-screenshot.mjs', import.meta.url))
const enabled = process.env.FF_SCREENSHOTS === '1'

describe.runIf(enabled)('screenshots for the README', () => {
  it('the page while the retry demo runs', async () => {
    mkdirSync(OUT, { recursive: true })
    const demo = createDemo({ scenario: 'retry', timeScale: 0.01 })
    await demo.start()
    const browser = await launchBrowser({ width: 1280, height: 1560 })
    try {
      await browser.page.goto(demo.pageUrl!)
      // Into cycle 3: 14 attempts made, the countdown running towards the 15th.
      await new Promise((r) => setTimeout(r, 9000))
      // The newest attempt opened: headers, the SQL injection payload of the body, the fault applied.
      await browser.page.locator('tr.req').first().click()
      await browser.page.locator('tr.req-detail').waitFor()
      await browser.page.waitForTimeout(400)
      await browser.page.screenshot({ path: `${OUT}page.png` })
    } finally {
      await browser.close()
      await demo.close()
    }
  }, 60_000)

  it('the terminal timeline of fake-fluentd demo', async () => {
    // The real, current output of the built CLI, rendered by the script the README names.
    const child = spawn(process.execPath, [SCRIPT, '--out', `${OUT}terminal.png`, '--', 'demo', '--scenario', 'recovery', '--exit'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(0)
    expect(out).toMatch(/^wrote .*terminal\.png \(\d+ lines of output\)/)
  }, 60_000)
})
