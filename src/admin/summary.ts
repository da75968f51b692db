/**
 * What the SSE stream and `GET /api/requests?view=summary` carry for one journal entry: the fields a
 * list row needs, a few hundred bytes whatever the request held. Body, headers, events and verdict
 * details are fetched on demand from `GET /api/requests/:id`.
 */
import { attemptState, type AttemptState } from '../deliveries/index.js'
import type { JournalEntry } from '../journal/index.js'

/** Longest `error` text in a summary (the full text is in the entry). */
export const SUMMARY_ERROR_MAX = 200

export interface EntrySummary {
  id: number
  kind: JournalEntry['kind']
  outcome: JournalEntry['outcome']
  /** `ok`: answered 2xx; `fail`: ended otherwise; `pending`: not ended (delivery states with the profile: /api/deliveries). */
  state: AttemptState
  receivedAt: number
  endedAt?: number
  tag?: string
  /** `forward` for the forward listener's entries (absent for in_http). */
  protocol?: 'forward'
  /** Forward entries: the mode and what became of the ack. */
  forward?: { mode?: string; ack: string; eventCount: number }
  method?: string
  status?: number
  attempt?: number
  deliveryKey?: string
  bodySize?: number
  /** The applied fault, explained. */
  fault?: string
  /** Schema verdicts counted: notifications judged, how many invalid, errors in all. */
  verdicts?: { count: number; invalid: number; errors: number }
  /** The entry's error note, cut to SUMMARY_ERROR_MAX characters. */
  error?: string
}

/** The summary of `entry` (a new object; the entry is not changed). */
export function summarize(entry: Readonly<JournalEntry>): EntrySummary {
  const s: EntrySummary = { id: entry.id, kind: entry.kind, outcome: entry.outcome, state: attemptState(entry, null), receivedAt: entry.receivedAt }
  if (entry.endedAt !== undefined) s.endedAt = entry.endedAt
  const fault = 'fault' in entry ? entry.fault : undefined
  if (fault !== undefined) s.fault = fault.explain
  const error = 'error' in entry ? entry.error : undefined
  if (error !== undefined) s.error = error.length > SUMMARY_ERROR_MAX ? `${error.slice(0, SUMMARY_ERROR_MAX)}…` : error
  if (entry.kind !== 'request') return s
  if (entry.tag !== undefined) s.tag = entry.tag
  if (entry.forward !== undefined) {
    s.protocol = 'forward'
    s.forward = { mode: entry.forward.mode, ack: entry.forward.ack, eventCount: entry.forward.eventCount }
  }
  if (entry.method !== undefined) s.method = entry.method
  if (entry.status !== undefined) s.status = entry.status
  if (entry.attempt !== undefined) s.attempt = entry.attempt
  if (entry.deliveryKey !== undefined) s.deliveryKey = entry.deliveryKey
  if (entry.bodySize !== undefined) s.bodySize = entry.bodySize
  if (entry.verdicts !== undefined) {
    let invalid = 0
    let errors = 0
    for (const v of entry.verdicts) {
      if (!v.valid) invalid++
      errors += v.errors.length
    }
    s.verdicts = { count: entry.verdicts.length, invalid, errors }
  }
  return s
}
