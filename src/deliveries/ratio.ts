/**
 * The failure ratio of the auto-disable rule, from the journal: the profile's DisableWindow is fed
 * every ended attempt at its end time and asked at `now`, so the page's gauge judges exactly as the
 * sender does (window edge, minimum attempts, the inclusive ratio).
 * @see docs/design.md "Delivery rules" (auto-disable)
 */
import { systemClock, type Clock } from '../clock/index.js'
import type { JournalEntry } from '../journal/index.js'
import { DisableWindow } from '../profile/index.js'
import { attemptState } from './attempts.js'
import type { DeliveriesOptions } from './deliveries.js'
import type { FailureSummary } from './types.js'

/** Window as wide as any journal: without a rule every attempt seen counts. */
const EVERYTHING_MS = Number.MAX_SAFE_INTEGER

/** The summary over `attempts` (journal entries that are attempts, see isAttempt). */
export function failureSummary(attempts: readonly Readonly<JournalEntry>[], options: DeliveriesOptions): FailureSummary {
  const rule = options.profile?.autoDisable ?? null
  let t = 0
  // DisableWindow reads only now(); the rest of the clock is the system's, unused here.
  const clock: Clock = { ...systemClock, now: () => t }
  const scaled = rule ? { ...rule, windowMs: rule.windowMs * options.timeScale } : { windowMs: EVERYTHING_MS, failureRatio: 1, minAttempts: 1 }
  const window = new DisableWindow(scaled, clock)
  // The same rule without its minimum: is the ratio at or over the line already?
  const line = new DisableWindow({ ...scaled, minAttempts: 1 }, clock)
  const ended = attempts
    .filter((e) => e.outcome !== 'pending')
    .map((e) => ({ at: e.endedAt ?? e.receivedAt, ok: attemptState(e, options.profile) === 'ok' }))
    .sort((a, b) => a.at - b.at)
  for (const a of ended) {
    t = a.at
    window.record(a.ok)
    line.record(a.ok)
  }
  t = Math.max(t, options.now)
  const stats = window.stats()
  return {
    attempts: stats.attempts,
    failed: stats.failed,
    ratio: stats.failureRatio,
    threshold: rule ? rule.failureRatio : null,
    minAttempts: rule ? rule.minAttempts : 0,
    windowMs: rule ? rule.windowMs * options.timeScale : null,
    tripped: rule ? window.shouldDisable() : false,
    atLine: rule ? line.shouldDisable() : false,
    attemptsNeeded: rule ? Math.max(0, rule.minAttempts - stats.attempts) : 0,
  }
}
