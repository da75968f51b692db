/**
 * A journal entry: one request that reached the receiver (or one connection that never became a
 * request, such as a failed TLS handshake). Recorded on arrival and completed when answered.
 * @see docs/design.md "Admin API"
 */
import type { AppliedFault } from '../faults/index.js'
import type { Verdict } from '../validation/index.js'

export type JournalEntryKind = 'request' | 'tls-error' | 'connection'

/** How the exchange ended. `pending` while it has not. */
export type JournalOutcome =
  | 'pending'
  | 'answered'
  | 'reset'
  | 'closed'
  | 'hung'
  | 'client-aborted'
  | 'tls-error'
  | 'stalled'
  | 'refused'

export interface JournalEvent {
  /** Event time as Fluentd computes it: seconds since the epoch (float, from ?time=, record time, or arrival). */
  time: number
  record: Record<string, unknown>
  /** The exact time when it came over the forward protocol (EventTime, integer or float), as Fluentd prints it. */
  eventTime?: { sec: number; nsec: number }
}

/** What a forward-protocol message adds to its entry (src/forward): one entry per message or chunk. */
export interface ForwardEntryInfo {
  /** Message, Forward, PackedForward or CompressedPackedForward (undefined for a message that was not read). */
  mode?: 'message' | 'forward' | 'packed' | 'compressed'
  /** Events in the message (after skip_invalid_event). */
  eventCount: number
  /** The option map's `chunk` (the delivery key of a chunk that asks for an ack). */
  chunk?: string
  /** The ack: sent, none asked, withheld, sent late or with a wrong chunk id (faults), or not sent (dropped, cut). */
  ack: 'sent' | 'none' | 'withheld' | 'late' | 'wrong' | 'not-sent'
  /** Why in_forward dropped the message (chunk_size_limit, invalid event, no record). */
  dropped?: string
}

/** What every kind of entry has. */
interface EntryBase {
  /** Monotonically increasing from 1 within a receiver. */
  id: number
  /** Wall clock ms since epoch at arrival (first byte of the request line, or the TCP connect). */
  receivedAt: number
  /** Monotonic ms at arrival (performance.now() origin of the receiver process). */
  receivedMono: number
  /** Wall clock ms when the answer was fully sent, or the connection was cut; undefined while pending. */
  endedAt?: number
  /** Monotonic ms, same meaning as endedAt. */
  endedMono?: number
  outcome: JournalOutcome
  connectionId: number
  remoteAddress: string
  remotePort: number
  tls?: { protocol?: string; cipher?: string; servername?: string; alpn?: string | false; error?: string; code?: string }
  fault?: AppliedFault
  /** Human-readable note on errors (parse error, 413 reason, TLS error text). */
  error?: string
}

/** The fields only a request has. */
interface RequestFields {
  /** Absent for in_http; `forward` for an entry of the forward listener (then `forward` is set and the HTTP fields are not). */
  protocol?: 'forward'
  forward?: ForwardEntryInfo
  /**
   * Monotonic ms when this request's TCP connection was accepted. For the first request on a
   * connection it is the best measure of when the client started the attempt (before TCP and TLS
   * setup), which is what retry-interval judges use.
   */
  connectedMono?: number
  /** 1-based position of this request on its connection (1 = the connection's first request). */
  requestOnConnection?: number
  method?: string
  /** Full request target including query string. */
  url?: string
  path?: string
  tag?: string
  httpVersion?: string
  headers?: Record<string, string | string[]>
  contentType?: string
  /** Bytes of the (decoded) body. */
  bodySize?: number
  /** The body as text (UTF-8, lossy), truncated to a bound; `bodyTruncated` says when. */
  body?: string
  bodyTruncated?: boolean
  /**
   * True when the body was JSON (not cut, not compressed, nothing dropped) and all of its records
   * are in `events`: the journal file then leaves `body` out of the line (the events carry it).
   */
  bodyInEvents?: boolean
  /** 1-based attempt number of this delivery (src/deliveries: same tag + body bytes, until a success). */
  attempt?: number
  /**
   * Which delivery this attempt belongs to: an opaque key computed once by the receiver when the
   * body has been read (the tag, a hash of the body bytes as sent, and the delivery's number). Every consumer (judges,
   * `/api/deliveries`, the page) groups attempts by it and never re-derives it.
   */
  deliveryKey?: string
  /** Events emitted to the pipeline (only when the answer is 2xx). */
  events?: JournalEvent[]
  /** Per-notification schema verdicts (when validation is on). */
  verdicts?: Verdict[]
  /** Status sent (undefined when none was sent). */
  status?: number
  /** Body of a non-2xx answer (Fluentd's text) or error detail. */
  responseBody?: string
}

/** Request-only fields, absent (always undefined) on the other kinds: reading them needs no narrowing. */
type NoRequestFields = { [K in keyof RequestFields]?: undefined }

/** One HTTP request (or bytes that were meant to be one and did not parse). */
export interface RequestEntryData extends EntryBase, RequestFields {
  kind: 'request'
}

/** A TLS handshake that failed (or that the client aborted): a delivery attempt without a request. */
export interface TlsErrorEntryData extends EntryBase, NoRequestFields {
  kind: 'tls-error'
}

/**
 * A connection that never became a request: a connection-level fault (reset, refuse, stall), a
 * handshake completed and then closed, an idle reset, or a TCP connect closed before its first
 * byte (a port probe: not an attempt).
 */
export interface ConnectionEntryData extends EntryBase, NoRequestFields {
  kind: 'connection'
  /**
   * True when the client sent not a single byte (a port probe that closed, or a silent connection
   * reset by the idle timeout): not a delivery attempt. Consumers leave these out of attempts and ratios.
   */
  noBytes?: boolean
}

/** The mutable shape of an entry, as the journal holds it. Only the journal writes to entries. */
export type JournalEntryData = RequestEntryData | TlsErrorEntryData | ConnectionEntryData

/** A request entry as consumers see it (read-only). */
export type RequestEntry = Readonly<RequestEntryData>
export type TlsErrorEntry = Readonly<TlsErrorEntryData>
export type ConnectionEntry = Readonly<ConnectionEntryData>

/** A journal entry as consumers see it: read-only, narrowed on `kind`. */
export type JournalEntry = RequestEntry | TlsErrorEntry | ConnectionEntry

/** Fields of an entry of kind K that may change after it was added. */
export type EntryFields<K extends JournalEntryKind = JournalEntryKind> = Partial<
  Omit<Extract<JournalEntryData, { kind: K }>, 'id' | 'kind' | 'receivedAt' | 'receivedMono'>
>
