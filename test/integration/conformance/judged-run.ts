/**
 * A conformance run as CI runs it, `conformance --retry-inconclusive 2`: a scenario that could not be
 * judged (the runner's event loop or the machine lagged so much that a sender 10 % off would pass
 * too) is measured again, at most twice. Failed, errored and passed scenarios are never run again,
 * so a broken sender fails exactly what it fails on its first run, and a correct sender must end
 * with every scenario judged and passed. A re-measured result carries the check that says so.
 */
import { retryInconclusive } from '../../../src/cli/conformance-retry.js'
import { runConformance, type RunConformanceOptions } from '../../../src/conformance/runner.js'
import type { ConformanceReport } from '../../../src/conformance/types.js'

/** Re-measurements of an inconclusive scenario at most (the README's CI advice). */
export const REMEASURE_ROUNDS = 2

/** runConformance, then the inconclusive scenarios measured again (never the failed ones). */
export async function runJudged(options: RunConformanceOptions): Promise<ConformanceReport> {
  const first = await runConformance(options)
  return retryInconclusive(first, REMEASURE_ROUNDS, (ids) => runConformance({ ...options, scenarios: ids.join(',') }), () => {})
}
