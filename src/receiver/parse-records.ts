/**
 * Records out of JSON and NDJSON text (msgpack: parse-msgpack.ts), as in_http takes them (an object is one record, an
 * array a batch of them, anything else is dropped), with two bounds that keep one body from stalling
 * or exhausting the server: at most `max` records (array elements, NDJSON lines, msgpack values) per
 * request, and large texts taken apart in slices that yield to the event loop between them.
 * Bodies up to SYNC_PARSE_MAX are parsed in one call, exactly as before.
 * @see README.md "Limits"
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises'

/**
 * Deepest nesting of a record we accept. JSON.parse takes 100k levels, but every consumer after it
 * (the journal file line, the stdout printer, SSE, the admin API) recurses and would throw a
 * RangeError; such a record is dropped like invalid JSON (200 and nothing emitted, 400 with
 * --strict-parse). Real notifications are under 10 levels deep.
 */
export const MAX_RECORD_DEPTH = 1000

/** Records (array elements, NDJSON lines, msgpack values) accepted in one request by default (`--max-records`). */
export const DEFAULT_MAX_RECORDS = 10_000

/**
 * Largest single record (one array element, NDJSON line or body value, as text or msgpack bytes) by
 * default (`--max-record-size`), 1 MiB: real notifications are a few KiB. It bounds every call that
 * handles one record at once (JSON.parse, the journal line, the printer, the admin API): a 32 MB
 * `{"a":[1,1,...]}` took 0.6 s to parse and 0.13 s to write to the journal, stalling every client.
 */
export const DEFAULT_MAX_RECORD_SIZE = 1024 * 1024

/** Bodies (JSON texts, msgpack) up to this many bytes are parsed in one call, exactly as before. */
export const SYNC_PARSE_MAX = 64 * 1024

/** Bytes scanned and parsed between two yields to the event loop (about 1-5 ms of work on a loaded 2-core machine). */
const SLICE_BYTES = 64 * 1024

/** Dropped items listed one by one; beyond, one summary line counts the rest. */
export const MAX_DROPPED_LISTED = 10

/** Where records go; `refused` is set (and collection stops) once more than `max` records or one larger than `maxRecordSize` were seen. */
export interface RecordSink {
  records: Record<string, unknown>[]
  dropped: string[]
  /** Dropped items not listed in `dropped` (beyond MAX_DROPPED_LISTED). */
  droppedUnlisted: number
  /** Records seen so far, kept or dropped. */
  seen: number
  max: number
  maxRecordSize: number
  /** Most nesting levels of a record (`--max-record-depth`); deeper values are dropped. */
  maxDepth: number
  /** Why the request is refused (413), for the journal. */
  refused?: string
  /** Set when the body is malformed in a way Fluentd answers 400 to (msgpack's `invalid byte`). */
  malformed?: { message: string; errorClass: string }
}

export function newSink(max: number, maxRecordSize: number, maxDepth = MAX_RECORD_DEPTH): RecordSink {
  return { records: [], dropped: [], droppedUnlisted: 0, seen: 0, max, maxRecordSize, maxDepth }
}

export function refuseSize(sink: RecordSink, size: number): void {
  sink.refused ??= `a record of ${size} bytes is larger than ${sink.maxRecordSize} bytes (--max-record-size)`
}

/** A record whose JSON (what the journal, the printer and the admin API write) is over the record size limit. */
export function refuseJsonSize(sink: RecordSink): void {
  sink.refused ??= `a record whose JSON is larger than ${sink.maxRecordSize} bytes (--max-record-size)`
}

export function drop(sink: RecordSink, why: string): void {
  if (sink.dropped.length < MAX_DROPPED_LISTED) sink.dropped.push(why)
  else sink.droppedUnlisted++
}

/** The dropped list for answers and the journal: the listed items plus one line counting the rest. */
export function droppedList(sink: RecordSink): string[] {
  return sink.droppedUnlisted === 0 ? sink.dropped : [...sink.dropped, `and ${sink.droppedUnlisted} more dropped`]
}

/** Counts `n` more records; false (and `refused` set) once over the cap. */
export function count(sink: RecordSink, n: number): boolean {
  sink.seen += n
  if (sink.seen > sink.max) sink.refused ??= `more than ${sink.max} records in one request (--max-records)`
  return sink.refused === undefined
}

/**
 * Cheap necessary condition for nesting deeper than `max`: more than `max` opening brackets in the
 * source. Native indexOf scans, no allocation; real notifications stop here.
 */
function hasMoreOpeningsThan(source: string | Buffer, max: number): boolean {
  let n = 0
  for (const c of ['{', '['] as const) {
    for (let i = source.indexOf(c); i >= 0; i = source.indexOf(c, i + 1)) if (++n > max) return true
  }
  return false
}

/** True when `value` nests arrays/objects deeper than `max` levels (iterative: no stack use). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]]
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!
    if (typeof v !== 'object' || v === null) continue
    if (depth > max) return true
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1])
    }
  }
  return false
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  return typeof v
}

export function takeElement(el: unknown, sink: RecordSink): void {
  if (isPlainObject(el)) sink.records.push(el)
  else drop(sink, `non-object array element (${describe(el)})`)
}

/**
 * Collects records from one parsed value: object → 1, array → each object element. `mayBeDeep` says
 * whether the source could nest deeper than the sink's maxDepth (checked cheaply by the caller), so the
 * hot path (ordinary notifications) never walks the value.
 */
export function collect(value: unknown, sink: RecordSink, mayBeDeep: boolean): void {
  // An empty array counts as one: 30 million `[]` must not cost seconds uncounted.
  if (!count(sink, Array.isArray(value) ? Math.max(1, value.length) : 1)) return
  if (mayBeDeep && nestedDeeperThan(value, sink.maxDepth)) {
    drop(sink, `value nested deeper than ${sink.maxDepth} levels`)
    return
  }
  if (Array.isArray(value)) for (const el of value) takeElement(el, sink)
  else if (isPlainObject(value)) sink.records.push(value)
  else drop(sink, `non-object JSON value (${describe(value)})`)
}

function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

type ArrayScan = { ok: true; elements: unknown[]; tooDeep: boolean } | { ok: false; message: string } | { ok: false; tooMany: true } | { ok: false; tooLarge: number }

/** Length of bytes[start, end) without the JSON whitespace around it. */
function trimmedLength(bytes: Buffer, start: number, end: number): number {
  while (start < end && isJsonSpace(bytes[start]!)) start++
  while (end > start && isJsonSpace(bytes[end - 1]!)) end--
  return end - start
}

/**
 * Takes a JSON array apart element by element, on the bytes (no string of the whole body is ever
 * made; UTF-8 never uses ASCII bytes inside a multi-byte character, so the delimiters are found
 * exactly): each element's extent is found by a scan that tracks strings and bracket depth, then
 * JSON.parse checks and builds it. The body is valid JSON exactly when every element parses and only
 * whitespace follows the closing bracket, so the result is the same as one JSON.parse (only the error
 * message differs). Stops at `max` elements, or at an element larger than `maxElement` bytes.
 */
async function scanJsonArray(bytes: Buffer, open: number, max: number, maxElement: number, maxDepth: number): Promise<ArrayScan> {
  const n = bytes.length
  const elements: unknown[] = []
  let tooDeep = false
  let i = open + 1
  let sliceStart = i
  while (i < n && isJsonSpace(bytes[i]!)) i++
  let closed = bytes[i] === 0x5d
  if (closed) i++
  while (!closed) {
    const start = i
    let depth = 0
    let end = -1
    for (; i < n; i++) {
      const c = bytes[i]!
      if (c === 0x22) {
        for (i++; i < n; i++) {
          const s = bytes[i]!
          if (s === 0x5c) i++
          else if (s === 0x22) break
        }
      } else if (c === 0x7b || c === 0x5b) depth++
      else if (c === 0x7d || c === 0x5d) {
        if (depth === 0) {
          end = i
          break
        }
        depth--
      } else if (c === 0x2c && depth === 0) {
        end = i
        break
      }
    }
    if (end < 0) return { ok: false, message: 'Unexpected end of JSON input' }
    if (elements.length >= max) return { ok: false, tooMany: true }
    if (end - start > maxElement && trimmedLength(bytes, start, end) > maxElement) return { ok: false, tooLarge: trimmedLength(bytes, start, end) }
    const text = bytes.toString('utf8', start, end)
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      return { ok: false, message: `${(err as Error).message} (in array element ${elements.length})` }
    }
    if (!tooDeep && text.length >= maxDepth && hasMoreOpeningsThan(text, maxDepth - 1)) {
      tooDeep = nestedDeeperThan(value, maxDepth - 1)
    }
    elements.push(value)
    closed = bytes[end] === 0x5d
    i = end + 1
    if (i - sliceStart >= SLICE_BYTES) {
      await yieldToLoop()
      sliceStart = i
    }
  }
  for (; i < n; i++) if (!isJsonSpace(bytes[i]!)) return { ok: false, message: `Unexpected non-whitespace character after JSON at byte ${i}` }
  return { ok: true, elements, tooDeep }
}

/**
 * Parses one JSON text (a body, a form field or an NDJSON line, as UTF-8 bytes) into the sink. `what`
 * names it in drops; `known`: the bytes already decoded (the journal's body text), not decoded twice.
 */
export async function parseJsonBytes(bytes: Buffer, sink: RecordSink, what: string, known?: string): Promise<void> {
  let open = 0
  while (open < bytes.length && isJsonSpace(bytes[open]!)) open++
  const large = bytes.length > Math.min(SYNC_PARSE_MAX, sink.maxRecordSize)
  if (large && bytes[open] !== 0x5b) {
    const size = trimmedLength(bytes, open, bytes.length)
    if (size > sink.maxRecordSize) return refuseSize(sink, size)
  }
  if (large && bytes[open] === 0x5b) {
    const scan = await scanJsonArray(bytes, open, sink.max - sink.seen, sink.maxRecordSize, sink.maxDepth)
    if (!scan.ok) {
      if ('tooMany' in scan) count(sink, sink.max + 1)
      else if ('tooLarge' in scan) refuseSize(sink, scan.tooLarge)
      else drop(sink, `invalid ${what}: ${scan.message}`)
      return
    }
    count(sink, Math.max(1, scan.elements.length))
    if (scan.tooDeep) drop(sink, `value nested deeper than ${sink.maxDepth} levels`)
    else for (const el of scan.elements) takeElement(el, sink)
    return
  }
  const text = known ?? bytes.toString('utf8')
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    drop(sink, `invalid ${what}: ${(err as Error).message}`)
    return
  }
  collect(value, sink, text.length > sink.maxDepth && hasMoreOpeningsThan(text, sink.maxDepth))
}

/** NDJSON: one JSON text per line (`\r\n` or `\n`), empty lines skipped, each line decoded on its own; yields between slices. */
export async function parseNdjsonBytes(bytes: Buffer, sink: RecordSink): Promise<void> {
  let pos = 0
  let sliceStart = 0
  while (pos <= bytes.length && sink.refused === undefined) {
    const nl = bytes.indexOf(0x0a, pos)
    let end = nl < 0 ? bytes.length : nl
    const next = nl < 0 ? bytes.length + 1 : nl + 1
    if (nl >= 0 && end > pos && bytes[end - 1] === 0x0d) end--
    if (end > pos) await parseJsonBytes(bytes.subarray(pos, end), sink, 'NDJSON line')
    pos = next
    if (pos - sliceStart >= SLICE_BYTES) {
      await yieldToLoop()
      sliceStart = pos
    }
  }
}
