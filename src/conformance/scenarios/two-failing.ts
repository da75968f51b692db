/**
 * retry.two-failing: two deliveries fail at once. With one retry state per delivery (the default)
 * each retries on its own schedule and the second does not wait for the first; with a shared retry
 * state (sharedRetryState, Fluentd's one state per output) the second waits behind the first
 * (head-of-line) and starts only once the first is delivered.
 * @see docs/design.md "Delivery rules"
 */
import { maxAttempts } from '../../profile/index.js'
import { attemptCount, deliveredOnce } from '../judges/checks.js'
import type { Check, ScenarioDefinition } from '../types.js'
import { budgetMs, grouped, relaxedTimeouts, single, spanMs } from './common.js'

/** Attempts of each delivery that fail (matched per delivery), before the 200. */
const FAILURES = 2

export const twoFailingScenario: ScenarioDefinition = {
  id: 'retry.two-failing',
  family: 'retry',
  title: 'Two deliveries failing at once: each on its own schedule, or the second behind the first (shared retry state)',
  description: `Two deliveries handed together, in order; the receiver fails the first ${FAILURES} attempts of each delivery, then answers 200. Each must be delivered after ${FAILURES + 1} attempts. With one retry state per delivery the second starts at once, before the first is delivered; with sharedRetryState it starts only after the first is delivered.`,
  defaultTimeScale: 0.05,
  pins: [],
  // It counts attempts until a 2xx ends each delivery, and waits for retries on the profile's schedule.
  premises: ['success-status', 'interval'],
  notApplicable: (p) => (maxAttempts(p) < FAILURES + 1 ? `the profile allows only ${maxAttempts(p)} attempts` : null),
  build: (ctx) => {
    const expected = FAILURES + 1
    const shared = ctx.profile.sharedRetryState === true
    const one = budgetMs(ctx.profile, ctx.timeScale, expected)
    return {
      plan: { rules: [{ id: 'scenario', match: { attempt: [1, FAILURES] }, then: { status: 500 } }] },
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
      // Handed together: a sender with one state per delivery starts both at once, whatever its speed.
      deliveries: [single(1), single(2)],
      deadlineMs: shared ? 2 * one : one,
      estimateMs: (shared ? 2 : 1) * spanMs(ctx, expected) + 300,
      settleMs: 300,
      judge(obs) {
        const { g, stray } = grouped(obs, ctx.profile)
        const [a, b] = g.deliveries
        const checks: Check[] = [attemptCount(a!, expected), deliveredOnce(a!), attemptCount(b!, expected), deliveredOnce(b!)]
        const aDone = a!.attempts.find((x) => x.succeeded)
        const bFirst = b!.attempts[0]
        if (aDone && bFirst) {
          const aEnd = aDone.endMono ?? aDone.startMono
          const waited = bFirst.startMono >= aEnd
          checks.push({
            name: shared ? 'the second delivery waits behind the first (shared retry state)' : 'the second delivery does not wait for the first (one retry state per delivery)',
            passed: shared ? waited : bFirst.startMono < aDone.startMono,
            expected: shared ? "delivery 2's first attempt after delivery 1 is delivered" : "delivery 2's first attempt before delivery 1's last attempt",
            observed: `delivery 2's first attempt (#${bFirst.entryId}) started ${Math.round(Math.abs(bFirst.startMono - aEnd))} ms ${waited ? 'after' : 'before'} delivery 1 was delivered (#${aDone.entryId})`,
            evidence: [bFirst.entryId, aDone.entryId],
          })
        }
        checks.push(stray)
        return { checks }
      },
    }
  },
}
