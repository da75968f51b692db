/**
 * Each verdict names the rule it breaks, and only there. A scenario relies on rules other scenarios
 * pin (its `premises`: the schedule for give-up and the disable rules, say). When the scenario
 * failed, or could not judge, and
 * - its judge saw such a premise broken (`premise`), or
 * - a scenario that pins one of its premises failed in the same run (unless that one judges only
 *   the other side of the rule, `pinsOneSide`: retry.on-3xx says nothing about 2xx being a success),
 * it is `blocked`: its message names the rule and the scenarios that judge it, and the exit stays
 * non-zero. The scenario that pins the rule carries the failure.
 * @see docs/design.md "Conformance"
 */
import type { RuleId, ScenarioDefinition, ScenarioResult } from './types.js'

/** The results with blocked verdicts attributed; `catalogue` names the scenarios that pin a rule when none of them ran. */
export function attributeVerdicts(results: readonly ScenarioResult[], defs: readonly ScenarioDefinition[], catalogue: readonly ScenarioDefinition[]): ScenarioResult[] {
  const defOf = new Map([...catalogue, ...defs].map((d) => [d.id, d]))
  // Failures that are the sender's own (a failed scenario with no broken premise of its own).
  const failedPins = results
    .map((r) => ({ r, pins: defOf.get(r.id)?.pins ?? [] }))
    .filter(({ r, pins }) => r.status === 'failed' && defOf.get(r.id)?.pinsOneSide !== true && (r.premise === undefined || pins.includes(r.premise.rule)))
    .map(({ r, pins }) => ({ id: r.id, pins }))
  // The scenarios that judge `rule`: those that failed in this run; none when they ran and passed
  // (the premise held where it is judged: the failure is this scenario's own); else the catalogue's.
  const pinnedBy = (rule: RuleId): string[] => {
    const failed = failedPins.filter((f) => f.pins.includes(rule)).map((f) => f.id)
    if (failed.length > 0) return failed
    const ran = results.filter((x) => (defOf.get(x.id)?.pins ?? []).includes(rule) && x.status === 'passed')
    return ran.length > 0 ? [] : catalogue.filter((d) => d.pins.includes(rule)).map((d) => d.id)
  }
  return results.map((r) => {
    if (r.status !== 'failed' && r.status !== 'inconclusive') return r
    const def = defOf.get(r.id)
    let rule: RuleId | undefined
    let blockedBy: string[] = []
    let why = ''
    if (r.premise && !(def?.pins ?? []).includes(r.premise.rule)) {
      rule = r.premise.rule
      blockedBy = pinnedBy(rule)
      why = r.premise.observed
    } else {
      for (const premise of def?.premises ?? []) {
        const failed = failedPins.filter((f) => f.id !== r.id && f.pins.includes(premise)).map((f) => f.id)
        if (failed.length === 0) continue
        rule = premise
        blockedBy = failed
        why = `${failed.join(', ')} failed`
        break
      }
    }
    if (rule === undefined || blockedBy.length === 0) return r
    const head = `BLOCKED: this scenario relies on the rule "${rule}", judged by ${blockedBy.join(', ')}; here: ${why}. Its own rule${(def?.pins.length ?? 0) === 1 ? '' : 's'} (${def?.pins.join(', ') || 'none'}) could not be judged. What was seen:`
    return { ...r, status: 'blocked', blockedBy, premise: { rule, observed: why }, message: [head, r.message ?? ''].join('\n') }
  })
}
