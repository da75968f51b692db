/**
 * What `GET /api/deliveries` serves: the journal's attempts grouped into deliveries, each attempt set
 * against the profile's schedule, and the failure ratio of the auto-disable rule. Every field is
 * computed here, once, in TypeScript; the page only draws it.
 * @see docs/design.md "Delivery rules"
 */
import type { JournalOutcome } from '../journal/index.js'

/** `ok`: a status the profile counts as success; `fail`: anything else that ended; `pending`: not ended yet. */
export type AttemptState = 'ok' | 'fail' | 'pending'

/** One attempt of a delivery, compared with the schedule. Times are wall-clock ms since the epoch. */
export interface DeliveryAttempt {
  /** The journal entry (details: `GET /api/requests/:id`). */
  entryId: number
  /** 1-based position in the delivery. */
  attempt: number
  /** Cycle of the interval before it (1 for the first attempt). */
  cycle: number
  /** 1-based position of that interval in its cycle (0 for the first attempt). */
  indexInCycle: number
  startedAt: number
  endedAt: number | null
  state: AttemptState
  status: number | null
  outcome: JournalOutcome
  /** The applied fault, explained. */
  fault: string | null
  /** Interval the profile plans before this attempt, ms, time-scaled (null for attempt 1 or beyond the schedule). */
  plannedIntervalMs: number | null
  /** The range jitter allows for it, ms, time-scaled. */
  plannedRangeMs: [number, number] | null
  /** Start of this attempt minus the end of the previous one, ms. */
  actualIntervalMs: number | null
  /** End of the previous attempt plus the planned interval. */
  expectedAt: number | null
  /** actual - planned, ms. */
  deviationMs: number | null
  /** Schema verdicts counted (null when none were made). */
  verdicts: { count: number; invalid: number; errors: number } | null
}

/** Where a delivery stands. */
export type DeliveryState =
  /** the last attempt succeeded */
  | 'delivered'
  /** the last attempt has not ended */
  | 'in-flight'
  /** failed, the schedule has another attempt due */
  | 'retrying'
  /** failed, and the next attempt is long overdue (the sender gave up or is gone) */
  | 'stopped'
  /** its only attempt failed and none followed: a one-off request (curl), not a sender that gave up */
  | 'one-off'
  /** failed, and the sender said it disabled the integration */
  | 'cancelled'
  /** every attempt of the schedule failed */
  | 'dropped'
  /** failed, and there is no profile to say what comes next */
  | 'failed'

/** An attempt the schedule expects and that has not been made. */
export interface ExpectedNext {
  attempt: number
  cycle: number
  plannedIntervalMs: number
  /** Wall-clock ms it is due at (assuming every earlier one fails at once). */
  at: number
}

export interface Delivery {
  /** Unique per delivery: the journal's delivery key and the id of its first attempt. */
  id: string
  /** The receiver's delivery key (tag + hash of the body bytes). */
  deliveryKey: string
  tag: string | null
  attempts: DeliveryAttempt[]
  state: DeliveryState
  /** The next attempt due (state `retrying`). */
  next: ExpectedNext | null
  /** The attempts after `next` that the schedule still has in the same cycle. */
  projected: ExpectedNext[]
}

/** The failure ratio the auto-disable rule judges, over its window (or every attempt without a rule). */
export interface FailureSummary {
  /** Ended attempts counted: requests, TLS errors and refused or cut connections; never port probes. */
  attempts: number
  failed: number
  /** failed / attempts, 0 when none. */
  ratio: number
  /** The rule's ratio (null without a rule). */
  threshold: number | null
  minAttempts: number
  /** Time-scaled window, ms (null: every attempt seen). */
  windowMs: number | null
  /** True when the rule would disable the integration now. */
  tripped: boolean
  /** True when the ratio is at or over the rule's line, whether or not enough attempts were made. */
  atLine: boolean
  /** Attempts still to come before the rule judges (0 once it does, or without a rule). */
  attemptsNeeded: number
}

/** The body of `GET /api/deliveries`. */
export interface DeliveriesView {
  /** Wall-clock ms the view was computed at. */
  now: number
  /** Latest deliveries, oldest first. */
  deliveries: Delivery[]
  /** Deliveries left out by `limit`. */
  omitted: number
  /** Attempts that belong to no delivery (TLS errors, cut connections, requests whose body was never read). */
  unassigned: number
  failure: FailureSummary
}
