/**
 * The page explains TLS failures in words, with the fix, instead of OpenSSL's text: curl sending
 * plain HTTP to the HTTPS port, curl that does not trust the CA. The wording is the one `serve`
 * prints (src/text/hints.ts, loaded by the page as /web/hints.js: needs `npm run build`); the raw
 * error stays available under "raw error".
 * @see issue 22 (item 10)
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Receiver } from '../../src/receiver/types.js'
import { hintFor } from '../../src/text/hints.js'
import { mountWebPage, type WebPageContext } from '../../src/web/mount.js'
import { startTestReceiver } from '../helpers/receiver.js'
import { launchBrowser, type TestBrowser } from './helpers/browser.js'

const run = promisify(execFile)

/** Runs curl; its failure (the point of these requests) is returned, not thrown. */
async function curl(args: string[]): Promise<string> {
  try {
    await run('curl', ['-sS', '-m', '5', ...args])
    return ''
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err)
  }
}

describe('TLS failures on the page (browser)', () => {
  let receiver: Receiver
  let browser: TestBrowser
  const ctx: WebPageContext = {}

  beforeAll(async () => {
    receiver = await startTestReceiver({ adminPort: 0, autoClose: false, adminMount: (app) => mountWebPage(app, ctx) })
    ctx.caPath = receiver.caPath ?? null
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await receiver?.close()
  })

  it('shows what went wrong and the fix for plain HTTP to the HTTPS port and for an untrusted CA, the raw error on demand', async () => {
    const { port } = new URL(receiver.url)
    expect(await curl(['-d', '[{}]', '-H', 'content-type: application/json', `http://127.0.0.1:${port}/wallarm`])).toMatch(/curl: \(\d+\)/)
    expect(await curl(['-d', '[{}]', '-H', 'content-type: application/json', `https://localhost:${port}/wallarm`])).toMatch(/certificate/)
    const entries = receiver.journal.entries().filter((e) => e.kind === 'tls-error')
    expect(entries.map((e) => e.kind === 'tls-error' && e.tls?.code)).toEqual(['ERR_SSL_HTTP_REQUEST', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'])

    const { page } = browser
    await page.goto(`${receiver.adminUrl}/`)
    for (const entry of entries) {
      const expected = hintFor(entry, { ingestUrl: receiver.url, caPath: receiver.caPath ?? null })
      expect(expected, `a hint for ${entry.id}`).toBeDefined()
      const row = page.locator(`tr.req[data-id="${entry.id}"]`)
      await row.click()
      const detail = page.locator(`tr.req-detail[data-id="${entry.id}"]`)
      const hint = detail.locator('p.hint')
      await expect.poll(() => hint.textContent({ timeout: 1000 }).catch(() => browser.console.join('; ')), { timeout: 5000 }).toBe(expected!.text)
      const text = (await detail.textContent()) ?? ''
      // OpenSSL's text is not shown until asked for.
      expect(await detail.locator('.raw-error pre').isVisible()).toBe(false)
      expect(await detail.locator('dl.kv').textContent()).not.toContain('SSL routines')
      await detail.locator('.raw-error summary').click()
      expect(await detail.locator('.raw-error pre').textContent()).toContain(entry.kind === 'tls-error' ? (entry.tls?.error ?? '-') : '-')
      expect(text).toContain(entry.kind === 'tls-error' ? (entry.tls?.code ?? '-') : '-')
      await row.click()
    }
    const [http, ca] = entries.map((e) => hintFor(e, { ingestUrl: receiver.url, caPath: receiver.caPath ?? null })!.text)
    expect(http).toBe(`a client sent plain HTTP to the HTTPS port: use ${receiver.url}/<tag>, or start serve with --no-tls`)
    expect(ca).toContain(`give it the CA file ${receiver.caPath}`)
    expect(browser.console.filter((m) => /pageerror|Content Security Policy|Failed to load/i.test(m))).toEqual([])
  })
})
