/**
 * Auto-disable: at >= the failure ratio (with at least minAttempts attempts in the window) the
 * integration is disabled: no further attempt, `{"event":"disabled"}`; just below it is not; failures
 * older than the window do not count.
 * @see docs/design.md "Delivery rules"
 */
import type { AutoDisableRule, RetryProfile } from '../../sender/profile-types.js'
import { maxAttempts } from '../../sender/schedule.js'
import { deliveredOnce, disabledCheck, attemptCount } from '../judges/checks.js'
import type { Check, DeliverySpec, ScenarioDefinition } from '../types.js'
import { always, grouped, relaxedTimeouts, scaledIntervals, single, stepsPlan } from './common.js'

/** Time for the successful deliveries to be answered before the failing ones start, ms (real). */
const SUCCESS_LEAD_MS = 400

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
    id: 'disable.window',
    family: 'disable',
    title: 'Failures older than the window do not count',
    description: 'One notification fails every attempt and is dropped; once the window (12 h, scaled) has passed a second one fails every attempt. Counted together they would disable the integration; the old ones must have left the window, so no disable.',
    defaultTimeScale: 0.0001,
    notApplicable: (p) => {
      const r = rule(p)
      if (r === null) return 'the profile never disables'
      const n = maxAttempts(p)
      if (n >= r.minAttempts) return 'one notification alone reaches minAttempts'
      if (2 * n < r.minAttempts) return 'two failing notifications never reach minAttempts'
      return null
    },
    build: (ctx) => {
      const r = rule(ctx.profile)!
      const n = maxAttempts(ctx.profile)
      const span = scaledIntervals(ctx.profile, ctx.timeScale).reduce((a, i) => a + i.maxMs, 0)
      const windowMs = r.windowMs * ctx.timeScale
      // Room for the first notification's attempts on a busy machine (a new TLS connection each,
      // up to ~250 ms apiece under load) so that the second one surely starts after the window.
      const secondAt = Math.ceil(span * 1.3 + n * 250 + windowMs + 600)
      return {
        plan: always(500),
        settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
        deliveries: [single(1, 0), single(2, secondAt)],
        deadlineMs: secondAt + Math.ceil(span * 1.5 + n * 150) + 6000,
        settleMs: 400,
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const [d1, d2] = g.deliveries
          const lastOld = d1!.attempts[d1!.attempts.length - 1]
          const firstNew = d2!.attempts[0]
          const gap = lastOld && firstNew ? firstNew.startMono - (lastOld.endMono ?? lastOld.startMono) : undefined
          const outside: Check = {
            name: 'the second notification starts after the window',
            passed: gap !== undefined && gap > windowMs,
            expected: `more than ${Math.round(windowMs)} ms after the last old failure`,
            observed: gap === undefined ? 'missing attempts' : `${Math.round(gap)} ms`,
            evidence: [lastOld?.entryId, firstNew?.entryId].filter((x): x is number => x !== undefined),
          }
          const all = g.deliveries.flatMap((d) => d.attempts)
          return { checks: [...disabledCheck(obs, false, all), attemptCount(d1!, n, 'old notification'), attemptCount(d2!, n, 'new notification'), outside, stray] }
        },
      }
    },
  },
]
