/**
 * The admin web page in a real browser (Debian's Chromium via playwright-core): requests appear as
 * they arrive, the fault controls change the receiver's answers, the timeline draws a delivery's
 * attempts against the schedule, and attack payloads are shown as text and never run.
 * @see issue 7
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createSender } from '../../src/sender/sender.js'
import { sampleHit } from '../../src/validation/samples.js'
import { createValidator } from '../../src/validation/create-validator.js'
import type { Receiver } from '../../src/receiver/types.js'
import { mountWebPage, type WebPageContext } from '../../src/web/mount.js'
import { startTestReceiver } from '../helpers/receiver.js'
import { launchBrowser, type TestBrowser } from './helpers/browser.js'

const TIME_SCALE = 0.05
const XSS_IMG = '<img src=x onerror=window.__pwned=1>'
const XSS_SCRIPT = '<script>window.__pwned=1</script>'

describe('web page (browser)', () => {
  let receiver: Receiver
  let browser: TestBrowser
  const ctx: WebPageContext = { timeScale: TIME_SCALE, caption: 'e2e' }

  beforeAll(async () => {
    receiver = await startTestReceiver({
      tls: false,
      adminPort: 0,
      autoClose: false,
      adminMount: (app) => mountWebPage(app, ctx),
      validator: createValidator(),
      validate: 'warn',
    })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await receiver?.close()
  })

  beforeEach(async () => {
    receiver.journal.clear()
    receiver.faults?.clear()
    ctx.timeScale = TIME_SCALE
    browser.console.length = 0
    await browser.page.goto(`${receiver.adminUrl}/`)
    await browser.page.locator('#live[data-state="live"]').waitFor()
  })

  const post = (tag: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${receiver.url}/${tag}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })

  it('shows requests as they arrive, newest first, with status, verdict and attempt', async () => {
    const { page } = browser
    expect(await page.locator('#empty').isVisible()).toBe(true)
    expect((await post('wallarm.first', [sampleHit('sqli')])).status).toBe(200)
    const first = page.locator('tr.req', { hasText: 'wallarm.first' })
    await first.waitFor()
    await expect.poll(() => first.locator('.c-status').textContent()).toBe('200')
    expect(await first.locator('.c-method').textContent()).toBe('POST')
    expect(await first.locator('.c-outcome').textContent()).toBe('answered')
    expect(await first.locator('.c-schema').textContent()).toBe('valid')
    expect(await first.locator('.c-attempt').textContent()).toBe('1')

    expect((await post('wallarm.second', { summary: 'no details' })).status).toBe(200)
    await page.locator('tr.req', { hasText: 'wallarm.second' }).waitFor()
    const tags = await page.locator('tr.req .c-tag').allTextContents()
    expect(tags).toEqual(['wallarm.second', 'wallarm.first'])
    await expect.poll(() => page.locator('tr.req', { hasText: 'wallarm.second' }).locator('.c-schema').textContent()).toMatch(/^\d+ errors?$/)
    expect(await page.locator('#empty').isHidden()).toBe(true)
  })

  it('the fault controls change what the receiver answers, and API errors are shown', async () => {
    const { page } = browser
    await page.click('[data-preset="503"]')
    await expect.poll(() => page.locator('#plan-status').textContent()).toBe('Plan applied.')
    expect((await post('wallarm.faulted', [sampleHit('ptrav')])).status).toBe(503)
    expect((await post('wallarm.faulted', [sampleHit('rce')])).status).toBe(503)
    const row = page.locator('tr.req', { hasText: 'wallarm.faulted' }).first()
    await expect.poll(() => row.locator('.c-status').textContent()).toBe('503')
    expect(await row.locator('.c-fault').textContent()).toMatch(/respond 503/)
    expect(await page.locator('#plan-current').textContent()).toContain('503')

    // A plan the engine refuses: the API's problem is shown, the old plan stays.
    await page.fill('#plan', '{"rules": [{"steps": [{"status": 99}]}]}')
    await page.click('#apply-plan')
    await expect.poll(() => page.locator('#plan-status').getAttribute('data-state')).toBe('error')
    expect(await page.locator('#plan-status').textContent()).toMatch(/^Rejected \(400\): Invalid fault plan/)
    expect((await post('wallarm.faulted', [sampleHit('xss')])).status).toBe(503)

    // Not JSON at all: refused before any request.
    await page.fill('#plan', '{rules: nope')
    await page.click('#apply-plan')
    await expect.poll(() => page.locator('#plan-status').textContent()).toMatch(/^Not JSON/)

    // Every one-click preset is a plan the engine accepts.
    for (const [preset, shown] of [['500x3', '"times": 3'], ['hang', '"hang"'], ['reset', '"reset"'], ['stall-tls', '"stall-tls"'], ['503', '503']] as const) {
      await page.click(`[data-preset="${preset}"]`)
      await expect.poll(() => page.locator('#plan-current').textContent(), { message: preset }).toContain(shown)
      expect(await page.locator('#plan-status').getAttribute('data-state')).toBe('ok')
    }

    await page.click('#clear-plan')
    await expect.poll(() => page.locator('#plan-status').textContent()).toMatch(/^Plan cleared/)
    expect((await post('wallarm.faulted', [sampleHit('sqli')])).status).toBe(200)
  })

  it('draws the attempts of a delivery on the timeline against the expected schedule', async () => {
    const { page } = browser
    await page.click('[data-preset="500x3"]')
    await expect.poll(() => page.locator('#plan-status').textContent()).toBe('Plan applied.')
    const sender = createSender({ url: `${receiver.url}/wallarm.timeline` }, { timeScale: TIME_SCALE })
    const result = await sender.deliver([sampleHit('xss')])
    await sender.close()
    expect(result.outcome).toBe('delivered')
    expect(result.attempts).toHaveLength(4)

    const card = page.locator('article.delivery', { hasText: 'wallarm.timeline' })
    await expect.poll(() => card.getAttribute('data-state')).toBe('delivered')
    expect(await card.locator('.mark-observed').count()).toBe(4)
    expect(await card.locator('.mark-observed.fail').count()).toBe(3)
    expect(await card.locator('.mark-observed.ok').count()).toBe(1)
    // One expected mark per retry (end of the failed attempt + planned interval), all in cycle 1.
    expect(await card.locator('g.cycle-1 line.expected:not(.ghost):not(.next)').count()).toBe(3)
    expect(await card.locator('.delivery-status').textContent()).toBe('delivered')
    await card.locator('details.attempts summary').click()
    const planned = await card.locator('details.attempts tbody tr td:nth-child(3)').allTextContents()
    expect(planned).toEqual(['—', '50 ms', '150 ms', '250 ms'])
    const statuses = await card.locator('details.attempts tbody tr td:nth-child(6)').allTextContents()
    expect(statuses).toEqual(['500', '500', '500', '200'])
  })

  it('counts down to the next expected attempt and gauges the failure ratio', async () => {
    const { page } = browser
    ctx.timeScale = 1
    await page.reload()
    await page.locator('#live[data-state="live"]').waitFor()
    receiver.faults?.setPlan({ rules: [{ then: { status: 503 } }] })
    // Real time: after the first failure the sender waits 1 s, then 3 s.
    const sender = createSender({ url: `${receiver.url}/wallarm.countdown` }, { timeScale: 1 })
    const delivery = sender.deliver([sampleHit('sqli')])
    try {
      const card = page.locator('article.delivery', { hasText: 'wallarm.countdown' })
      await expect.poll(() => card.locator('.countdown').textContent(), { timeout: 10_000 }).toMatch(/^next: attempt [23] \(cycle 1\) in \d/)
      expect(await card.getAttribute('data-state')).toBe('retrying')
      expect(await card.locator('line.expected.next').count()).toBe(1)
      await expect.poll(() => page.locator('#gauge-text').textContent()).toMatch(/^[12] of [12] attempts failed \(100 %\) in the last 12 h/)
      expect(await page.locator('#gauge .gauge-threshold').count()).toBe(1)
      expect(await page.locator('#gauge-verdict').textContent()).toMatch(/more attempts before the rule applies/)
    } finally {
      await sender.close()
      await delivery
    }
  })

  it('shows XSS payloads from a hit as text: nothing runs, no element is created, CSP is set', async () => {
    const { page } = browser
    const response = await page.goto(`${receiver.adminUrl}/`)
    const csp = response?.headers()['content-security-policy'] ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    await page.locator('#live[data-state="live"]').waitFor()

    const hit = sampleHit('xss', { summary: XSS_IMG, description: XSS_SCRIPT })
    const res = await post(`wallarm.${encodeURIComponent(XSS_IMG)}`, [hit], { 'x-note': XSS_SCRIPT })
    expect(res.status).toBeLessThan(500)
    const row = page.locator('tr.req').first()
    await row.waitFor()
    await expect.poll(() => row.locator('.c-status').textContent()).toMatch(/^\d{3}$/)
    await row.click()
    const detail = page.locator('tr.req-detail')
    await detail.waitFor()

    await expect.poll(() => detail.locator('pre.body').textContent()).toContain(XSS_IMG)
    expect(await detail.locator('pre.body').textContent()).toContain(XSS_SCRIPT)
    expect(await detail.locator('table.headers').textContent()).toContain(XSS_SCRIPT)
    expect(await page.getByText(XSS_IMG).first().isVisible()).toBe(true)
    // Give a payload that got parsed every chance to fire.
    await page.waitForTimeout(300)
    // A string, evaluated in the page (the test itself is compiled without DOM types).
    const dom: unknown = await page.evaluate(`({
      pwned: window.__pwned,
      images: document.querySelectorAll('img').length,
      scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
      handlers: [...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
    })`)
    expect(dom).toEqual({ pwned: undefined, images: 0, scripts: ['/web/app.js'], handlers: 0 })
    expect(browser.console.filter((m) => /pageerror|Content Security Policy|Trusted Type/i.test(m))).toEqual([])
  })
})
