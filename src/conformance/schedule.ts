/**
 * The schedule a profile promises, as the judges see it: one expected interval per retry, at time
 * scale 1 (pure; the runner scales). Jittered profiles give a range per interval.
 * @see docs/design.md "Delivery rules"
 */
import { expectedSchedule, type RetryProfile } from '../profile/index.js'

/** One retry interval: from the end of the failed attempt to the start of the next, ms. */
export interface ExpectedInterval {
  /** 1-based cycle (exponential profiles have one cycle). */
  cycle: number
  /** 1-based position inside the cycle. */
  position: number
  /** The profile's value, ms. */
  nominalMs: number
  /** Range allowed by jitter (equal to nominal without jitter), ms. */
  minMs: number
  maxMs: number
}

/**
 * Every retry interval of one delivery, in order; the delivery is dropped after the last one fails.
 * Derived from the sender's own `expectedSchedule`, so judges and the reference sender share one
 * reading of the profile.
 */
export function expectedIntervals(profile: RetryProfile): ExpectedInterval[] {
  return expectedSchedule(profile)
    .slice(1)
    .map((a) => {
      const nominalMs = a.intervalMs ?? 0
      const [minMs, maxMs] = a.intervalRangeMs ?? [nominalMs, nominalMs]
      return { cycle: a.cycle, position: a.indexInCycle, nominalMs, minMs, maxMs }
    })
}

/** Number of retry cycles (1 for exponential profiles). */
export function cycleCount(profile: RetryProfile): number {
  return profile.schedule.kind === 'table' ? profile.schedule.cycles.length : 1
}

/** Attempts made up to and including the end of cycle `n` (1-based) when every attempt fails. */
export function attemptsThroughCycle(profile: RetryProfile, n: number): number {
  return 1 + expectedIntervals(profile).filter((i) => i.cycle <= n).length
}
