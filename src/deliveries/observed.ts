/**
 * Attempts as the conformance judges read them: the same attempts (isAttempt), the same outcome
 * (attemptState) and the same deliveries (the receiver's `deliveryKey`) as the page and
 * `/api/deliveries`, with the monotonic times intervals are measured on.
 * @see docs/design.md "Delivery rules"
 */
import type { JournalEntry, JournalEntryKind, JournalOutcome } from '../journal/index.js'
import type { RetryProfile } from '../profile/index.js'
import { attemptState, isAttempt } from './attempts.js'
import type { AttemptState } from './types.js'

/** One attempt as the receiver saw it, on the monotonic clock. */
export interface Attempt {
  entryId: number
  kind: JournalEntryKind
  /** Monotonic ms the attempt started: the connect of a fresh connection, else the request's arrival. */
  startMono: number
  /** Monotonic ms the answer ended or the connection was cut (undefined while pending). */
  endMono?: number
  status?: number
  outcome: JournalOutcome
  method?: string
  state: AttemptState
  /** True when the profile counts it as delivered (state ok). */
  succeeded: boolean
  /** The receiver's delivery (undefined: an attempt without a request body, e.g. a failed handshake). */
  deliveryKey?: string
  /** Its attempt number in that delivery, as the receiver counted it. */
  attempt?: number
  entry: JournalEntry
}

/** The attempt of one journal entry (that isAttempt says is one), judged by `profile`'s success rule. */
export function attemptOf(entry: JournalEntry, profile: RetryProfile | null): Attempt {
  const state = attemptState(entry, profile)
  return {
    entryId: entry.id,
    kind: entry.kind,
    // The client started a fresh connection's first attempt when it connected, not when the request
    // arrived after the TCP and TLS setup (5-60 ms here, more under load): measured from the connect.
    startMono: entry.requestOnConnection === 1 && entry.connectedMono !== undefined ? entry.connectedMono : entry.receivedMono,
    endMono: entry.endedMono,
    status: entry.status,
    outcome: entry.outcome,
    method: entry.method,
    state,
    succeeded: state === 'ok',
    deliveryKey: entry.deliveryKey,
    attempt: entry.attempt,
    entry,
  }
}

/** Every attempt in the journal, in the order they started (monotonic, then id). */
export function attemptsOf(entries: readonly JournalEntry[], profile: RetryProfile | null): Attempt[] {
  return entries
    .filter(isAttempt)
    .map((e) => attemptOf(e, profile))
    .sort((a, b) => a.entry.receivedMono - b.entry.receivedMono || a.entryId - b.entryId)
}

/** Attempts grouped by the receiver's delivery (in order of each one's first attempt), and those without one. */
export function attemptsByDelivery(attempts: readonly Attempt[]): { deliveries: Map<string, Attempt[]>; unassigned: Attempt[] } {
  const deliveries = new Map<string, Attempt[]>()
  const unassigned: Attempt[] = []
  for (const a of attempts) {
    if (a.deliveryKey === undefined) {
      unassigned.push(a)
      continue
    }
    const list = deliveries.get(a.deliveryKey)
    if (list) list.push(a)
    else deliveries.set(a.deliveryKey, [a])
  }
  return { deliveries, unassigned }
}
