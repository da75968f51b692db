/**
 * Plans that are valid but likely a mistake. Today: a rule after a catch-all rule that never runs
 * out (no matchers and a `then`), which no request or connection can ever reach. The plan still
 * loads; the command line prints these as warnings.
 * @see docs/design.md "Fault plans"
 */
import type { FaultPlan, FaultRule } from './plan-types.js'

function isCatchAll(rule: FaultRule): boolean {
  const m = rule.match
  return m === undefined || Object.values(m).every((v) => v === undefined)
}

function label(rule: FaultRule, index: number): string {
  return rule.id !== undefined ? `rules[${index}] ("${rule.id}")` : `rules[${index}]`
}

/** One line per likely mistake in a plan that passed validation; empty when there is none. */
export function faultPlanWarnings(plan: FaultPlan): string[] {
  const at = plan.rules.findIndex((r) => isCatchAll(r) && r.then !== undefined)
  if (at < 0 || at === plan.rules.length - 1) return []
  const later = plan.rules.slice(at + 1).map((r, i) => label(r, at + 1 + i))
  return [
    `${later.join(', ')} can never apply: ${label(plan.rules[at]!, at)} matches every request and never runs out (its "then" applies for good). ` +
      'Put the catch-all rule last, or give it a matcher.',
  ]
}
