/**
 * The delivery timeline's labels in a real browser: attempts made at almost the same moment (a
 * sender retrying at once; connections reset one after another) each keep a readable label, and no
 * two labels overlap, at a wide, a middling and a phone-sized window (a browser zoom is the same as
 * a narrower window: the page draws the timeline again at the width it is shown).
 * @see issue 22 (item 17)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseProfile } from '../../src/profile/index.js'
import type { Receiver } from '../../src/receiver/types.js'
import { mountWebPage, type WebPageContext } from '../../src/web/mount.js'
import { startTestReceiver } from '../helpers/receiver.js'
import { launchBrowser, type TestBrowser } from './helpers/browser.js'

const ATTEMPTS = 40
/** One cycle of 39 immediate retries: every attempt lands on (almost) the same x. */
const burstProfile = parseProfile({
  name: 'burst',
  schedule: { kind: 'table', cycles: [Array.from({ length: ATTEMPTS - 1 }, () => 0)] },
  requestTimeoutMs: 15000,
  connectTimeoutMs: 20000,
  successStatus: [[200, 299]],
  followRedirects: false,
  intervalFrom: 'attempt-end',
  autoDisable: null,
})

interface Box { text: string; cls: string; x: number; y: number; width: number; height: number }

describe('timeline labels (browser)', () => {
  let receiver: Receiver
  let browser: TestBrowser
  const ctx: WebPageContext = { profile: burstProfile, caption: 'labels' }

  beforeAll(async () => {
    receiver = await startTestReceiver({ tls: false, adminPort: 0, autoClose: false, adminMount: (app) => mountWebPage(app, ctx) })
    browser = await launchBrowser({ width: 1280, height: 900 })
  })

  afterAll(async () => {
    await browser?.close()
    await receiver?.close()
  })

  /** The labels of the first delivery card, as the browser lays them out (CSS pixels). */
  const labelBoxes = (): Promise<Box[]> =>
    browser.page.evaluate(`[...document.querySelectorAll('article.delivery svg.timeline text.attempt-label, article.delivery svg.timeline text.next-label')].map((t) => {
      const r = t.getBoundingClientRect()
      return { text: t.textContent, cls: t.getAttribute('class'), x: r.x, y: r.y, width: r.width, height: r.height }
    })`) as Promise<Box[]>

  const overlapping = (boxes: Box[]): string[] => {
    const found: string[] = []
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i]!
        const b = boxes[j]!
        if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) found.push(`${a.text}/${b.text}`)
      }
    }
    return found
  }

  it('labels every attempt of a burst, resets included, with no two labels overlapping at any width', async () => {
    receiver.faults?.setPlan({ rules: [{ match: { attempt: [11, 20] }, then: { action: 'reset' } }, { then: { status: 503 } }] })
    const body = JSON.stringify([{ burst: 1 }])
    for (let i = 0; i < ATTEMPTS; i++) {
      await fetch(`${receiver.url}/wallarm.burst`, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then(
        (r) => r.arrayBuffer(),
        () => undefined, // the reset ones
      )
    }
    const { page } = browser
    await page.goto(`${receiver.adminUrl}/`)
    const card = page.locator('article.delivery', { hasText: 'wallarm.burst' })
    await expect.poll(() => card.locator('.mark-observed').count()).toBe(ATTEMPTS)
    expect(await card.locator('.mark-observed.fail').count()).toBe(ATTEMPTS)

    for (const width of [1280, 760, 420, 1100]) {
      await page.setViewportSize({ width, height: 900 })
      await expect.poll(() => page.evaluate('document.querySelector("article.delivery svg.timeline").getAttribute("width")'), { message: `redrawn at ${width}` })
        .toBe(String(await page.evaluate('document.getElementById("deliveries").clientWidth')))
      // Drawn to fit the window (less its margins), not the width it was drawn at before.
      const drawn = Number(await page.evaluate('document.querySelector("article.delivery svg.timeline").getAttribute("width")'))
      expect(drawn, `drawing width at ${width}px`).toBeLessThanOrEqual(width - 40)
      expect(drawn).toBeGreaterThanOrEqual(Math.min(width - 100, width * 0.9))
      const boxes = await labelBoxes()
      const attemptLabels = boxes.filter((b) => b.cls === 'attempt-label').map((b) => Number(b.text)).sort((a, b) => a - b)
      expect(attemptLabels, `every attempt labelled at ${width}px`).toEqual(Array.from({ length: ATTEMPTS }, (_, i) => i + 1))
      expect(overlapping(boxes), `overlapping labels at ${width}px`).toEqual([])
      // Readable: drawn at the page's own scale (10.5 px text), never shrunk with the window.
      for (const b of boxes) expect(b.height, `label ${b.text} at ${width}px`).toBeGreaterThanOrEqual(10)
      const svg = (await page.evaluate(`(() => { const r = document.querySelector('article.delivery svg.timeline').getBoundingClientRect(); return { x: r.x, right: r.right } })()`)) as { x: number; right: number }
      for (const b of boxes) {
        expect(b.x, `label ${b.text} inside the drawing`).toBeGreaterThanOrEqual(svg.x)
        expect(b.x + b.width).toBeLessThanOrEqual(svg.right + 0.5)
      }
    }
  })

  it('shows a lone failed request (one curl line) as a grey one-off, not as a sender that stopped retrying', async () => {
    ctx.timeScale = 0.001 // the overdue grace is then about 2 s
    receiver.faults?.setPlan({ rules: [{ then: { status: 503 } }] })
    const { page } = browser
    await page.setViewportSize({ width: 1280, height: 900 })
    await page.goto(`${receiver.adminUrl}/`)
    const res = await fetch(`${receiver.url}/wallarm.once`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[{"once":1}]' })
    expect(res.status).toBe(503)
    const card = page.locator('article.delivery', { hasText: 'wallarm.once' })
    await expect.poll(() => card.getAttribute('data-state'), { timeout: 15_000 }).toBe('one-off')
    const status = card.locator('.delivery-status')
    expect(await status.textContent()).toBe('one attempt, not retried')
    const colour = await status.evaluate('(el) => getComputedStyle(el).color')
    expect(colour).not.toBe('rgb(207, 34, 46)') // --fail
    expect(await page.locator('#gauge-verdict').textContent()).toBe('the profile never disables the integration')
  })
})
