import { describe, expect, it } from 'vitest'
import { escapeHtml, renderHtmlReport } from '../../../src/conformance/reports/html.js'
import type { ConformanceReport } from '../../../src/conformance/types.js'

const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>'

function report(): ConformanceReport {
  return {
    sender: `cmd ${XSS}`,
    profile: 'wallarm',
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 12_345,
    tolerance: { absMs: 150, rel: 0.1 },
    precision: '21 time(s) judged to -3/+6 ms (median; worst -9/+14 ms with runner lag up to 8 ms)',
    totals: { total: 2, passed: 1, failed: 1, blocked: 0, inconclusive: 0, errors: 0, skipped: 0 },
    results: [
      {
        id: 'delivery.basic', title: 'one request, 2xx, stops', family: 'delivery', status: 'passed', timeScale: 1,
        durationMs: 120, checks: [{ name: 'one attempt', passed: true, expected: '1', observed: '1', evidence: [1] }],
        journal: [{ id: 1, kind: 'request', receivedMono: 10, endedMono: 12, method: 'POST', tag: 'a', status: 200, outcome: 'answered', attempt: 1 }],
        events: [],
      },
      {
        id: 'retry.cycle-1', title: 'cycle 1 intervals', family: 'retry', status: 'failed', timeScale: 0.01,
        durationMs: 900, message: `interval 2 too short ${XSS}`, timeline: '# | expected interval ms | observed\n1 | (first) | \n2 | 100 (c1.1) | 5\n3 | 300 (c1.2) | (no attempt)\n4 | 500 (c1.3) | (no attempt)',
        checks: [{ name: 'interval 2', passed: false, expected: '30 ms', observed: `5 ms ${XSS}`, evidence: [2, 3] }],
        journal: [
          { id: 2, kind: 'request', receivedMono: 100, endedMono: 101, method: 'POST', tag: XSS, status: 500, outcome: 'answered', attempt: 1 },
          { id: 3, kind: 'request', receivedMono: 106, endedMono: 107, method: 'POST', tag: XSS, status: 500, outcome: 'answered', attempt: 2 },
        ],
        events: [],
      },
    ],
  }
}

describe('renderHtmlReport', () => {
  it('escapes every value and carries no script', () => {
    const html = renderHtmlReport(report())
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<script')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;')
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-/)
  })

  it('summarises and expands the failed scenario with its checks and timeline', () => {
    const html = renderHtmlReport(report())
    expect(html).toContain('<title>fake-fluentd conformance: failed</title>')
    expect(html).toMatch(/<section id="retry.cycle-1"><details open>/)
    expect(html).toMatch(/<section id="delivery.basic"><details>/)
    expect(html).toContain('2 | 100 (c1.1) | 5')
    // wallarm at scale 0.01: retries 2..4 expected; attempt 2 was seen, 3 and 4 are missing (projected)
    expect(html.match(/<line class="exp"/g)).toHaveLength(1 + 0)
    expect(html.match(/<line class="exp projected"/g)).toHaveLength(2)
    // the message is shown without repeating the timeline
    expect(html).toContain('<pre class="msg">interval 2 too short')
    expect(html).toContain('1 failed')
    expect(html.match(/<circle /g)).toHaveLength(3)
  })

  it('escapes quotes for attributes', () => {
    expect(escapeHtml(`"a" & 'b'`)).toBe('&quot;a&quot; &amp; &#39;b&#39;')
  })
})
