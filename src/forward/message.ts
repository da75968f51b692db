/**
 * One decoded forward message as in_forward's on_message reads it: its mode (Message, Forward,
 * PackedForward, CompressedPackedForward), its events with their times, its option map and whether
 * it gets an ack. Follows Fluentd v1.18's code, including where it differs from the spec (README
 * "Forward protocol"): a time of 0 or nil is "now" in Message and Forward mode but kept in packed
 * modes, a Message without a record is dropped without an ack, `skip_invalid_event` acks a dropped
 * Message, and a message over `chunk_size_limit` is dropped without an ack.
 */
import { FrameError, type FrameLimits } from './frame-scanner.js'
import { formatEventTime } from './format.js'
import { decodeEntriesStream, EventTime, gunzipEntries } from './msgpack.js'

export type ForwardMode = 'message' | 'forward' | 'packed' | 'compressed'

export const FORWARD_MODES: readonly ForwardMode[] = ['message', 'forward', 'packed', 'compressed']

/** An event time as Fluentd holds it: whole seconds and nanoseconds. */
export interface EventTimeParts {
  sec: number
  nsec: number
}

export interface ForwardEvent {
  time: EventTimeParts
  record: unknown
}

export interface MessageSettings {
  skipInvalidEvent: boolean
  chunkSizeLimit?: number
  chunkSizeWarnLimit?: number
  sourceAddressKey?: string
  sourceHostnameKey?: string
  /** Limits for each event of packed entries (and the inflated size of compressed ones). */
  limits: FrameLimits
  /** Most bytes compressed entries may inflate to. */
  inflateLimit: number
}

export interface MessageContext {
  remoteAddress: string
  remoteHost: string
  /** Wall clock ms, for "now" times. */
  now: number
}

export type Interpretation =
  /** A nil message (a TCP heartbeat, in the spec's future): nothing. */
  | { kind: 'nothing' }
  /** Not an array: in_forward logs `incoming chunk is broken:` and goes on. */
  | { kind: 'broken'; warning: string }
  /** The message was read: its events (maybe none) and the chunk id to ack (undefined: no ack). */
  | { kind: 'events'; tag: string; mode: ForwardMode; events: ForwardEvent[]; option?: Record<string, unknown>; chunk?: string; dropped?: string; warnings: string[] }

/** Ruby's `Time.at(float)` split into seconds and nanoseconds (the exact binary value, truncated). */
export function floatTimeParts(t: number): EventTimeParts {
  const sec = Math.floor(t)
  const frac = t - sec
  if (frac === 0 || Math.abs(t) >= 2 ** 52) return { sec, nsec: 0 }
  // For |t| >= 1 the fraction is a multiple of 2^-52: exact in BigInt.
  const scaled = BigInt(Math.round(frac * 2 ** 52))
  return { sec, nsec: Number((scaled * 1_000_000_000n) >> 52n) }
}

function nowParts(ms: number): EventTimeParts {
  const sec = Math.floor(ms / 1000)
  return { sec, nsec: Math.round((ms - sec * 1000) * 1e6) }
}

/** Ruby's `time.to_i` for what a time may be; NaN for what has none. */
function toI(time: unknown): number {
  if (time === null || time === undefined) return 0
  if (time instanceof EventTime) return time.sec
  if (typeof time === 'number') return Math.trunc(time)
  if (typeof time === 'string') return Number.parseInt(time, 10) || 0
  return Number.NaN
}

/** An event time Fluentd can emit, or undefined when the value is none (in_forward then fails to emit). */
function timeParts(time: unknown): EventTimeParts | undefined {
  if (time instanceof EventTime) return { sec: time.sec, nsec: time.nsec }
  if (typeof time === 'number' && Number.isFinite(time)) return Number.isInteger(time) ? { sec: time, nsec: 0 } : floatTimeParts(time)
  return undefined
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof EventTime)
}

function isInvalid(tag: unknown, time: unknown, record: unknown): boolean {
  return !((typeof time === 'number' && Number.isInteger(time)) || time instanceof EventTime) || !isRecord(record) || typeof tag !== 'string'
}

function emitTime(time: unknown): EventTimeParts {
  const parts = timeParts(time)
  if (!parts) throw new FrameError(`event time ${JSON.stringify(time) ?? String(time)} is not a time`)
  return parts
}

function optionOf(v: unknown): Record<string, unknown> | undefined {
  return isRecord(v) ? v : undefined
}

function chunkOf(option: Record<string, unknown> | undefined): string | undefined {
  const c = option?.['chunk']
  if (c === undefined || c === null || c === false) return undefined
  return typeof c === 'string' ? c : String(c)
}

/** Ruby's inspect of a value in a log field, near enough: an EventTime prints as its time. */
function inspect(v: unknown): string {
  if (v instanceof EventTime) return formatEventTime(v.sec, v.nsec)
  try {
    return JSON.stringify(v) ?? String(v)
  } catch {
    return String(v)
  }
}

/**
 * Reads one message (`chunkSize` = its bytes on the wire). Throws FrameError where in_forward's
 * emit raises (a time that is none, broken packed entries): the listener then logs and closes.
 */
export function interpretMessage(msg: unknown, chunkSize: number, s: MessageSettings, ctx: MessageContext): Interpretation {
  if (msg === null || msg === undefined) return { kind: 'nothing' }
  if (!Array.isArray(msg)) return { kind: 'broken', warning: `incoming chunk is broken: host="${ctx.remoteHost}" msg=${inspect(msg)}` }
  const rawTag: unknown = msg[0]
  const entries: unknown = msg[1]
  const tag = typeof rawTag === 'string' ? rawTag : String(rawTag)
  const warnings: string[] = []
  const mode: ForwardMode = entries instanceof Uint8Array ? 'packed' : Array.isArray(entries) ? 'forward' : 'message'
  if (s.chunkSizeLimit !== undefined && chunkSize > s.chunkSizeLimit) {
    const warning = `Input chunk size is larger than 'chunk_size_limit', dropped: tag="${tag}" host="${ctx.remoteHost}" limit=${s.chunkSizeLimit} size=${chunkSize}`
    return { kind: 'events', tag, mode, events: [], dropped: 'chunk_size_limit', warnings: [warning] }
  }
  if (s.chunkSizeWarnLimit !== undefined && chunkSize > s.chunkSizeWarnLimit) {
    warnings.push(`Input chunk size is larger than 'chunk_size_warn_limit': tag="${tag}" host="${ctx.remoteHost}" limit=${s.chunkSizeWarnLimit} size=${chunkSize}`)
  }
  const now = nowParts(ctx.now)
  const events: ForwardEvent[] = []
  const skip = (time: unknown, record: unknown): boolean => {
    if (!s.skipInvalidEvent || !isInvalid(rawTag, time, record)) return false
    warnings.push(`skip invalid event: host="${ctx.remoteHost}" tag=${inspect(rawTag)} time=${inspect(time)} record=${inspect(record)}`)
    return true
  }
  let option: Record<string, unknown> | undefined
  let finalMode: ForwardMode = mode
  if (entries instanceof Uint8Array) {
    option = optionOf(msg[2])
    let bytes = entries
    if (option?.['compressed'] === 'gzip') {
      finalMode = 'compressed'
      bytes = gunzipEntries(entries, s.inflateLimit)
    }
    for (const e of decodeEntriesStream(bytes, s.limits)) {
      const pair = Array.isArray(e) ? e : []
      if (skip(pair[0], pair[1])) continue
      events.push({ time: emitTime(pair[0]), record: pair[1] })
    }
  } else if (Array.isArray(entries)) {
    for (const e of entries) {
      const pair = Array.isArray(e) ? e : []
      if (s.skipInvalidEvent) {
        if (skip(pair[0], pair[1])) continue
      } else if (pair[1] === null || pair[1] === undefined) continue
      const time = pair[0] === null || pair[0] === undefined || toI(pair[0]) === 0 ? now : emitTime(pair[0])
      events.push({ time, record: pair[1] })
    }
    option = optionOf(msg[2])
  } else {
    const time: unknown = msg[1]
    const record: unknown = msg[2]
    option = optionOf(msg[3])
    if (s.skipInvalidEvent && isInvalid(rawTag, time, record)) {
      warnings.push(`got invalid event and drop it: host="${ctx.remoteHost}" tag=${inspect(rawTag)} time=${inspect(time)} record=${inspect(record)}`)
      return { kind: 'events', tag, mode, events: [], option, chunk: chunkOf(option), dropped: 'invalid event', warnings }
    }
    if (record === null || record === undefined) return { kind: 'events', tag, mode, events: [], option, dropped: 'no record', warnings }
    events.push({ time: toI(time) === 0 ? now : emitTime(time), record })
  }
  if (s.sourceAddressKey !== undefined || s.sourceHostnameKey !== undefined) {
    for (const ev of events) {
      if (!isRecord(ev.record)) continue
      if (s.sourceAddressKey !== undefined) ev.record[s.sourceAddressKey] = ctx.remoteAddress
      if (s.sourceHostnameKey !== undefined) ev.record[s.sourceHostnameKey] = ctx.remoteHost
    }
  }
  return { kind: 'events', tag, mode: finalMode, events, option, chunk: chunkOf(option), warnings }
}
