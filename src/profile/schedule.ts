/**
 * The retry schedule of a profile as pure functions: which interval follows a failed
 * attempt, the whole expected timeline, and the range jitter allows. No clock, no I/O; the delivery
 * loop alone waits. Every duration is in ms at time scale 1 (the caller scales).
 * @see docs/design.md "Delivery rules"
 */
import type { RetryProfile } from './profile-types.js'

/** A source of uniform numbers in [0, 1), for jitter (the sender passes a seeded one). */
export type Rng = () => number

/** The retry that follows a failed attempt. */
export interface NextRetry {
  /** Time from the end of the failed attempt to the start of the next one, ms at scale 1. */
  intervalMs: number
  /** 1-based cycle of the interval (exponential profiles have one cycle). */
  cycle: number
  /** 1-based position of the interval inside its cycle. */
  indexInCycle: number
  /** Number of the attempt this interval leads to (2 for the first retry). */
  attempt: number
}

/** One attempt of a delivery that never succeeds, as the profile promises it. */
export interface ExpectedAttempt {
  /** 1-based attempt number. */
  attempt: number
  /** Cycle of the interval that precedes it; 0 for the first attempt. */
  cycle: number
  /** Position of that interval in its cycle; 0 for the first attempt. */
  indexInCycle: number
  /** Interval before this attempt, ms at scale 1 (nominal value; null for the first attempt). */
  intervalMs: number | null
  /** Allowed range of that interval under jitter, ms (null for the first attempt). */
  intervalRangeMs: [number, number] | null
  /** Sum of the nominal intervals before it, ms: its start time if every attempt took no time. */
  offsetMs: number
}

/** The most retries a schedule may hold (a longer one is almost surely a mistake, and would not be judged in time). */
export const MAX_SCHEDULE_RETRIES = 10_000

/** One retry of the schedule: its interval before jitter, where it sits, and the range jitter allows. */
interface Step {
  ms: number
  cycle: number
  index: number
  range: [number, number]
}

/** The range jitter allows around an interval d, ms. */
function jitterRange(profile: RetryProfile, d: number, retry: number): [number, number] {
  const s = profile.schedule
  if (retry === 1 && s.firstIntervalExact) return [d, d]
  switch (s.jitter ?? 'none') {
    case 'none':
      return [d, d]
    case 'full':
      return [0, d]
    case 'equal':
      return [d / 2, d]
    case 'proportional': {
      const r = s.jitterRatio ?? 0
      return [d * (1 - r), d * (1 + r)]
    }
    case 'additive':
      return [d, d + (s.jitterMs ?? 0)]
  }
}

/** The intervals before jitter and before any time limit, in order (at most MAX_SCHEDULE_RETRIES x 2). */
function rawSteps(profile: RetryProfile): Step[] {
  const cached = rawCache.get(profile)
  if (cached) return cached
  const out: Step[] = []
  const s = profile.schedule
  const push = (ms: number, cycle: number, index: number): void => {
    out.push({ ms, cycle, index, range: jitterRange(profile, ms, out.length + 1) })
  }
  if (s.kind === 'table') {
    s.cycles.forEach((cycle, c) => cycle.forEach((ms, i) => push(ms, c + 1, i + 1)))
  } else {
    const n = Math.min(s.maxRetries ?? Infinity, 2 * MAX_SCHEDULE_RETRIES)
    for (let i = 0; i < n; i++) push(Math.min(s.initialMs * s.multiplier ** i, s.maxMs), 1, i + 1)
  }
  rawCache.set(profile, out)
  return out
}
const rawCache = new WeakMap<RetryProfile, Step[]>()

/**
 * The schedule as the judges expect it: the raw steps cut by the profile's time limit, reckoned on
 * nominal intervals (attempts taking no time). With jitter the moment the limit falls is uncertain,
 * so every interval's range also covers being cut short by it.
 */
function steps(profile: RetryProfile): Step[] {
  const cached = stepCache.get(profile)
  if (cached) return cached
  const raw = rawSteps(profile)
  const limit = profile.giveUpAfter
  let out: Step[] = raw
  if (limit) {
    out = []
    let offset = 0
    let offLo = 0
    let offHi = 0
    for (const st of raw) {
      const left = limit.ms - offset
      if (left <= 0) break
      const range: [number, number] = [Math.max(0, Math.min(st.range[0], limit.ms - offHi)), Math.max(0, Math.min(st.range[1], limit.ms - offLo))]
      if (st.ms >= left) {
        if (limit.lastRetry === 'at-deadline') out.push({ ...st, ms: left, range: [Math.min(range[0], left), Math.max(range[1], left)] })
        break
      }
      out.push({ ...st, range })
      offset += st.ms
      offLo += range[0]
      offHi += range[1]
    }
  }
  stepCache.set(profile, out)
  return out
}
const stepCache = new WeakMap<RetryProfile, Step[]>()

/**
 * Number of retries the profile's schedule holds as judged (nominal intervals, time limit applied);
 * parseProfile rejects a schedule longer than MAX_SCHEDULE_RETRIES.
 */
export function scheduledRetries(profile: RetryProfile): number {
  return steps(profile).length
}

/**
 * The interval jitter allows after attempt `failedAttempts` failed, as [min, max] ms at scale 1;
 * null when the delivery is dropped instead. Without jitter min = max = the table value.
 */
export function intervalRange(profile: RetryProfile, failedAttempts: number): [number, number] | null {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) return null
  const st = steps(profile)[failedAttempts - 1]
  return st ? [...st.range] : null
}

/** Draws an interval in the range jitter allows around `st` (exactly `st.ms` without jitter). */
function draw(st: Step, rng: Rng): number {
  const [lo, hi] = st.range
  return lo === hi ? lo : lo + rng() * (hi - lo)
}

/**
 * What follows when attempt number `failedAttempts` (1-based: the first attempt is 1) has failed:
 * the next retry, or null when the delivery is dropped. Pure; `rng` draws the jitter (uniform in
 * [0, 1)). With a time limit (giveUpAfter), `elapsedMs` is the time since the end of the first
 * failed attempt, ms at scale 1, as the sender measured it; without it the nominal schedule decides.
 */
export function nextRetry(profile: RetryProfile, failedAttempts: number, rng: Rng = Math.random, elapsedMs?: number): NextRetry | null {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) return null
  const limit = profile.giveUpAfter
  if (!limit || elapsedMs === undefined) {
    const st = steps(profile)[failedAttempts - 1]
    return st ? { intervalMs: draw(st, rng), cycle: st.cycle, indexInCycle: st.index, attempt: failedAttempts + 1 } : null
  }
  const st = rawSteps(profile)[failedAttempts - 1]
  if (!st || elapsedMs >= limit.ms) return null
  const raw = st.range[0] === st.range[1] ? st.ms : draw(st, rng)
  const left = limit.ms - elapsedMs
  if (raw >= left && limit.lastRetry === 'none') return null
  return { intervalMs: Math.min(raw, left), cycle: st.cycle, indexInCycle: st.index, attempt: failedAttempts + 1 }
}

/** The most attempts one delivery can make: the first one plus one per interval (Wallarm: 17). */
export function maxAttempts(profile: RetryProfile): number {
  return steps(profile).length + 1
}

/** Every attempt of a delivery that never succeeds, in order, with nominal intervals and their ranges. */
export function expectedSchedule(profile: RetryProfile): ExpectedAttempt[] {
  const out: ExpectedAttempt[] = [
    { attempt: 1, cycle: 0, indexInCycle: 0, intervalMs: null, intervalRangeMs: null, offsetMs: 0 },
  ]
  let offsetMs = 0
  steps(profile).forEach((st, i) => {
    offsetMs += st.ms
    out.push({ attempt: i + 2, cycle: st.cycle, indexInCycle: st.index, intervalMs: st.ms, intervalRangeMs: [...st.range], offsetMs })
  })
  return out
}
