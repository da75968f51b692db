/**
 * The report as JUnit XML (one testsuite, one testcase per scenario; failures carry the
 * expected-vs-observed comparison and the timeline), built with xmlbuilder2 so that every journal
 * value is escaped.
 */
import { createRequire } from 'node:module'
import type { create as createDocument } from 'xmlbuilder2'
import { describePrecision } from '../judges/precision.js'
import type { ConformanceReport, ScenarioResult } from '../types.js'

// xmlbuilder2 is CommonJS: `require` loads it synchronously on the first render (~50 ms), not with
// the conformance part (src/conformance/index.ts), which runs without a JUnit report too.
const require = createRequire(import.meta.url)

const seconds = (ms: number): string => (ms / 1000).toFixed(3)

// XML 1.0 forbids most control characters even escaped; journal text can carry them.
// eslint-disable-next-line no-control-regex
const clean = (text: string): string => text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD')

function details(r: ScenarioResult): string {
  const checks = r.checks.map((c) => `${c.passed ? 'ok  ' : 'FAIL'} ${c.name}\n     expected: ${c.expected}\n     observed: ${c.observed}${c.evidence.length ? `\n     evidence: ${c.evidence.map((id) => `#${id}`).join(', ')}` : ''}`)
  return clean([r.message ?? '', '', ...checks, ...(r.timeline && !r.message?.includes(r.timeline) ? ['', r.timeline] : [])].join('\n').trim())
}

/** Renders the report as a JUnit XML document (UTF-8, pretty-printed). */
export function renderJunit(report: ConformanceReport): string {
  const t = report.totals
  const { create } = require('xmlbuilder2') as { create: typeof createDocument }
  const doc = create({ version: '1.0', encoding: 'UTF-8' })
  const suites = doc.ele('testsuites', {
    name: 'fake-fluentd conformance',
    tests: t.total,
    failures: t.failed + (t.blocked ?? 0) + t.inconclusive,
    errors: t.errors,
    skipped: t.skipped,
    time: seconds(report.durationMs),
  })
  const suite = suites.ele('testsuite', {
    name: `conformance (${clean(report.sender)}, profile ${clean(report.profile)})`,
    tests: t.total,
    failures: t.failed + (t.blocked ?? 0) + t.inconclusive,
    errors: t.errors,
    skipped: t.skipped,
    time: seconds(report.durationMs),
    timestamp: report.startedAt.replace(/\.\d+Z$/, ''),
  })
  const props = suite.ele('properties')
  props.ele('property', { name: 'sender', value: clean(report.sender) })
  props.ele('property', { name: 'profile', value: clean(report.profile) })
  props.ele('property', { name: 'tolerance', value: `${report.tolerance.absMs} ms + ${Number((report.tolerance.rel * 100).toFixed(3))} % + measured runner lag` })
  props.ele('property', { name: 'precision', value: clean(report.precision) })
  for (const r of report.results) {
    const tc = suite.ele('testcase', { classname: `conformance.${r.family}`, name: `${r.id}: ${clean(r.title)}`, time: seconds(r.durationMs) })
    if (r.status === 'inconclusive') {
      // Never a pass: a failure whose type says the measurement, not the sender, was in doubt.
      tc.ele('failure', { message: clean(`inconclusive: ${r.checks.filter((c) => c.inconclusive).map((c) => c.inconclusive).join('; ')}`), type: 'ConformanceInconclusive' }).txt(details(r))
    } else if (r.status === 'blocked') {
      // Never a pass either: its premise failed in the scenario named, which carries the failure.
      tc.ele('failure', { message: clean(`blocked by ${(r.blockedBy ?? []).join(', ')} (rule ${r.premise?.rule ?? '?'})`), type: 'ConformanceBlocked' }).txt(details(r))
    } else if (r.status === 'failed') {
      const failed = r.checks.filter((c) => !c.passed).map((c) => c.name)
      tc.ele('failure', { message: clean(`${failed.join('; ') || 'failed'}`), type: 'ConformanceFailure' }).txt(details(r))
    } else if (r.status === 'error') {
      tc.ele('error', { message: clean(r.message?.split('\n')[0] ?? 'error'), type: r.errorCode ?? 'Error' }).txt(details(r))
    } else if (r.status === 'skipped') {
      tc.ele('skipped', { message: clean(r.message ?? 'skipped') })
    }
    tc.ele('system-out').txt(clean(`time scale ${r.timeScale}${r.startupMs !== undefined ? `; sender start-up ${r.startupMs} ms (not counted)` : ''}${r.precision ? `; precision: ${describePrecision(r.precision)}` : ''}\n${r.checks.map((c) => `${c.passed ? 'ok  ' : 'FAIL'} ${c.name}: ${c.observed}`).join('\n')}${r.timeline ? `\n\n${r.timeline}` : ''}`))
  }
  return doc.end({ prettyPrint: true })
}
