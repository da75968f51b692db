/**
 * retry.interval-from: the failed answers arrive LATE, so that counting an interval from the start of
 * the failed attempt and counting it from its end give gaps that differ by the delay. The judge
 * expects the profile's choice (`intervalFrom`) and the other choice lands a whole delay away.
 * @see docs/design.md "Delivery rules"
 */
import { maxAttempts } from '../../profile/index.js'
import { attemptCount, deliveredOnce } from '../judges/checks.js'
import type { ScenarioDefinition } from '../types.js'
import { budgetMs, expectedOffsets, judgedDelivery, relaxedTimeouts, scaledIntervals, single, spanMs, stepsPlan, timelineJudgement, WARM_UP_STEPS, warmedUp } from './common.js'

/** Late failures before the 200. */
const LATE_FAILURES = 3

export function intervalFromScenario(): ScenarioDefinition {
  return {
    id: 'retry.interval-from',
    family: 'retry',
    title: 'Intervals counted from the right moment (failed answers that arrive late)',
    description: `After a warm-up delivery, the first ${LATE_FAILURES} attempts of the judged delivery are answered 500 only after a delay of half the first interval, then 200. With intervalFrom attempt-end the gap after each late answer is the whole interval; with attempt-start it is the interval less the attempt's duration. Each gap is judged against the profile's choice.`,
    defaultTimeScale: 0.3,
    pins: ['interval-from'],
    premises: ['success-status', 'interval', 'max-attempts'],
    notApplicable: (p) => (maxAttempts(p) < LATE_FAILURES + 1 ? `the profile allows only ${maxAttempts(p)} attempts` : null),
    build: (ctx) => {
      const intervals = scaledIntervals(ctx.profile, ctx.timeScale).slice(0, LATE_FAILURES)
      const shortest = Math.min(...intervals.map((i) => i.minMs).filter((x) => x > 0), Infinity)
      // Half the shortest non-zero interval (so that attempt-start still has a gap to keep), at least 50 ms.
      const delayMs = Math.max(50, Math.round((Number.isFinite(shortest) ? shortest : 200) / 2))
      const expected = LATE_FAILURES + 1
      return {
        plan: stepsPlan([...WARM_UP_STEPS, { delayMs, status: 500, times: LATE_FAILURES }]),
        settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
        deliveries: warmedUp(single(1)),
        deadlineMs: budgetMs(ctx.profile, ctx.timeScale, expected) + LATE_FAILURES * delayMs,
        estimateMs: spanMs(ctx, expected) + LATE_FAILURES * delayMs + 300,
        settleMs: 300,
        expectedOffsetsMs: expectedOffsets(ctx.profile, ctx.timeScale, expected),
        judge(obs) {
          const { judgement, g } = timelineJudgement(ctx, obs, expected)
          // Intervals that fit the profile neither counted from the end nor from the start of the
          // failed attempt: the schedule itself differs (retry.cycle-N's rule), not where it counts from.
          if (judgement.premise === undefined && judgement.checks.some((c) => !c.passed && c.name.startsWith('retry intervals'))) {
            judgement.premise = { rule: 'interval', observed: 'the intervals fit the profile neither counted from the end nor from the start of the failed attempt' }
          }
          const d = judgedDelivery(g)
          judgement.checks.unshift(attemptCount(d, expected), deliveredOnce(d))
          judgement.timeline = `${judgement.timeline ?? ''}\nfailed answers delayed ${delayMs} ms; intervals counted from the ${ctx.profile.intervalFrom === 'attempt-start' ? 'start' : 'end'} of the failed attempt (intervalFrom ${ctx.profile.intervalFrom})`
          return judgement
        },
      }
    },
  }
}
