/**
 * msgpack as in_forward reads it: Fluentd's EventTime (ext type 0: seconds and nanoseconds, two
 * big-endian uint32), `bin` read as a string as Ruby does, an unknown ext type an error; and the
 * entries of a (Compressed)PackedForward message, a stream of `[time, record]` values, gunzipped
 * within a limit and scanned with the same limits as a message.
 * @see README.md "Forward protocol"
 */
import { gunzipSync } from 'node:zlib'
import { Decoder, ExtData, ExtensionCodec } from '@msgpack/msgpack'
import { FrameError, newScan, scanFrame, type FrameLimits } from './frame-scanner.js'

/** Fluentd's EventTime: whole seconds and nanoseconds. */
export class EventTime {
  constructor(
    readonly sec: number,
    readonly nsec: number,
  ) {}
}

export const EVENT_TIME_EXT = 0

const codec = new ExtensionCodec()
codec.register({
  type: EVENT_TIME_EXT,
  encode: (value: unknown) => {
    if (!(value instanceof EventTime)) return null
    const out = new Uint8Array(8)
    const view = new DataView(out.buffer)
    view.setUint32(0, value.sec)
    view.setUint32(4, value.nsec)
    return out
  },
  decode: (data: Uint8Array) => {
    if (data.length !== 8) throw new FrameError(`EventTime of ${data.length} bytes (8 expected)`)
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
    return new EventTime(view.getUint32(0), view.getUint32(4))
  },
})

/** The codec (EventTime) for encoding in tests and tools. */
export const forwardExtensionCodec = codec

const textDecoder = new TextDecoder()

/** Replaces bin values (Uint8Array) by strings and refuses unknown ext types, as msgpack-ruby does. */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return textDecoder.decode(value)
  if (value instanceof ExtData) throw new FrameError(`unknown msgpack ext type ${value.type}`, { errorClass: 'MessagePack::UnknownExtTypeError', message: 'unexpected extension type' })
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalize(value[i])
    return value
  }
  if (value !== null && typeof value === 'object' && !(value instanceof EventTime) && !(value instanceof Date)) {
    const rec = value as Record<string, unknown>
    for (const k of Object.keys(rec)) rec[k] = normalize(rec[k])
  }
  return value
}

/**
 * Decodes one complete msgpack value (found by scanFrame). Strings and bins become strings, except,
 * with `rawEntries`, a string or bin second element of a top-level array (PackedForward's entries,
 * binary msgpack that out_forward sends as a str32): that one stays bytes.
 */
export function decodeValue(bytes: Uint8Array, rawEntries = false): unknown {
  // A fresh decoder per value: a throw mid-value must not leave state behind.
  const decoder = new Decoder({ extensionCodec: codec, rawStrings: true, mapKeyConverter: (k) => (typeof k === 'string' || typeof k === 'number' ? k : String(k)) })
  const value = decoder.decode(bytes)
  if (rawEntries && Array.isArray(value) && value[1] instanceof Uint8Array) {
    const entries = value[1]
    normalize(value)
    value[1] = entries
    return value
  }
  return normalize(value)
}

/**
 * The values of a packed entries stream (PackedForward's `entries`), each scanned first with `limits`.
 * @throws FrameError for a stream that is not whole msgpack values within the limits.
 */
export function decodeEntriesStream(bytes: Uint8Array, limits: FrameLimits): unknown[] {
  const out: unknown[] = []
  let at = 0
  while (at < bytes.length) {
    const scan = newScan(at)
    const end = scanFrame(bytes, scan, at, limits)
    if (end < 0) throw new FrameError(`truncated event at offset ${at} of the entries`)
    out.push(decodeValue(bytes.subarray(at, end)))
    at = end
  }
  return out
}

/**
 * Gunzips CompressedPackedForward entries (one or more gzip members) to at most `maxBytes`.
 * @throws FrameError when the data is not gzip or inflates beyond the limit.
 */
export function gunzipEntries(bytes: Uint8Array, maxBytes: number): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.max(1, maxBytes) })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new FrameError(`compressed entries inflate beyond the ${maxBytes}-byte limit`)
    throw new FrameError(`compressed entries are not gzip: ${(err as Error).message}`)
  }
}


/** Decodes one value keeping every string as bytes (the handshake's salts and digests). */
export function decodeRaw(bytes: Uint8Array): unknown {
  return new Decoder({ extensionCodec: codec, rawStrings: true, mapKeyConverter: (k) => (typeof k === 'string' || typeof k === 'number' ? k : String(k)) }).decode(bytes)
}
