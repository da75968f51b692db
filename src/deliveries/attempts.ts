/**
 * Which journal entries are delivery attempts, and how each one ended under the profile.
 * @see docs/design.md "Delivery rules"
 */
import type { JournalEntry } from '../journal/index.js'
import { isSuccessStatus, type RetryProfile } from '../profile/index.js'
import type { AttemptState } from './types.js'

/** A request entry (narrowed on `kind`, whatever the shape of the other kinds). */
export type RequestEntry = Readonly<JournalEntry> & { kind: 'request' }

/** True for a request entry. */
export function isRequestEntry(entry: Readonly<JournalEntry>): entry is RequestEntry {
  return entry.kind === 'request'
}

/** True when the entry is a delivery attempt (a port probe and a connection still open are not). */
export function isAttempt(entry: Readonly<JournalEntry>): boolean {
  if (entry.kind === 'request' || entry.kind === 'tls-error') return true
  if (entry.outcome === 'pending') return false
  // A connection that closed before its first byte (a port probe) is no delivery attempt; one cut
  // by a fault, stalled, or closed after its handshake is.
  return entry.noBytes !== true
}

/** ok / fail / pending of one attempt under `profile` (2xx without a profile). */
export function attemptState(entry: Readonly<JournalEntry>, profile: RetryProfile | null): AttemptState {
  if (entry.outcome === 'pending') return 'pending'
  // A forward message is delivered when it was read and acked (or no ack was asked, or acked late).
  if (entry.kind === 'request' && entry.forward !== undefined) {
    return entry.outcome === 'answered' && ['sent', 'none', 'late'].includes(entry.forward.ack) && entry.forward.dropped === undefined ? 'ok' : 'fail'
  }
  // Only a request gets an answer; a connection-level entry that ended is a failed attempt.
  if (entry.kind !== 'request' || entry.outcome !== 'answered' || entry.status === undefined) return 'fail'
  const ok = profile ? isSuccessStatus(profile, entry.status) : entry.status >= 200 && entry.status <= 299
  return ok ? 'ok' : 'fail'
}

