/**
 * Retry: the schedule of cycles 1, 2 and 3 within tolerance; stop after the first 2xx (201/202/204
 * count); 3xx, 4xx and 5xx retried alike (3xx never followed); reset and closed connections retried;
 * give up after the last cycle.
 * @see docs/design.md "Delivery rules", "Conformance scenarios"
 */
import type { FaultStep } from '../../faults/plan-types.js'
import { maxAttempts } from '../../sender/schedule.js'
import { attemptCount, deliveredOnce, neverDelivered } from '../judges/checks.js'
import { attemptsThroughCycle, cycleCount } from '../schedule.js'
import type { BuildContext, Check, Observation, ScenarioDefinition } from '../types.js'
import { always, budgetMs, expectedOffsets, failThenOk, grouped, relaxedTimeouts, single, stepsPlan, timelineJudgement } from './common.js'

const cycleScales = [0.1, 0.05, 0.001]

function cycleScenario(n: number): ScenarioDefinition {
  return {
    id: `retry.cycle-${n}`,
    family: 'retry',
    title: `Retry schedule through cycle ${n} within tolerance`,
    description: `The receiver fails every attempt until the last one of cycle ${n}, which it answers 200. The intervals of cycle ${n} (end of one attempt to start of the next) are compared with the profile; the earlier cycles' are shown and judged in their own scenarios, at a scale where they are measurable.`,
    defaultTimeScale: cycleScales[n - 1] ?? 0.001,
    notApplicable: (p) => (cycleCount(p) < n ? `the profile has ${cycleCount(p)} cycle(s)` : null),
    build: (ctx) => {
      // Every attempt through cycle n fails except the very last one, which is answered 200.
      const expected = attemptsThroughCycle(ctx.profile, n)
      const failures = expected - 1
      return {
        plan: failThenOk(failures, 500),
        settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
        deliveries: [single(1)],
        deadlineMs: budgetMs(ctx.profile, ctx.timeScale, expected),
        settleMs: 300,
        expectedOffsetsMs: expectedOffsets(ctx.profile, ctx.timeScale, expected),
        judge(obs) {
          const { judgement, g } = timelineJudgement(ctx, obs, expected, n)
          const d = g.deliveries[0]!
          judgement.checks.unshift(attemptCount(d, expected), deliveredOnce(d))
          return judgement
        },
      }
    },
  }
}

function statusScenario(id: string, title: string, description: string, steps: FaultStep[], extra?: (ctx: BuildContext, obs: Observation) => Check[]): ScenarioDefinition {
  return {
    id,
    family: 'retry',
    title,
    description,
    defaultTimeScale: 0.05,
    notApplicable: (p) => (maxAttempts(p) < failures(steps) + 1 ? `the profile allows only ${maxAttempts(p)} attempts` : null),
    build: (ctx) => {
      const expected = failures(steps) + 1
      return {
        plan: stepsPlan(steps),
        settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
        deliveries: [single(1)],
        deadlineMs: budgetMs(ctx.profile, ctx.timeScale, expected),
        settleMs: 300,
        expectedOffsetsMs: expectedOffsets(ctx.profile, ctx.timeScale, expected),
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const d = g.deliveries[0]!
          return { checks: [attemptCount(d, expected), deliveredOnce(d), ...(extra?.(ctx, obs) ?? []), stray] }
        },
      }
    },
  }
}

/** Requests the steps fail (a step with `times: N` counts N). */
const failures = (steps: readonly FaultStep[]): number => steps.reduce((n, s) => n + (s.times ?? 1), 0)

const redirect = (status: number): FaultStep => ({ status, headers: { Location: '/conformance.redirected' } })

export const retryScenarios: ScenarioDefinition[] = [
  cycleScenario(1),
  cycleScenario(2),
  cycleScenario(3),
  {
    id: 'retry.stops-after-2xx',
    family: 'retry',
    title: 'Stops after the first 2xx (201, 202 and 204 count)',
    description: 'Three deliveries, answered 201, 202 and 204 in turn; each must be made exactly once.',
    defaultTimeScale: 0.05,
    build: (ctx) => ({
      plan: stepsPlan([{ status: 201 }, { status: 202 }, { status: 204 }]),
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
      deliveries: [single(1), single(2, 150), single(3, 300)],
      deadlineMs: 8000,
      settleMs: Math.max(300, (scaledFirst(ctx) ?? 0) * 3),
      judge(obs) {
        const { g, stray } = grouped(obs, ctx.profile)
        return { checks: [...g.deliveries.flatMap((d) => [attemptCount(d, 1, `delivery ${d.index + 1} (answered ${[201, 202, 204][d.index]})`), deliveredOnce(d)]), stray] }
      },
    }),
  },
  statusScenario('retry.on-3xx', 'Retries 3xx and never follows the redirect', 'The receiver answers 301, 302 and 307 (Location: /conformance.redirected), then 200: four attempts, all to the configured URL.', [redirect(301), redirect(302), redirect(307)], (_ctx, obs) => {
    const followed = obs.journal.filter((e) => e.kind === 'request' && e.path === '/conformance.redirected')
    return [
      {
        name: 'redirects not followed',
        passed: followed.length === 0,
        expected: 'no request to the Location of a 3xx',
        observed: followed.length === 0 ? 'none' : `${followed.length} request(s) to /conformance.redirected`,
        evidence: followed.map((e) => e.id),
      },
    ]
  }),
  statusScenario('retry.on-4xx', 'Retries 4xx (400, 401, 404, 429) like any failure', 'The receiver answers 400, 401, 404 and 429, then 200: five attempts.', [{ status: 400 }, { status: 401 }, { status: 404 }, { status: 429, retryAfter: 1 }]),
  statusScenario('retry.on-5xx', 'Retries 5xx (500, 502, 503, 504)', 'The receiver answers 500, 502, 503 and 504, then 200: five attempts.', [{ status: 500 }, { status: 502 }, { status: 503 }, { status: 504 }]),
  statusScenario('retry.connection-reset', 'Retries after a reset connection', 'The receiver resets the connection (TCP RST) twice, then answers 200: three attempts.', [{ action: 'reset', times: 2 }]),
  statusScenario('retry.connection-closed', 'Retries after a connection closed without an answer', 'The receiver closes the connection without answering twice, then answers 200: three attempts.', [{ action: 'close', times: 2 }]),
  {
    id: 'retry.give-up',
    family: 'retry',
    title: 'Gives up after the last cycle',
    description: 'The receiver answers 500 to everything: exactly the profile\'s maximum number of attempts, then the notification is dropped (no further attempt).',
    defaultTimeScale: 0.001,
    build: (ctx) => {
      const expected = maxAttempts(ctx.profile)
      const lastInterval = scaledFirstMax(ctx)
      return {
        plan: always(500),
        settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
        deliveries: [single(1)],
        deadlineMs: budgetMs(ctx.profile, ctx.timeScale, expected),
        settleMs: Math.max(300, lastInterval * 1.2),
        expectedOffsetsMs: expectedOffsets(ctx.profile, ctx.timeScale, expected),
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const d = g.deliveries[0]!
          return { checks: [attemptCount(d, expected), neverDelivered(d), stray] }
        },
      }
    },
  },
]

function scaledFirst(ctx: BuildContext): number | undefined {
  const s = ctx.profile.schedule
  return s.kind === 'table' ? (s.cycles[0]?.[0] ?? 0) * ctx.timeScale : s.initialMs * ctx.timeScale
}

function scaledFirstMax(ctx: BuildContext): number {
  const s = ctx.profile.schedule
  const max = s.kind === 'table' ? Math.max(0, ...s.cycles.flat()) : s.maxMs
  return max * ctx.timeScale
}
