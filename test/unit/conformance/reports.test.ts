import { describe, expect, test } from 'vitest'
import { convert } from 'xmlbuilder2'
import { renderJunit } from '../../../src/conformance/reports/junit.js'
import { renderHtmlReport } from '../../../src/conformance/reports/html.js'
import { renderJson } from '../../../src/conformance/reports/json.js'
import { selectScenarios } from '../../../src/conformance/scenarios/index.js'
import type { ConformanceReport } from '../../../src/conformance/types.js'
import { isFakeFluentdError } from '../../../src/errors.js'

const report: ConformanceReport = {
  sender: 'command: ./send <x> & "y"',
  profile: 'wallarm',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1234,
  tolerance: { absMs: 60, rel: 0.2 },
  precision: '21 time(s) judged to -3/+6 ms (median; worst -9/+14 ms with runner lag up to 8 ms)',
  totals: { total: 3, passed: 1, failed: 1, blocked: 0, inconclusive: 0, errors: 1, skipped: 0 },
  results: [
    { id: 'delivery.single', title: 'One', family: 'delivery', status: 'passed', timeScale: 0.05, durationMs: 300, checks: [], journal: [], events: [] },
    {
      id: 'retry.cycle-1',
      title: 'Cycle 1',
      family: 'retry',
      status: 'failed',
      timeScale: 0.1,
      durationMs: 3000,
      checks: [{ name: 'retry intervals within tolerance', passed: false, expected: '5 intervals', observed: 'attempt 3: 900 ms <script>\u0001', evidence: [3] }],
      timeline: '# | expected | observed\n3 | 300 | 900',
      message: 'retry intervals within tolerance: expected 5 intervals; observed attempt 3: 900 ms',
      journal: [],
      events: [],
    },
    { id: 'format.headers', title: 'H', family: 'format', status: 'error', timeScale: 0.05, durationMs: 10, checks: [], message: 'FF_ERR_SENDER_EXITED: exit 3', errorCode: 'FF_ERR_SENDER_EXITED', journal: [], events: [] },
  ],
}

describe('reports', () => {
  test('JUnit XML is well-formed, one testcase per scenario, failure carries the comparison', () => {
    const xml = renderJunit(report)
    const doc = convert(xml, { format: 'object' }) as unknown as { testsuites: { '@tests': string; testsuite: { testcase: Array<Record<string, unknown>> } } }
    expect(doc.testsuites['@tests']).toBe('3')
    const cases = doc.testsuites.testsuite.testcase
    expect(cases).toHaveLength(3)
    expect(JSON.stringify(cases[1])).toContain('900 ms')
    expect(xml).toContain('&lt;script&gt;')
    expect(xml).not.toContain('\u0001')
    expect(xml).toContain('<error message="FF_ERR_SENDER_EXITED: exit 3" type="FF_ERR_SENDER_EXITED">')
    expect(xml).toContain('name="conformance (command: ./send &lt;x&gt; &amp; &quot;y&quot;, profile wallarm)"')
  })

  test('every report states the precision the run achieved; inconclusive is never a pass', () => {
    const inconclusive: ConformanceReport = {
      ...report,
      totals: { ...report.totals, failed: 0, errors: 0, inconclusive: 1 },
      results: [{ ...report.results[0]!, status: 'inconclusive', checks: [{ name: 'intervals', passed: true, expected: 'x', observed: 'y', evidence: [1], inconclusive: 'runner lag 40 ms' }] }],
    }
    const xml = renderJunit(inconclusive)
    expect(xml).toContain('name="precision" value="21 time(s) judged to -3/+6 ms')
    expect(xml).toMatch(/<failure message="inconclusive: runner lag 40 ms" type="ConformanceInconclusive"/)
    expect(renderHtmlReport(inconclusive)).toContain('precision: 21 time(s) judged to -3/+6 ms')
    expect(renderHtmlReport(inconclusive)).toMatch(/<title>fake-fluentd conformance: inconclusive<\/title>/)
    expect(JSON.parse(renderJson(inconclusive)).precision).toBe(report.precision)
  })

  test('JSON report round-trips', () => {
    expect(JSON.parse(renderJson(report))).toEqual(report)
  })

  test('selection: ids, globs, families, exclusion; nothing matched is FF_ERR_SCENARIO', () => {
    expect(selectScenarios('retry.cycle-*').map((s) => s.id)).toEqual(['retry.cycle-1', 'retry.cycle-2', 'retry.cycle-3'])
    expect(selectScenarios('tls').length).toBe(3)
    expect(selectScenarios('retry,!retry.cycle-*').some((s) => s.id.startsWith('retry.cycle'))).toBe(false)
    let err: unknown
    try {
      selectScenarios('nope.*')
    } catch (e) {
      err = e
    }
    expect(isFakeFluentdError(err, 'FF_ERR_SCENARIO')).toBe(true)
  })
})
