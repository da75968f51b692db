/**
 * What a story should look like in time, from the profile alone: its retry cycles (the ready event
 * shows them at the story's time scale) and the story's rough length.
 */
import { expectedSchedule, type RetryProfile } from '../profile/index.js'
import type { DemoScenario } from './scenarios.js'

/** Rough length of a story: the intervals it goes through plus the timeouts it waits out, ms (scaled). */
export function expectedDuration(scenario: DemoScenario, profile: RetryProfile, timeScale: number): number {
  const schedule = expectedSchedule(profile)
  const offset = (attempt: number): number => schedule[Math.min(attempt, schedule.length) - 1]?.offsetMs ?? 0
  let ms: number
  switch (scenario.ending) {
    case 'dropped':
      ms = offset(schedule.length)
      break
    case 'delivered':
      // recovery and timeout both succeed on the 4th attempt; timeout also waits 3 request timeouts.
      ms = offset(4) + (scenario.name === 'timeout' ? 3 * profile.requestTimeoutMs : 0)
      break
    case 'disabled': {
      const rule = profile.autoDisable
      const perDelivery = rule ? Math.ceil(rule.minAttempts / scenario.deliveries) : schedule.length
      ms = offset(perDelivery) + scenario.staggerMs * (scenario.deliveries - 1)
      break
    }
  }
  return ms * timeScale
}

/** The profile's retry intervals grouped by cycle, ms at scale 1. */
export function profileCycles(profile: RetryProfile): number[][] {
  const out: number[][] = []
  for (const a of expectedSchedule(profile)) {
    if (a.cycle === 0 || a.intervalMs === null) continue
    ;(out[a.cycle - 1] ??= []).push(a.intervalMs)
  }
  return out
}
