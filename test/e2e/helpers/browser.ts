/**
 * Debian's Chromium driven by playwright-core for the browser tests: headless, no sandbox (CI runs
 * as root), no background network chatter, a fresh profile per launch.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** Where Debian's `chromium` package puts the browser (`apt-get install -y chromium`). */
export const CHROMIUM_PATH = process.env.FF_CHROMIUM ?? '/usr/bin/chromium'

export interface TestBrowser {
  context: BrowserContext
  page: Page
  /** Console messages and page errors seen so far, for assertions and diagnostics. */
  console: string[]
  close(): Promise<void>
}

/** Launches Chromium with a fresh user-data-dir and opens one page. */
export async function launchBrowser(viewport = { width: 1280, height: 900 }, extraArgs: string[] = []): Promise<TestBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'ff-e2e-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  })
  const page = context.pages()[0] ?? (await context.newPage())
  const messages: string[] = []
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`))
  page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`))
  return {
    context,
    page,
    console: messages,
    async close() {
      await context.close()
      rmSync(userDataDir, { recursive: true, force: true })
    },
  }
}
