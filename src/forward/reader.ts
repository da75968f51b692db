/**
 * The bytes of one connection cut into messages: buffered for one message at a time, framed by the
 * msgpack frame scanner, or, when the connection's first byte is `{` or `[`, as JSON values
 * (in_forward reads those with Yajl and answers in JSON). Both are bounded by the same limits.
 */
import { FrameError, newScan, scanFrame, type FrameLimits, type FrameScan } from './frame-scanner.js'

export type WireFormat = 'msgpack' | 'json'

/** Growable byte buffer: data appended, a complete message taken from the front. */
class ByteQueue {
  buf = Buffer.alloc(0)
  len = 0
  push(data: Buffer): void {
    if (this.len + data.length > this.buf.length) {
      const next = Buffer.alloc(Math.max(this.len + data.length, this.buf.length * 2, 4096))
      this.buf.copy(next, 0, 0, this.len)
      this.buf = next
    }
    data.copy(this.buf, this.len)
    this.len += data.length
  }
  view(): Buffer {
    return this.buf.subarray(0, this.len)
  }
  /** Removes the first n bytes; returns a copy of them. */
  take(n: number): Buffer {
    const out = Buffer.from(this.buf.subarray(0, n))
    this.buf.copy(this.buf, 0, n, this.len)
    this.len -= n
    return out
  }
}

interface JsonScan {
  pos: number
  depth: number
  inString: boolean
  escape: boolean
  started: boolean
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d])

/** Where the JSON array or object at the front of `buf` ends (after leading whitespace), or -1. */
function scanJson(buf: Buffer, s: JsonScan, limits: FrameLimits): number {
  for (; s.pos < buf.length; s.pos++) {
    const b = buf[s.pos]!
    if (!s.started) {
      if (WS.has(b)) continue
      if (b !== 0x7b && b !== 0x5b) throw new FrameError(`JSON value at offset ${s.pos} is not an array or object`, { errorClass: 'Yajl::ParseError', message: 'lexical error: invalid char in json text.' })
      s.started = true
    }
    if (s.pos + 1 > limits.maxBytes) throw new FrameError(`message longer than the ${limits.maxBytes}-byte limit`)
    if (s.inString) {
      if (s.escape) s.escape = false
      else if (b === 0x5c) s.escape = true
      else if (b === 0x22) s.inString = false
      continue
    }
    if (b === 0x22) s.inString = true
    else if (b === 0x7b || b === 0x5b) {
      if (++s.depth > limits.maxDepth) throw new FrameError(`nested deeper than ${limits.maxDepth} levels`)
    } else if (b === 0x7d || b === 0x5d) {
      if (--s.depth === 0) return ++s.pos
    }
  }
  return -1
}

export interface MessageReader {
  /** Decided by the first byte of the connection. */
  readonly format: WireFormat | undefined
  /** Bytes of an incomplete message held. */
  readonly held: number
  push(data: Buffer): void
  /** The next complete message, or undefined. @throws FrameError for bytes beyond the limits or unreadable. */
  next(): Buffer | undefined
}

/** `json`: whether a first byte of `{`/`[` switches the connection to JSON (not under a handshake). */
export function createReader(limits: FrameLimits, json: boolean): MessageReader {
  const queue = new ByteQueue()
  let format: WireFormat | undefined
  let scan: FrameScan = newScan()
  const fresh = (): JsonScan => ({ pos: 0, depth: 0, inString: false, escape: false, started: false })
  let jscan = fresh()
  return {
    get format() {
      return format
    },
    get held() {
      return queue.len
    },
    push(data) {
      if (format === undefined && data.length > 0) format = json && (data[0] === 0x7b || data[0] === 0x5b) ? 'json' : 'msgpack'
      queue.push(data)
    },
    next() {
      if (queue.len === 0) return undefined
      const end = format === 'json' ? scanJson(queue.view(), jscan, limits) : scanFrame(queue.view(), scan, 0, limits)
      if (end < 0) return undefined
      scan = newScan()
      jscan = fresh()
      return queue.take(end)
    },
  }
}
