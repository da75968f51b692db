import { describe, expect, it } from 'vitest'
import { retryInconclusive } from '../../../src/cli/conformance-retry.js'
import type { ConformanceReport, ScenarioResult, ScenarioStatus } from '../../../src/conformance/index.js'

const result = (id: string, status: ScenarioStatus): ScenarioResult => ({ id, title: id, family: 'retry', status, timeScale: 1, durationMs: 10, checks: [], journal: [], events: [] })
const report = (results: ScenarioResult[]): ConformanceReport => ({
  sender: 's', profile: 'wallarm', startedAt: '', durationMs: 100, tolerance: { absMs: 6, rel: 0.005 }, precision: '', results,
  totals: { total: results.length, passed: 0, failed: 0, blocked: 0, inconclusive: 0, errors: 0, skipped: 0 },
})

describe('--retry-inconclusive', () => {
  it('re-measures only inconclusive scenarios, up to N rounds, and marks each re-measured result', async () => {
    const asked: string[][] = []
    // Round 1: a judged (passed), b still inconclusive; round 2: b fails.
    const answers: ScenarioStatus[][] = [['passed', 'inconclusive'], ['failed']]
    const first = report([result('a', 'inconclusive'), result('b', 'inconclusive'), result('c', 'failed'), result('d', 'passed')])
    const out = await retryInconclusive(first, 3, (ids) => {
      asked.push([...ids])
      const statuses = answers[asked.length - 1]!
      return Promise.resolve(report(ids.map((id, i) => result(id, statuses[i]!))))
    }, () => {})
    expect(asked).toEqual([['a', 'b'], ['b']])
    expect(out.results.map((r) => `${r.id}:${r.status}`)).toEqual(['a:passed', 'b:failed', 'c:failed', 'd:passed'])
    expect(out.totals).toEqual({ total: 4, passed: 2, failed: 2, blocked: 0, inconclusive: 0, errors: 0, skipped: 0 })
    expect(out.results[1]!.checks.at(-1)!.observed).toMatch(/^2 inconclusive run\(s\) before this one \(run 3\)/)
    expect(out.results[2]!.checks).toEqual([])
    expect(out.durationMs).toBe(300)
  })

  it('runs nothing when no scenario is inconclusive', async () => {
    let calls = 0
    const out = await retryInconclusive(report([result('a', 'failed')]), 2, () => {
      calls++
      return Promise.resolve(report([]))
    }, () => {})
    expect(calls).toBe(0)
    expect(out.totals.failed).toBe(1)
  })

  // Real catalogue ids: retry.cycle-1 pins the interval rule, retry.give-up relies on it.
  const failing = (id: string): ScenarioResult => ({ ...result(id, 'failed'), checks: [{ name: 'x', passed: false, expected: 'e', observed: 'o', evidence: [] }] })

  it('attributes blocked verdicts again after a re-measure: a scenario whose premise is pinned by one that now failed is blocked by it', async () => {
    // First run: cycle-1 could not be judged, give-up failed on its own (nothing pinning its premise failed).
    const first = report([result('retry.cycle-1', 'inconclusive'), failing('retry.give-up')])
    const out = await retryInconclusive(first, 2, (ids) => Promise.resolve(report(ids.map((id) => failing(id)))), () => {})
    expect(out.results.map((r) => `${r.id}:${r.status}`)).toEqual(['retry.cycle-1:failed', 'retry.give-up:blocked'])
    expect(out.results[1]!.blockedBy).toEqual(['retry.cycle-1'])
    expect(out.results[1]!.message).toMatch(/^BLOCKED: this scenario relies on the rule "interval", judged by retry.cycle-1/)
    expect(out.totals).toMatchObject({ failed: 1, blocked: 1, inconclusive: 0 })
  })

  it('judges a re-measured scenario against the whole run: its premise passed in the first run, so its failure is its own', async () => {
    // give-up, re-measured alone, fails with the interval premise broken (as judged: a real re-run
    // alone would block it on the catalogue's retry.cycle-*, which did not run there). retry.cycle-1
    // passed in the first run: attributed over both, give-up's failure is its own.
    const withPremise = (r: ScenarioResult): ScenarioResult => ({ ...r, premise: { rule: 'interval', observed: 'intervals off' } })
    const first = report([result('retry.cycle-1', 'passed'), result('retry.give-up', 'inconclusive')])
    const out = await retryInconclusive(first, 1, () => Promise.resolve(report([withPremise(failing('retry.give-up'))])), () => {})
    expect(out.results.map((r) => `${r.id}:${r.status}`)).toEqual(['retry.cycle-1:passed', 'retry.give-up:failed'])
    expect(out.results[1]!.blockedBy).toBeUndefined()
  })
})

