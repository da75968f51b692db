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

/** Nominal interval (before jitter) after `failedAttempts` failed attempts, or null when dropped. */
function nominal(profile: RetryProfile, failedAttempts: number): { ms: number; cycle: number; index: number } | null {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) return null
  const s = profile.schedule
  switch (s.kind) {
    case 'table': {
      let k = failedAttempts - 1
      for (let c = 0; c < s.cycles.length; c++) {
        const cycle = s.cycles[c] ?? []
        if (k < cycle.length) return { ms: cycle[k] ?? 0, cycle: c + 1, index: k + 1 }
        k -= cycle.length
      }
      return null
    }
    case 'exponential': {
      const i = failedAttempts - 1
      if (i >= s.maxRetries) return null
      return { ms: Math.min(s.initialMs * s.multiplier ** i, s.maxMs), cycle: 1, index: i + 1 }
    }
  }
}

/**
 * The interval jitter allows after attempt `failedAttempts` failed, as [min, max] ms at scale 1;
 * null when the delivery is dropped instead. Without jitter min = max = the table value.
 */
export function intervalRange(profile: RetryProfile, failedAttempts: number): [number, number] | null {
  const n = nominal(profile, failedAttempts)
  if (!n) return null
  const jitter = profile.schedule.kind === 'exponential' ? profile.schedule.jitter : 'none'
  switch (jitter) {
    case 'none':
      return [n.ms, n.ms]
    case 'full':
      return [0, n.ms]
    case 'equal':
      return [n.ms / 2, n.ms]
  }
}

/**
 * What follows when attempt number `failedAttempts` (1-based: the first attempt is 1) has failed:
 * the next retry, or null when the delivery is dropped. Pure; `rng` draws the jitter (uniform in
 * [0, 1); only exponential profiles with jitter use it).
 */
export function nextRetry(profile: RetryProfile, failedAttempts: number, rng: Rng = Math.random): NextRetry | null {
  const n = nominal(profile, failedAttempts)
  if (!n) return null
  const jitter = profile.schedule.kind === 'exponential' ? profile.schedule.jitter : 'none'
  let intervalMs: number
  switch (jitter) {
    case 'none':
      intervalMs = n.ms
      break
    case 'full':
      intervalMs = rng() * n.ms
      break
    case 'equal':
      intervalMs = n.ms / 2 + (rng() * n.ms) / 2
      break
  }
  return { intervalMs, cycle: n.cycle, indexInCycle: n.index, attempt: failedAttempts + 1 }
}

/** The most attempts one delivery can make: the first one plus one per interval (Wallarm: 17). */
export function maxAttempts(profile: RetryProfile): number {
  let n = 1
  while (nominal(profile, n)) n++
  return n
}

/** Every attempt of a delivery that never succeeds, in order, with nominal intervals and their ranges. */
export function expectedSchedule(profile: RetryProfile): ExpectedAttempt[] {
  const out: ExpectedAttempt[] = [
    { attempt: 1, cycle: 0, indexInCycle: 0, intervalMs: null, intervalRangeMs: null, offsetMs: 0 },
  ]
  let offsetMs = 0
  for (let failed = 1; ; failed++) {
    const n = nominal(profile, failed)
    if (!n) break
    offsetMs += n.ms
    out.push({
      attempt: failed + 1,
      cycle: n.cycle,
      indexInCycle: n.index,
      intervalMs: n.ms,
      intervalRangeMs: intervalRange(profile, failed),
      offsetMs,
    })
  }
  return out
}
