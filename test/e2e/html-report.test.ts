/**
 * The HTML conformance report in a real browser: its own CSP lets its styles apply (by hash) and
 * nothing else; attack strings from the journal stay text. @see issue 7
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { ConformanceReport } from '../../src/conformance/types.js'
import { renderHtmlReport } from '../../src/conformance/reports/html.js'
import { launchBrowser } from './helpers/browser.js'

const XSS = '<img src=x onerror=window.__pwned=1><script>window.__pwned=1</script>'

describe('HTML report (browser)', () => {
  it('is styled, draws the attempts, and runs nothing from the data', async () => {
    const report: ConformanceReport = {
      sender: `command: ${XSS}`,
      profile: 'wallarm',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 2000,
      tolerance: { absMs: 60, rel: 0.2 },
      precision: '21 time(s) judged to -3/+6 ms (median; worst -9/+14 ms with runner lag up to 8 ms)',
      totals: { total: 1, passed: 0, failed: 1, blocked: 0, inconclusive: 0, errors: 0, skipped: 0 },
      results: [
        {
          id: 'retry.cycle-1', title: 'Retry schedule through cycle 1', family: 'retry', status: 'failed', timeScale: 0.1, durationMs: 1200,
          message: `delivery 1: 6 attempts: expected 6; observed 1 ${XSS}`,
          timeline: '# | expected\n1 | (first)\n2 | 100 (c1.1)\n3 | 300 (c1.2)',
          checks: [{ name: 'delivery 1: 6 attempts', passed: false, expected: '6', observed: `1 ${XSS}`, evidence: [1] }],
          journal: [{ id: 1, kind: 'request', receivedMono: 1000, endedMono: 1003, method: 'POST', tag: XSS, status: 500, outcome: 'answered', attempt: 1 }],
          events: [],
        },
      ],
    }
    const dir = mkdtempSync(join(tmpdir(), 'ff-e2e-report-'))
    const file = join(dir, 'report.html')
    writeFileSync(file, renderHtmlReport(report))
    const browser = await launchBrowser()
    try {
      const { page } = browser
      await page.goto(pathToFileURL(file).href)
      expect(await page.title()).toBe('fake-fluentd conformance: failed')
      // The hashed <style> applies: the header is painted.
      const background = await page
      .locator('header')
      .evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor)
    expect(background).toBe('rgb(31, 78, 121)')
      expect(await page.locator('section#retry\\.cycle-1 svg circle').count()).toBe(1)
      expect(await page.locator('section#retry\\.cycle-1 svg line.exp.projected').count()).toBe(2)
      expect(await page.getByText(XSS).first().isVisible()).toBe(true)
      const dom: unknown = await page.evaluate('({ pwned: window.__pwned, images: document.images.length, scripts: document.scripts.length })')
      expect(dom).toEqual({ pwned: undefined, images: 0, scripts: 0 })
      expect(browser.console.filter((m) => /Content Security Policy|pageerror/i.test(m))).toEqual([])
    } finally {
      await browser.close()
    }
  })
})
