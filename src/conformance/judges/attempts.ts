/**
 * Attempts per delivery, from the journal: requests with the same `deliveryKey` are attempts of the
 * same delivery; connection-level entries (failed or stalled TLS handshakes, connections cut before a
 * request) belong to the only delivery when there is one, and stay unattributed otherwise.
 */
import type { JournalEntry, JournalEntryKind, JournalOutcome } from '../../journal/index.js'
import { isSuccessStatus, type RetryProfile } from '../../profile/index.js'
import type { DeliverySpec, Observation } from '../types.js'

/** One attempt as the receiver saw it. */
export interface Attempt {
  entryId: number
  kind: JournalEntryKind
  /** Monotonic ms at which the attempt started: the connect of a fresh connection, else the request's arrival. */
  startMono: number
  /** Monotonic ms when the answer ended or the connection was cut (undefined while pending). */
  endMono?: number
  status?: number
  outcome: JournalOutcome
  method?: string
  /** True when the profile counts this attempt as delivered (answered with a success status). */
  succeeded: boolean
  entry: JournalEntry
}

export interface DeliveryAttempts {
  /** Index in the scenario's deliveries. */
  index: number
  spec: DeliverySpec
  attempts: Attempt[]
}

export interface GroupedAttempts {
  deliveries: DeliveryAttempts[]
  /** Attempts that match no delivery (unknown body, or connection-level with several deliveries). */
  unmatched: Attempt[]
}

/** The shape of a request body as sent. */
export type BodyShape = 'array' | 'object' | 'ndjson' | 'empty' | 'invalid'

/** Parses a body the way Fluentd's in_http would: a JSON array, a JSON object, or NDJSON lines. */
export function parseBody(body: string | undefined): { shape: BodyShape; records: unknown[] } {
  if (body === undefined || body.trim() === '') return { shape: 'empty', records: [] }
  try {
    const value: unknown = JSON.parse(body)
    if (Array.isArray(value)) return { shape: 'array', records: value }
    if (value !== null && typeof value === 'object') {
      // A single-line NDJSON body is also one JSON object; the trailing newline tells them apart.
      return { shape: body.trimEnd().includes('\n') || body.endsWith('\n') ? 'ndjson' : 'object', records: [value] }
    }
  } catch {
    // not one JSON document: try NDJSON below
  }
  const lines = body.split('\n').filter((l) => l.trim() !== '')
  try {
    const records = lines.map((l) => JSON.parse(l) as unknown)
    if (records.length > 0 && records.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
      return { shape: 'ndjson', records }
    }
  } catch {
    // not NDJSON either
  }
  return { shape: 'invalid', records: [] }
}

/** JSON with object keys sorted, so that equal values compare equal as text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** Converts a journal entry to an attempt. */
function toAttempt(profile: RetryProfile, entry: JournalEntry): Attempt {
  return {
    entryId: entry.id,
    kind: entry.kind,
    // The client started a fresh connection's first attempt when it connected, not when the request
    // arrived after the TCP and TLS setup (5-60 ms here, more under load): measure from the connect.
    startMono: entry.requestOnConnection === 1 && entry.connectedMono !== undefined ? entry.connectedMono : entry.receivedMono,
    endMono: entry.endedMono,
    status: entry.status,
    outcome: entry.outcome,
    method: entry.method,
    succeeded: entry.kind === 'request' && entry.outcome === 'answered' && entry.status !== undefined && isSuccessStatus(profile, entry.status),
    entry,
  }
}

/** Journal entries that count as attempts: every request, and connections that never became one. */
function attemptEntries(journal: readonly JournalEntry[]): JournalEntry[] {
  return journal.filter((e) => e.kind === 'request' || e.outcome !== 'closed' || e.tls?.error !== undefined)
}

/**
 * Groups the journal into attempts per delivery. A delivery is the receiver's: the attempts that
 * share a `deliveryKey` (tag + hash of the body as sent), in arrival order. Each key is matched to
 * the delivery handed to the sender once, by the first record of its first attempt.
 */
export function groupAttempts(obs: Observation, profile: RetryProfile): GroupedAttempts {
  const recordKey = (records: unknown[]): string | undefined => (records.length > 0 ? canonicalJson(records[0]) : undefined)
  const byRecord = new Map<string, number>()
  obs.handed.forEach((d, i) => {
    const k = recordKey(d.notifications)
    if (k !== undefined) byRecord.set(k, i)
  })
  const deliveries: DeliveryAttempts[] = obs.handed.map((spec, index) => ({ index, spec, attempts: [] }))
  const unmatched: Attempt[] = []
  const keyToDelivery = new Map<string, number | undefined>()
  const sorted = [...attemptEntries(obs.journal)].sort((a, b) => a.receivedMono - b.receivedMono || a.id - b.id)
  for (const entry of sorted) {
    const attempt = toAttempt(profile, entry)
    if (entry.kind !== 'request' || entry.deliveryKey === undefined) {
      // A connection-level attempt (or a request cut before its body was read) carries no key.
      if (deliveries.length === 1) deliveries[0]!.attempts.push(attempt)
      else unmatched.push(attempt)
      continue
    }
    if (!keyToDelivery.has(entry.deliveryKey)) {
      const k = recordKey(parseBody(entry.body).records)
      keyToDelivery.set(entry.deliveryKey, k === undefined ? undefined : byRecord.get(k))
    }
    const index = keyToDelivery.get(entry.deliveryKey)
    if (index === undefined) unmatched.push(attempt)
    else deliveries[index]!.attempts.push(attempt)
  }
  return { deliveries, unmatched }
}
