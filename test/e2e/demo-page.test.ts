/**
 * The demo's page in a real browser: the auto-disable story's deliveries drawn attempt by attempt,
 * the disable banner from GET /api/sender, the failure-ratio gauge over the 60 % line.
 * @see issue 7
 */
import { describe, expect, it } from 'vitest'
import { createDemo } from '../../src/demo/demo.js'
import type { DemoEvent } from '../../src/demo/events.js'
import { launchBrowser } from './helpers/browser.js'

describe('demo page (browser)', () => {
  it('auto-disable: three deliveries drawn, the gauge over the line, the integration shown disabled', async () => {
    const demo = createDemo({ scenario: 'auto-disable', timeScale: 0.05 })
    const attempts: DemoEvent[] = []
    demo.on((e) => {
      if (e.type === 'attempt') attempts.push(e)
    })
    await demo.start()
    const browser = await launchBrowser()
    try {
      const { page } = browser
      await page.goto(demo.pageUrl!)
      expect(await page.locator('#caption').textContent()).toBe('demo: auto-disable at time scale 0.05')
      const done = await demo.finished
      expect(done).toMatchObject({ ending: 'disabled', asExpected: true })

      await expect.poll(() => page.locator('#sender').textContent(), { timeout: 10_000 }).toMatch(/^Integration disabled by the auto-disable rule: \d+ of \d+ attempts/)
      await expect.poll(() => page.locator('article.delivery').count()).toBe(3)
      // Every attempt the sender made is a mark on its delivery's timeline.
      await expect.poll(() => page.locator('article.delivery .mark-observed').count()).toBe(attempts.length)
      expect(await page.locator('article.delivery .mark-observed.ok').count()).toBe(0)
      expect(await page.locator('#gauge-verdict').getAttribute('data-state')).toBe('tripped')
      expect(await page.locator('#gauge-text').textContent()).toMatch(/attempts failed \(100 %\)/)
      const states = await page.locator('article.delivery').evaluateAll((els) => els.map((el) => el.getAttribute('data-state')))
      expect(states.every((s) => s === 'cancelled' || s === 'dropped')).toBe(true)
    } finally {
      await browser.close()
      await demo.close()
    }
  })
})
