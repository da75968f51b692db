/**
 * Auto-disable: at >= the failure ratio (with at least minAttempts attempts in the window) the
 * integration is disabled: no further attempt, `{"event":"disabled"}`; just below it is not; not
 * before minAttempts attempts; failures inside the window count and older ones do not (the window
 * pair is in disable-window.ts).
 * @see docs/design.md "Delivery rules"
 */
import { maxAttempts, type AutoDisableRule, type RetryProfile } from '../../profile/index.js'
import { deliveredOnce, disabledCheck } from '../judges/checks.js'
import type { Check, DeliverySpec, RuleId, ScenarioDefinition } from '../types.js'
import { always, grouped, relaxedTimeouts, scaledIntervals, single, stepsPlan } from './common.js'
import { windowScenarios } from './disable-window.js'

/**
 * What the disable scenarios rely on and do not judge: successes are successes, and the sender's
 * schedule (intervals, attempts per delivery, where they count from) is the profile's, since the
 * failing deliveries and the deadline are placed by it.
 */
export const SCHEDULE_PREMISES: readonly RuleId[] = ['success-status', 'interval', 'max-attempts', 'interval-from']

/** Time for the successful deliveries to be answered before the failing ones start, ms (real). */
const SUCCESS_LEAD_MS = 400

/** Real time one attempt may take on a busy machine (connect, TLS, answer), ms. */
const PER_ATTEMPT_MS = 60

/** Nominal span of one delivery that fails every attempt, ms at `scale`. */
function sequentialSpanMs(p: RetryProfile, scale: number): number {
  return scaledIntervals(p, scale).reduce((a, i) => a + i.maxMs, 0)
}

function rule(p: RetryProfile): AutoDisableRule | null {
  return p.autoDisable
}

/** Successes first, then failing deliveries: `s` successes and `f` failures make `s + f` attempts. */
function mix(p: RetryProfile, s: number, f: number): DeliverySpec[] {
  const failing = Math.max(1, Math.ceil(f / maxAttempts(p)))
  return [
    ...Array.from({ length: s }, (_, i) => single(100 + i, 0)),
    ...Array.from({ length: failing }, (_, i) => single(200 + i, SUCCESS_LEAD_MS + i * 5)),
  ]
}

function notApplicable(p: RetryProfile): string | null {
  return rule(p) === null ? 'the profile never disables' : null
}

export const disableScenarios: ScenarioDefinition[] = [
  {
    id: 'disable.at-threshold',
    family: 'disable',
    title: 'Auto-disable once failures reach the ratio (60 % of 20 attempts)',
    description: 'Successful deliveries, then failing ones, so that the minAttempts-th attempt brings failures to exactly the ratio (wallarm: 12 of 20 = 60 %). The sender must disable there: no further attempt, and report {"event":"disabled"}.',
    defaultTimeScale: 0.01,
    pins: ['failure-ratio', 'min-attempts'],
    premises: SCHEDULE_PREMISES,
    notApplicable,
    build: (ctx) => {
      const r = rule(ctx.profile)!
      const m = r.minAttempts
      const f = Math.ceil(r.failureRatio * m - 1e-9)
      const s = m - f
      return {
        plan: stepsPlan([...(s > 0 ? [{ status: 200, times: s }] : []), { status: 500, times: f }]),
        settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
        deliveries: mix(ctx.profile, s, f),
        deadlineMs: SUCCESS_LEAD_MS + Math.ceil(scaledIntervals(ctx.profile, ctx.timeScale).slice(0, f).reduce((a, i) => a + i.maxMs, 0) * 1.5) + 6000,
        estimateMs: SUCCESS_LEAD_MS + Math.ceil(scaledIntervals(ctx.profile, ctx.timeScale).slice(0, f).reduce((a, i) => a + i.maxMs, 0)) + 400,
        settleMs: 400,
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const all = g.deliveries.flatMap((d) => d.attempts).sort((a, b) => a.startMono - b.startMono)
          const checks: Check[] = [...disabledCheck(obs, true, all, m), stray]
          return { checks }
        },
      }
    },
  },
  {
    id: 'disable.below-threshold',
    family: 'disable',
    title: 'No auto-disable just below the ratio',
    description: 'As disable.at-threshold with one failure fewer among the first minAttempts attempts (wallarm: 11 of 20 = 55 %), then a success: the sender must not disable and the failing notification is delivered.',
    defaultTimeScale: 0.01,
    pins: ['failure-ratio'],
    premises: SCHEDULE_PREMISES,
    notApplicable,
    build: (ctx) => {
      const r = rule(ctx.profile)!
      const m = r.minAttempts
      const f = Math.ceil(r.failureRatio * m - 1e-9) - 1
      const s = m - f
      return {
        plan: stepsPlan([{ status: 200, times: s }, ...(f > 0 ? [{ status: 500, times: f }] : [])]),
        settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
        deliveries: mix(ctx.profile, s, f),
        deadlineMs: SUCCESS_LEAD_MS + Math.ceil(scaledIntervals(ctx.profile, ctx.timeScale).slice(0, f + 1).reduce((a, i) => a + i.maxMs, 0) * 1.5) + 6000,
        estimateMs: SUCCESS_LEAD_MS + Math.ceil(scaledIntervals(ctx.profile, ctx.timeScale).slice(0, f + 1).reduce((a, i) => a + i.maxMs, 0)) + 400,
        settleMs: 400,
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const all = g.deliveries.flatMap((d) => d.attempts)
          const total: Check = {
            name: `${m + 1} attempts in all (${f} failed), every notification delivered`,
            passed: all.length === m + 1,
            expected: `${m + 1}`,
            observed: `${all.length}`,
            evidence: all.map((a) => a.entryId),
          }
          return { checks: [...disabledCheck(obs, false, all), total, ...g.deliveries.map((d) => deliveredOnce(d)), stray] }
        },
      }
    },
  },
  {
    id: 'disable.min-attempts',
    family: 'disable',
    title: 'No auto-disable before minAttempts attempts, even at 100 % failures',
    description: 'Notifications that fail every attempt, one after the other (the next once the previous is dropped): every attempt fails, so the ratio is reached from the first one, but the sender must disable exactly at the minAttempts-th attempt (wallarm: the 20th), not before and not after.',
    defaultTimeScale: 0.0005,
    pins: ['min-attempts'],
    premises: [...SCHEDULE_PREMISES, 'failure-ratio'],
    notApplicable: (p) => {
      const r = rule(p)
      if (r === null) return 'the profile never disables'
      if (sequentialSpanMs(p, 1) * Math.ceil(r.minAttempts / maxAttempts(p)) >= r.windowMs) return 'the failing notifications do not fit in one window'
      return null
    },
    build: (ctx) => {
      const r = rule(ctx.profile)!
      const m = r.minAttempts
      const n = maxAttempts(ctx.profile)
      const count = Math.ceil(m / n)
      // The next notification once the previous one is surely dropped (its schedule plus up to
      // PER_ATTEMPT_MS per attempt on a busy machine).
      const gap = Math.ceil(sequentialSpanMs(ctx.profile, ctx.timeScale) + n * PER_ATTEMPT_MS)
      return {
        plan: always(500),
        settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
        deliveries: Array.from({ length: count }, (_, i) => single(300 + i, i * gap)),
        deadlineMs: count * gap + 6000,
        estimateMs: (count - 1) * gap + Math.ceil(sequentialSpanMs(ctx.profile, ctx.timeScale)) + 400,
        settleMs: 400,
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const all = g.deliveries.flatMap((d) => d.attempts).sort((a, b) => a.startMono - b.startMono)
          return { checks: [...disabledCheck(obs, true, all, m), stray] }
        },
      }
    },
  },
  ...windowScenarios,
]
