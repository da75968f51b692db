/**
 * msgpack bodies into records, with the same bounds as JSON (parse-records.ts): the record cap, the
 * record size limit, and large bodies decoded in slices that yield to the event loop.
 * @see README.md "Limits"
 */
import { DecodeError, Decoder, decodeMulti } from '@msgpack/msgpack'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { jsonLongerThan } from './json-size.js'
import { SYNC_PARSE_MAX, collect, count, drop, nestedDeeperThan, refuseJsonSize, refuseSize, takeElement, type RecordSink } from './parse-records.js'

/** True (and the request refused) when one record of `value` (the value, or each element of an array) is longer than the limit as JSON. */
function overJsonSize(value: unknown, sink: RecordSink): boolean {
  const records = Array.isArray(value) ? value : [value]
  for (const r of records) {
    if (jsonLongerThan(r, sink.maxRecordSize)) {
      refuseJsonSize(sink)
      return true
    }
  }
  return false
}

/**
 * A decode error msgpack-ruby raises as MessagePack::MalformedFormatError (`invalid byte`: 0xc1, the
 * one byte msgpack never uses): Fluentd answers 400. A body that merely ends mid-value is not an
 * error there (the unpacker waits for more): it keeps the values before it, as dropped input here.
 */
function noteMalformed(err: unknown, sink: RecordSink): void {
  if (err instanceof DecodeError && err.message.startsWith('Unrecognized type byte')) {
    sink.malformed ??= { message: 'invalid byte', errorClass: 'MessagePack::MalformedFormatError' }
  }
  drop(sink, `invalid msgpack: ${(err as Error).message}`)
}

/** msgpack values decoded between two yields. */
const SLICE_VALUES = 64

/** Element count and header length of a msgpack array at the start of `buf`, or undefined. */
function msgpackArrayHeader(buf: Buffer): { count: number; header: number } | undefined {
  const b = buf[0]
  if (b === undefined) return undefined
  if (b >= 0x90 && b <= 0x9f) return { count: b & 0x0f, header: 1 }
  if (b === 0xdc && buf.length >= 3) return { count: buf.readUInt16BE(1), header: 3 }
  if (b === 0xdd && buf.length >= 5) return { count: buf.readUInt32BE(1), header: 5 }
  return undefined
}

/**
 * msgpack: every value of the body (several may follow each other). A large body is decoded value by
 * value, yielding between slices; when its first value is an array, element by element (its header
 * gives the count, so an array over the cap is refused before decoding), and the array's records are
 * kept only when all of its elements decode, as with one decode. A value larger than the record size
 * limit is refused once decoded (msgpack does not say a value's size before decoding it).
 */
export async function parseMsgpack(buf: Buffer, sink: RecordSink): Promise<void> {
  if (buf.length <= Math.min(SYNC_PARSE_MAX, sink.maxRecordSize)) {
    try {
      // msgpack has no brackets to count: values from bodies longer than the depth limit are walked.
      for (const value of decodeMulti(buf)) {
        if (overJsonSize(value, sink)) return
        collect(value, sink, buf.length > sink.maxDepth)
        if (sink.refused !== undefined) return
      }
    } catch (err) {
      noteMalformed(err, sink)
    }
    return
  }
  const head = msgpackArrayHeader(buf) ?? { count: 0, header: 0 }
  // An empty array counts as one record, as in JSON.
  if (!count(sink, head.header > 0 ? Math.max(1, head.count) : 0)) return
  // Arrays longer than the cap anywhere in a large body would be decoded in one go: refused by the decoder.
  const decoder = new Decoder({ maxArrayLength: sink.max })
  // The decoder's read position (an internal field): the size of each value, checked once it is decoded.
  const position = (): number => (decoder as unknown as { pos?: number }).pos ?? 0
  const elements: unknown[] = []
  let tooDeep = false
  try {
    let i = 0
    let decoded = 0
    let before = 0
    for (const value of decoder.decodeMulti(buf.subarray(head.header))) {
      const size = position() - before
      before = position()
      if (size > sink.maxRecordSize) return refuseSize(sink, size)
      // The record size limit counts the JSON a record becomes (the array's elements are records one by one).
      const tooLong = i < head.count ? jsonLongerThan(value, sink.maxRecordSize) : overJsonSize(value, sink)
      if (tooLong) return refuseJsonSize(sink)
      if (i < head.count) {
        if (!tooDeep) tooDeep = nestedDeeperThan(value, sink.maxDepth - 1)
        elements.push(value)
        if (++i === head.count) {
          if (tooDeep) drop(sink, `value nested deeper than ${sink.maxDepth} levels`)
          else for (const el of elements) takeElement(el, sink)
        }
      } else {
        collect(value, sink, true)
        if (sink.refused !== undefined) return
      }
      if (++decoded % SLICE_VALUES === 0) await yieldToLoop()
    }
    if (i < head.count) throw new RangeError('Insufficient data')
  } catch (err) {
    noteMalformed(err, sink)
  }
}
