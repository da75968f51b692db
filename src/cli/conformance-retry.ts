/**
 * `conformance --retry-inconclusive N`: scenarios that could not be judged (a loaded machine, a
 * disturbed measurement) are measured again, up to N more times each, through the public runner
 * (runConformance with only those scenarios). Failed, errored and passed scenarios are never run
 * again. Each re-measured result says so in an extra check, which every report shows. After each
 * round, blocked verdicts are attributed again over the whole set as judged (the first run's
 * results with the re-measured ones in their place): a scenario whose premise is pinned by one
 * that now failed is blocked by it, and one that a re-run alone blocked on a rule another scenario
 * passed in the first run is not.
 */
import { attributeResults, judgedResults, type ConformanceReport, type ScenarioResult } from '../conformance/index.js'

/** Runs the given scenario ids once more and returns that run's report. */
export type Rerun = (ids: readonly string[]) => Promise<ConformanceReport>

function totalsOf(results: readonly ScenarioResult[]): ConformanceReport['totals'] {
  const count = (status: ScenarioResult['status']): number => results.filter((r) => r.status === status).length
  return { total: results.length, passed: count('passed'), failed: count('failed'), blocked: count('blocked'), inconclusive: count('inconclusive'), errors: count('error'), skipped: count('skipped') }
}

/** The note a re-measured result carries. */
function remeasured(before: number): ScenarioResult['checks'][number] {
  return {
    name: 're-measured (--retry-inconclusive)',
    passed: true,
    expected: 'a run that can be judged',
    observed: `${before} inconclusive run(s) before this one (run ${before + 1}); only inconclusive scenarios are run again, never failed ones`,
    evidence: [],
  }
}

/** The report after up to `rounds` re-measurements of its inconclusive scenarios. */
export async function retryInconclusive(report: ConformanceReport, rounds: number, rerun: Rerun, say: (line: string) => void): Promise<ConformanceReport> {
  let results = [...report.results]
  /** The results as judged (before attribution), in report order. */
  let judged = [...(judgedResults(report) ?? report.results)]
  let durationMs = report.durationMs
  /** Inconclusive runs so far, per scenario id. */
  const inconclusiveRuns = new Map<string, number>()
  for (const r of results) if (r.status === 'inconclusive') inconclusiveRuns.set(r.id, 1)
  for (let round = 1; round <= rounds; round++) {
    const ids = results.filter((r) => r.status === 'inconclusive').map((r) => r.id)
    if (ids.length === 0) break
    say(`fake-fluentd: re-measuring ${ids.length} inconclusive scenario(s), round ${round} of ${rounds}: ${ids.join(', ')}`)
    const again = await rerun(ids)
    durationMs += again.durationMs
    const fresh = new Map((judgedResults(again) ?? again.results).map((r) => [r.id, r]))
    judged = judged.map((old) => {
      const next = fresh.get(old.id)
      if (!next || !ids.includes(old.id)) return old
      const before = inconclusiveRuns.get(old.id) ?? 1
      if (next.status === 'inconclusive') inconclusiveRuns.set(old.id, before + 1)
      const note = remeasured(before)
      return { ...next, checks: [...next.checks.filter((c) => c.name !== note.name), note] }
    })
    results = attributeResults(judged)
  }
  return { ...report, durationMs, results, totals: totalsOf(results) }
}
