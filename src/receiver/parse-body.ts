/**
 * Turns a request body into records exactly as Fluentd v1.18 in_http does (docs/design.md "Answering as Fluentd"):
 * Content-Type picks where the `json`/`ndjson`/`msgpack` params come from, the query string adds its
 * own, precedence is msgpack > json > ndjson, and record `time` keys become event times.
 * @see docs/design.md "Answering as Fluentd"
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { parseMsgpack } from './parse-msgpack.js'
import { DEFAULT_MAX_RECORD_SIZE, DEFAULT_MAX_RECORDS, droppedList, newSink, parseJsonBytes, parseNdjsonBytes } from './parse-records.js'

export { DEFAULT_MAX_RECORD_SIZE, DEFAULT_MAX_RECORDS, MAX_RECORD_DEPTH, MAX_DROPPED_LISTED, SYNC_PARSE_MAX } from './parse-records.js'

/** Fluentd's 400 text when no usable param is present. */
export const PARAM_REQUIRED_MESSAGE = "'json', 'ndjson' or 'msgpack' parameter is required"

/** One record and its event time (float seconds since the epoch). */
export interface ParsedEvent {
  time: number
  record: Record<string, unknown>
}

export type ParseResult =
  | { ok: true; events: ParsedEvent[]; /** What was silently dropped (invalid JSON, non-objects). */ dropped: string[] }
  | {
      ok: false
      /** Fluentd's exception text, the second line of the 400 body; with status 413, the reason for the journal. */
      message: string
      /**
       * Absent: answer 400 with Fluentd's error body. 413: more records than `maxRecords`, or one
       * record larger than `maxRecordSize`; answer 413 `Too large` and close, as for a body over the
       * limit (README "Limits").
       */
      status?: 413
      /** Ruby's exception class for Fluentd's `[error]` log line, when the message alone does not tell it. */
      errorClass?: string
    }

/** Params as in_http sees them; values are raw bytes (msgpack may be binary). */
type Params = Map<string, Buffer>

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 65 && c <= 70) return c - 55
  if (c >= 97 && c <= 102) return c - 87
  return -1
}

/** Form-decodes bytes ('+' is a space, %XX a byte); invalid escapes stay as they are. */
function formDecode(buf: Buffer): Buffer {
  if (buf.indexOf(0x25) < 0 && buf.indexOf(0x2b) < 0) return buf
  const out = Buffer.allocUnsafe(buf.length)
  let j = 0
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!
    if (c === 0x2b) out[j++] = 0x20
    else if (c === 0x25 && i + 2 < buf.length + 0 && hexVal(buf[i + 1] ?? 0) >= 0 && hexVal(buf[i + 2] ?? 0) >= 0) {
      out[j++] = hexVal(buf[i + 1]!) * 16 + hexVal(buf[i + 2]!)
      i += 2
    } else out[j++] = c
  }
  return out.subarray(0, j)
}

/**
 * True when the records of a request come from its body as one JSON text: a JSON Content-Type and no
 * `msgpack` query parameter (which would take precedence).
 */
export function recordsFromJsonBody(contentType: string | undefined, query: string | undefined): boolean {
  const ct = contentType ?? ''
  if (!ct.startsWith('application/json') && !ct.startsWith('application/csp-report')) return false
  return query === undefined || !parseQuery(Buffer.from(query, 'latin1')).has('msgpack')
}

/** Parses `a=1&b=2;c=3` into params (first value of a repeated key wins, as WEBrick's FormData). */
export function parseQuery(buf: Buffer, into: Params = new Map()): Params {
  let start = 0
  while (start <= buf.length) {
    let end = start
    while (end < buf.length && buf[end] !== 0x26 && buf[end] !== 0x3b) end++
    if (end > start) {
      const pair = buf.subarray(start, end)
      const eq = pair.indexOf(0x3d)
      const key = formDecode(eq < 0 ? pair : pair.subarray(0, eq)).toString('utf8')
      const value = eq < 0 ? Buffer.alloc(0) : formDecode(pair.subarray(eq + 1))
      if (!into.has(key)) into.set(key, value)
    }
    start = end + 1
  }
  return into
}

/** Extracts form fields from a multipart/form-data body. */
function parseMultipart(body: Buffer, boundary: string, into: Params): void {
  const delim = Buffer.from(`--${boundary}`)
  let pos = body.indexOf(delim)
  while (pos >= 0) {
    const partStart = pos + delim.length
    if (body[partStart] === 0x2d && body[partStart + 1] === 0x2d) break // closing --boundary--
    const next = body.indexOf(delim, partStart)
    if (next < 0) break
    let part = body.subarray(partStart, next)
    if (part[0] === 0x0d && part[1] === 0x0a) part = part.subarray(2)
    const headerEnd = part.indexOf('\r\n\r\n')
    if (headerEnd >= 0) {
      const head = part.subarray(0, headerEnd).toString('latin1')
      let content = part.subarray(headerEnd + 4)
      if (content.length >= 2 && content[content.length - 2] === 0x0d && content[content.length - 1] === 0x0a) {
        content = content.subarray(0, content.length - 2)
      }
      const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(head)?.[1]
      if (name !== undefined && !into.has(name)) into.set(name, content)
    }
    pos = next
  }
}

/** Ruby's class name for a value, as in "can't convert String into an exact number". */
function rubyName(v: unknown): string {
  if (typeof v === 'string') return 'String'
  if (v === true) return 'true'
  if (Array.isArray(v)) return 'Array'
  if (typeof v === 'object') return 'Hash'
  return typeof v
}

export interface ParseInput {
  /** Raw `Content-Type` header value (case-sensitive prefix match, as Fluentd). */
  contentType: string | undefined
  /** Query string bytes without the leading '?', or undefined. */
  query: string | undefined
  /** Decoded body. */
  body: Buffer
  /** `body` as UTF-8 text when the caller has it already (the journal keeps it): not decoded again. */
  bodyText?: string
  /** Arrival time, float seconds, used when no other time applies. */
  arrivalTime: number
  /** Most records (array elements, NDJSON lines, msgpack values) in one request; default DEFAULT_MAX_RECORDS (`--max-records`). */
  maxRecords?: number
  /** Largest single record, bytes; default DEFAULT_MAX_RECORD_SIZE (`--max-record-size`). */
  maxRecordSize?: number
  /** Most nesting levels of a record; default MAX_RECORD_DEPTH (`--max-record-depth`). */
  maxRecordDepth?: number
}

/** Records whose event time is set between two yields to the event loop. */
const TIME_SLICE = 1024

/**
 * Parses a request the way in_http does. Returns `ok: false` with Fluentd's message when Fluentd
 * would answer 400, or with status 413 when the body holds more than `maxRecords` records or one
 * larger than `maxRecordSize`; `dropped`
 * lists what Fluentd would silently ignore (for `--strict-parse`; the first MAX_DROPPED_LISTED
 * items, then one line counting the rest). Large bodies are parsed in slices that yield to the event
 * loop; never rejects.
 */
export async function parseRequestBody(input: ParseInput): Promise<ParseResult> {
  // No Map for the common request (a body by its Content-Type, no query): only what needs one.
  let params: Params | undefined = input.query ? parseQuery(Buffer.from(input.query, 'latin1')) : undefined
  const ct = input.contentType ?? ''
  // Content-Type params override query params (Fluentd: params['json'] = body after parsing the query).
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    const form = parseQuery(input.body)
    params ??= new Map()
    for (const [k, v] of form) params.set(k, v)
  } else if (ct.startsWith('multipart/form-data; boundary=')) {
    const boundary = ct.slice('multipart/form-data; boundary='.length).replace(/^"|"$/g, '')
    const form: Params = new Map()
    parseMultipart(input.body, boundary, form)
    params ??= new Map()
    for (const [k, v] of form) params.set(k, v)
  }
  // The body itself is the parameter its Content-Type names (over a query parameter of that name).
  const fromBody = ct.startsWith('application/msgpack')
    ? 'msgpack'
    : ct.startsWith('application/json') || ct.startsWith('application/csp-report')
      ? 'json'
      : ct.startsWith('application/x-ndjson')
        ? 'ndjson'
        : undefined
  const param = (name: string): Buffer | undefined => (name === fromBody ? input.body : params?.get(name))

  const maxRecords = input.maxRecords ?? DEFAULT_MAX_RECORDS
  const sink = newSink(maxRecords, input.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE, input.maxRecordDepth)
  const msgpack = param('msgpack')
  const json = param('json')
  const ndjson = param('ndjson')
  if (msgpack !== undefined) await parseMsgpack(msgpack, sink)
  else if (json !== undefined) await parseJsonBytes(json, sink, 'JSON', json === input.body ? input.bodyText : undefined)
  else if (ndjson !== undefined) await parseNdjsonBytes(ndjson, sink)
  else return { ok: false, message: PARAM_REQUIRED_MESSAGE }
  if (sink.refused !== undefined) return { ok: false, status: 413, message: sink.refused }
  if (sink.malformed !== undefined) return { ok: false, message: sink.malformed.message, errorClass: sink.malformed.errorClass }
  const { records } = sink
  const dropped = droppedList(sink)

  // Event time: ?time= (query or form) wins and keeps the record's key; else a record `time` key is
  // used and removed; else arrival. Any failure rejects the whole request.
  const paramTime = params?.get('time')
  let fixedTime: number | undefined
  if (paramTime !== undefined) {
    const t = rubyToF(paramTime.toString('utf8'))
    fixedTime = t === 0 ? input.arrivalTime : fluentdFloatTime(t)
  }
  const events: ParsedEvent[] = []
  for (let i = 0; i < records.length; i++) {
    if (i > 0 && i % TIME_SLICE === 0) await yieldToLoop()
    const record = records[i]!
    if (fixedTime !== undefined) {
      events.push({ time: fixedTime, record })
      continue
    }
    if (!Object.prototype.hasOwnProperty.call(record, 'time')) {
      events.push({ time: input.arrivalTime, record })
      continue
    }
    const t = record['time']
    delete record['time']
    if (t === null || t === false) events.push({ time: input.arrivalTime, record })
    else if (typeof t === 'number' && Number.isFinite(t)) events.push({ time: t, record })
    else return { ok: false, message: `can't convert ${rubyName(t)} into an exact number` }
  }
  return { ok: true, events, dropped }
}

/** Ruby's String#to_f: the longest numeric prefix, 0 when none; beyond the float range, ±Infinity (as Ruby). */
function rubyToF(text: string): number {
  const m = /^\s*[+-]?(\d[\d_]*)?(\.\d+)?([eE][+-]?\d+)?/.exec(text)
  if (!m || (m[1] === undefined && m[2] === undefined)) return 0
  return Number(m[0].replace(/_/g, '').trim())
}

/**
 * The event time Fluentd's `?time=` gives (NumericTimeParser#parse_float): it splits Ruby's
 * Float#to_s at the first '.' and takes the integer part as seconds and the next (at most 10)
 * characters, padded to 9, as nanoseconds, with String#to_i. So 1e20 (`"1.0e+20"`) is 1 s,
 * 1.5e-05 (`"1.5e-05"`) is 1 s + 5 ns, 8.7e12 is 8,700,000,000,000 s, and Infinity is 0.
 */
export function fluentdFloatTime(t: number): number {
  const { int, frac } = rubyFloatParts(t)
  const nsecText = frac.slice(0, 10).padEnd(9, '0')
  const digits = /^\d*/.exec(nsecText)![0]
  const sec = /^[+-]?\d+/.test(int) ? Number.parseInt(int, 10) : 0
  return (sec === 0 ? 0 : sec) + (digits === '' ? 0 : Number(digits)) / 1e9
}

/** Ruby's Float#to_s split at its first '.': fixed notation for 1e-4 <= |t| < 1e15, else `d.ddde±XX`. */
function rubyFloatParts(t: number): { int: string; frac: string } {
  if (!Number.isFinite(t)) return { int: String(t), frac: '' }
  if (t === 0) return { int: Object.is(t, -0) ? '-0' : '0', frac: '0' }
  const sign = t < 0 ? '-' : ''
  const [mantissa, expText] = Math.abs(t).toExponential().split('e') as [string, string]
  const digits = mantissa.replace('.', '')
  const exp = Number(expText)
  if (exp >= -4 && exp <= 14) {
    if (exp < 0) return { int: `${sign}0`, frac: '0'.repeat(-exp - 1) + digits }
    return { int: sign + digits.slice(0, exp + 1).padEnd(exp + 1, '0'), frac: digits.slice(exp + 1) || '0' }
  }
  return { int: sign + digits[0]!, frac: `${digits.slice(1) || '0'}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}` }
}
