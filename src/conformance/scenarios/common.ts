/**
 * Helpers the scenario families share: scaled schedules, timeouts kept out of the way, deadlines,
 * fault plans in the JSON shape of src/faults/plan-types.ts.
 */
import type { FaultPlan, FaultStep } from '../../faults/index.js'
import { expectedSchedule, type RetryProfile } from '../../profile/index.js'
import { groupAttempts, type Attempt, type DeliveryAttempts, type GroupedAttempts } from '../judges/handed.js'
import { noStrayAttempts } from '../judges/checks.js'
import { compareTimeline, intervalsCheck, renderTimeline, rowsPrecision, scheduleFitCheck, type TimelineContext, type TimelineRow } from '../judges/timeline.js'
import { sampleNotification, sampleTypes } from '../samples.js'
import { expectedIntervals, type ExpectedInterval } from '../schedule.js'
import type { BrokenPremise, BuildContext, Check, DeliverySpec, Judgement, Observation, SettingsOverrides } from '../types.js'

/** Real-time floor for timeouts a scenario does not test, ms: slow machines must not trip them. */
export const TIMEOUT_FLOOR_MS = 3000

/** The profile's intervals scaled to real time. */
export function scaledIntervals(profile: RetryProfile, scale: number): ExpectedInterval[] {
  return expectedIntervals(profile).map((i) => ({ ...i, nominalMs: i.nominalMs * scale, minMs: i.minMs * scale, maxMs: i.maxMs * scale }))
}

/**
 * Settings whose timeouts cannot fire by accident: integration values (scale 1) raised so that, once
 * scaled, they are at least TIMEOUT_FLOOR_MS of real time.
 */
export function relaxedTimeouts(profile: RetryProfile, scale: number): Pick<SettingsOverrides, 'requestTimeoutMs' | 'connectTimeoutMs'> {
  return {
    requestTimeoutMs: Math.max(profile.requestTimeoutMs, Math.ceil(TIMEOUT_FLOOR_MS / scale)),
    connectTimeoutMs: Math.max(profile.connectTimeoutMs, Math.ceil(TIMEOUT_FLOOR_MS / scale)),
  }
}

/** Real-time budget for `attempts` attempts spread over the first `attempts - 1` intervals, ms. */
export function budgetMs(profile: RetryProfile, scale: number, attempts: number, perAttemptMs = 150): number {
  const span = scaledIntervals(profile, scale)
    .slice(0, Math.max(0, attempts - 1))
    .reduce((s, i) => s + i.maxMs, 0)
  return Math.ceil(span * 1.5 + attempts * perAttemptMs + 3000)
}

/** Nominal time (ms, real) from the first to the last of `attempts` attempts, plus ~20 ms per attempt. */
export function spanMs(ctx: BuildContext, attempts: number): number {
  const span = scaledIntervals(ctx.profile, ctx.timeScale)
    .slice(0, Math.max(0, attempts - 1))
    .reduce((s, i) => s + i.maxMs, 0)
  return Math.round(span + attempts * 20)
}

/**
 * Steps of a warm-up delivery: its first attempt fails, its retry succeeds. Put first in the plan of
 * a scenario that times a schedule, with `warmedUp` deliveries: the sender has then been through its
 * failure-and-retry path once before the judged delivery starts (a fresh process runs that path
 * cold, 10-40 ms late, which says nothing about its schedule).
 */
export const WARM_UP_STEPS: FaultStep[] = [{ status: 500 }, { status: 200 }]

/** The warm-up delivery, then `judged` once the warm-up's two attempts have ended. */
export function warmedUp(judged: DeliverySpec): DeliverySpec[] {
  return [single(999, 0), { ...judged, afterAttempts: WARM_UP_STEPS.length, atMs: judged.atMs + 20 }]
}

/** The delivery a scenario judges: the last one handed (after any warm-up). */
export function judgedDelivery(g: GroupedAttempts): DeliveryAttempts {
  return g.deliveries[g.deliveries.length - 1]!
}

/** A single-notification delivery at `atMs`. */
export function single(n: number, atMs = 0, type: (typeof sampleTypes)[number] = 'ip_blocked'): DeliverySpec {
  return { atMs, notifications: [sampleNotification(n, type)], batch: false }
}

/** A batch delivery (one body) of one notification of each sample type. */
export function batchOfTypes(n: number, atMs = 0): DeliverySpec {
  return { atMs, notifications: sampleTypes.map((t, i) => sampleNotification(n + i, t)), batch: true }
}

/** A plan: these steps for the first requests, then `then` (undefined: plain Fluentd, 200). */
export function stepsPlan(steps: FaultStep[], then?: FaultStep, id = 'scenario'): FaultPlan {
  return { rules: [{ id, steps, ...(then ? { then } : {}) }] }
}

/** Every request answered with `status`. */
export function always(status: number): FaultPlan {
  return { rules: [{ id: 'scenario', then: { status } }] }
}

/** Groups attempts and adds the stray-attempt check. */
export function grouped(obs: Observation, profile: RetryProfile): { g: GroupedAttempts; stray: Check } {
  const g = groupAttempts(obs, profile)
  return { g, stray: noStrayAttempts(g.unmatched, g.deliveries.length !== 1) }
}

/** The context the timeline judge needs, from the build context and the observation. */
export function timelineContext(ctx: BuildContext, obs: Observation): TimelineContext {
  return { tolerance: ctx.tolerance, lag: obs.lag, inProcess: obs.senderInProcess, machineLag: obs.machineLag, senderWait: obs.senderWait?.reads, timeScale: ctx.timeScale, intervalFrom: ctx.profile.intervalFrom }
}

/**
 * Timeline judgement of one delivery against the first `expectedAttempts - 1` intervals: each
 * interval within its measured slack, and the schedule as a whole (k x expected + c).
 */
export function timelineJudgement(
  ctx: BuildContext,
  obs: Observation,
  expectedAttempts: number,
  onlyCycle?: number,
): { judgement: Judgement; g: GroupedAttempts } {
  const { g, stray } = grouped(obs, ctx.profile)
  const d = judgedDelivery(g)
  const rows = compareTimeline(d.attempts, scaledIntervals(ctx.profile, ctx.timeScale), timelineContext(ctx, obs), expectedAttempts)
  let note = ''
  if (onlyCycle !== undefined) {
    // At a scale chosen for cycle N, earlier cycles' intervals shrink to a few ms, below what can be
    // measured on a busy machine: they are shown, and judged in their own scenarios.
    for (const row of rows) {
      if (row.expected && row.expected.cycle !== onlyCycle) {
        delete row.verdict
        delete row.slack
      }
    }
    note = `\njudged here: the intervals of cycle ${onlyCycle} (the others in their own retry.cycle-N scenario)`
  }
  const fit = scheduleFitCheck(rows)
  const intervals = intervalsCheck(rows, undefined, ctx.timeScale)
  const judgement: Judgement = { checks: [intervals, ...(fit ? [fit] : []), stray], timeline: renderTimeline(rows, ctx.timeScale) + note, precision: rowsPrecision(rows) }
  const other = intervals.passed && intervals.inconclusive === undefined ? undefined : otherIntervalFrom(ctx, obs, rows, d.attempts, expectedAttempts, onlyCycle)
  if (other) judgement.premise = other
  else {
    const stopped = stoppedEarly(obs, rows, d.attempts, expectedAttempts)
    if (stopped) judgement.premise = stopped
  }
  return { g, judgement }
}

/**
 * The sender stopped retrying before the last expected attempt, every interval it did make within
 * its slack: it gave up (retry.give-up's rule) or disabled the integration (the disable rules)
 * early. That is their rule, not the schedule's, so the scenario reports the premise.
 */
function stoppedEarly(obs: Observation, rows: readonly TimelineRow[], attempts: readonly Attempt[], expectedAttempts: number): BrokenPremise | undefined {
  if (attempts.length === 0 || attempts.length >= expectedAttempts || attempts.some((a) => a.succeeded)) return undefined
  if (rows.some((r) => r.attempt !== undefined && r.verdict === 'out')) return undefined
  const disabled = obs.events.some((e) => e.event === 'disabled')
  return disabled
    ? { rule: 'min-attempts', observed: `the sender disabled the integration after ${attempts.length} attempts of this delivery, before attempt ${expectedAttempts}, its intervals right so far` }
    : { rule: 'max-attempts', observed: `the sender stopped after ${attempts.length} attempts, before attempt ${expectedAttempts}, its intervals right so far (it gave up early)` }
}

/**
 * The intervals fail (or cannot be told) as the profile counts them, but all fit, and at least twice
 * as closely, when counted from the other end of the failed attempt: that is retry.interval-from's
 * rule, not this scenario's.
 */
function otherIntervalFrom(ctx: BuildContext, obs: Observation, asProfile: readonly TimelineRow[], attempts: DeliveryAttempts['attempts'], expectedAttempts: number, onlyCycle?: number): BrokenPremise | undefined {
  const flipped = ctx.profile.intervalFrom === 'attempt-end' ? 'attempt-start' : 'attempt-end'
  const rows = compareTimeline(attempts, scaledIntervals(ctx.profile, ctx.timeScale), { ...timelineContext(ctx, obs), intervalFrom: flipped }, expectedAttempts)
  if (onlyCycle !== undefined) for (const row of rows) if (row.expected && row.expected.cycle !== onlyCycle) delete row.verdict
  const judged = rows.filter((r) => r.verdict !== undefined)
  if (judged.length === 0 || judged.some((r) => r.verdict === 'out')) return undefined
  const off = (rs: readonly TimelineRow[]): number => rs.filter((r) => r.verdict !== undefined).reduce((sum, r) => sum + Math.abs(r.deltaMs ?? 0), 0)
  if (!(off(judged) * 2 < off(asProfile))) return undefined
  return { rule: 'interval-from', observed: `the intervals fit the profile when counted from the ${flipped === 'attempt-start' ? 'start' : 'end'} of the failed attempt (the profile counts from its ${ctx.profile.intervalFrom === 'attempt-end' ? 'end' : 'start'})` }
}

/** Offsets (ms) of the expected attempts from the first one, assuming instant answers. */
export function expectedOffsets(profile: RetryProfile, scale: number, attempts: number): number[] {
  return expectedSchedule(profile)
    .slice(0, Math.max(1, attempts))
    .map((a) => a.offsetMs * scale)
}
