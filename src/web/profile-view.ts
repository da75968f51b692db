/**
 * The read-only JSON behind `GET /api/profile`: the retry profile the page compares attempts with,
 * already multiplied by the time scale, so the browser never does schedule arithmetic of its own
 * beyond adding intervals to observed times.
 */
import { expectedSchedule, maxAttempts, type RetryProfile } from '../profile/index.js'

/** The expected schedule as the page reads it. Every duration is in ms, already time-scaled. */
export interface ProfileView {
  name: string
  description?: string
  /** The factor every interval, timeout and window was multiplied by (1 = real time). */
  timeScale: number
  /**
   * Retry intervals per cycle, scaled: attempt 1 is the first try, and each interval precedes one
   * more attempt. An exponential profile is shown as a single cycle of its nominal (jitter-free) intervals.
   */
  cycles: number[][]
  /** True when the intervals are drawn at random around the nominal ones (exponential with jitter). */
  jittered: boolean
  /** Most attempts one delivery can make: 1 + every interval. */
  maxAttempts: number
  requestTimeoutMs: number
  connectTimeoutMs: number
  successStatus: Array<[number, number]>
  autoDisable: { windowMs: number; failureRatio: number; minAttempts: number } | null
}

/** Builds the page's view of `profile` at `timeScale` (a positive factor; 1 = real time). */
export function profileView(profile: RetryProfile, timeScale = 1): ProfileView {
  const scale = (ms: number): number => ms * timeScale
  const schedule = profile.schedule
  let cycles: number[][]
  let jittered = false
  switch (schedule.kind) {
    case 'table':
      cycles = schedule.cycles.map((cycle) => cycle.map(scale))
      break
    case 'exponential':
      cycles = [expectedSchedule(profile).slice(1).map((a) => scale(a.intervalMs ?? 0))]
      jittered = schedule.jitter !== 'none'
      break
  }
  const view: ProfileView = {
    name: profile.name,
    timeScale,
    cycles,
    jittered,
    maxAttempts: maxAttempts(profile),
    requestTimeoutMs: scale(profile.requestTimeoutMs),
    connectTimeoutMs: scale(profile.connectTimeoutMs),
    successStatus: profile.successStatus.map(([lo, hi]) => [lo, hi]),
    autoDisable: profile.autoDisable
      ? {
          windowMs: scale(profile.autoDisable.windowMs),
          failureRatio: profile.autoDisable.failureRatio,
          minAttempts: profile.autoDisable.minAttempts,
        }
      : null,
  }
  if (profile.description !== undefined) view.description = profile.description
  return view
}
