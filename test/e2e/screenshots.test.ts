/**
 * Regenerates the README screenshots (docs/screenshots/*.png); skipped unless FF_SCREENSHOTS=1:
 *   npm run build && FF_SCREENSHOTS=1 npm run test:e2e -- screenshots
 * The page is shot while the demo's retry story runs (in process); the terminal shot renders the
 * coloured output of `fake-fluentd demo` (the built CLI) in a terminal-like HTML page, as text.
 */
import { spawn } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createDemo } from '../../src/demo/demo.js'
import { CLI_PATH } from '../helpers/cli.js'
import { launchBrowser } from './helpers/browser.js'

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
const enabled = process.env.FF_SCREENSHOTS === '1'

/** ANSI SGR codes the demo printer uses → CSS classes of the terminal page. */
const SGR: Record<string, string> = { '1': 'b', '2': 'dim', '31': 'red', '32': 'green', '33': 'yellow', '36': 'cyan' }

/** Splits coloured terminal output into lines of [text, classes] runs. */
function ansiRuns(text: string): Array<Array<[string, string]>> {
  const lines: Array<Array<[string, string]>> = []
  for (const raw of text.replace(/\r?\n$/, '').split('\n')) {
    const runs: Array<[string, string]> = []
    let classes: string[] = []
    // eslint-disable-next-line no-control-regex
    for (const part of raw.replace(/\r/g, '').split(/(\u001b\[[0-9;]*[A-Za-z])/)) {
      // eslint-disable-next-line no-control-regex
      const m = /^\u001b\[([0-9;]*)m$/.exec(part)
      if (m) {
        for (const code of (m[1] || '0').split(';')) {
          if (code === '0') classes = []
          else if (SGR[code]) classes.push(SGR[code])
        }
      } else if (part && !part.startsWith('\u001b')) runs.push([part, classes.join(' ')])
    }
    lines.push(runs)
  }
  return lines
}

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
    mkdirSync(OUT, { recursive: true })
    const child = spawn(process.execPath, [CLI_PATH, 'demo', '--scenario', 'recovery', '--time-scale', '0.5', '--exit'], {
      env: { ...process.env, FORCE_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code).toBe(0)
    const browser = await launchBrowser({ width: 1000, height: 400 })
    try {
      const { page } = browser
      await page.setContent(
        '<!doctype html><html><head><style>' +
          'body{margin:0;background:#1e1e1e}#t{margin:0;padding:14px 18px;color:#d4d4d4;font:14px/1.45 "DejaVu Sans Mono",monospace;white-space:pre}' +
          '.b{font-weight:bold}.dim{color:#8a8a8a}.red{color:#f14c4c}.green{color:#23d18b}.yellow{color:#f5f543}.cyan{color:#29b8db}' +
          '.prompt{color:#23d18b}</style></head><body><pre id="t"></pre></body></html>',
      )
      // Text only, through the DOM: the output is data.
      await page.evaluate(
        `((lines) => {
          const t = document.getElementById('t')
          const prompt = document.createElement('span'); prompt.className = 'prompt'; prompt.textContent = '$ '
          t.append(prompt, 'fake-fluentd demo --scenario recovery --time-scale 0.5\\n')
          for (const runs of lines) {
            for (const [text, cls] of runs) { const s = document.createElement('span'); s.className = cls; s.textContent = text; t.append(s) }
            t.append('\\n')
          }
        })(${JSON.stringify(ansiRuns(out))})`,
      )
      await page.locator('#t').screenshot({ path: `${OUT}terminal.png` })
    } finally {
      await browser.close()
    }
  }, 60_000)
})
