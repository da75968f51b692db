import { encode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import { turnsWhile } from '../../helpers/event-loop.js'
import { DEFAULT_MAX_RECORD_SIZE, DEFAULT_MAX_RECORDS, MAX_DROPPED_LISTED, MAX_RECORD_DEPTH, SYNC_PARSE_MAX, parseRequestBody, type ParseResult } from '../../../src/receiver/parse-body.js'

const parse = (body: string | Buffer, contentType = 'application/json', maxRecords?: number): Promise<ParseResult> =>
  parseRequestBody({ contentType, query: undefined, body: Buffer.from(body), arrivalTime: 7, maxRecords })

const records = (n: number): Record<string, unknown>[] => Array.from({ length: n }, (_, i) => ({ i, s: `x${i}, "quoted" [not] {a bracket}`, time: 1000 + i }))

describe('parseRequestBody on large bodies (sliced, capped)', () => {
  it('a large JSON array gives the same events as one JSON.parse, and yields to the event loop while parsing', async () => {
    const recs = records(5000)
    const text = JSON.stringify([...recs, 1, null, [2]], null, 1)
    expect(text.length).toBeGreaterThan(4 * SYNC_PARSE_MAX)
    const { value: r, turns } = await turnsWhile(parse(text))
    expect(turns).toBeGreaterThan(0)
    if (!r.ok) throw new Error(r.message)
    expect(r.events).toHaveLength(5000)
    expect(r.events[4999]).toEqual({ time: 5999, record: { i: 4999, s: 'x4999, "quoted" [not] {a bracket}' } })
    expect(r.dropped).toEqual(['non-object array element (number)', 'non-object array element (null)', 'non-object array element (array)'])
  })

  it('large invalid JSON drops everything, as one JSON.parse would', async () => {
    const good = JSON.stringify(records(3000))
    for (const bad of [good.slice(0, -1), good + 'x', good.replace('},{', '},,{'), good.replace('"i":1,', '"i":1'), good.slice(0, -1) + ',]']) {
      expect(() => JSON.parse(bad) as unknown).toThrow()
      const r = await parse(bad)
      expect(r.ok && r.events.length).toBe(0)
      if (r.ok) expect(r.dropped[0]).toMatch(/^invalid JSON: /)
    }
  })

  it(`more than --max-records records is 413 (default ${DEFAULT_MAX_RECORDS}), JSON, NDJSON and msgpack, large or small`, async () => {
    const twoAndAHalfMillion = '[' + Array(2_500_000).fill('{}').join(',') + ']'
    // Refused as soon as the scan passes the cap: the other 2.49 million are never parsed.
    const r = await parse(twoAndAHalfMillion)
    expect(r).toEqual({ ok: false, status: 413, message: `more than ${DEFAULT_MAX_RECORDS} records in one request (--max-records)` })
    expect(await parse('[{},{},{}]', 'application/json', 2)).toMatchObject({ ok: false, status: 413 })
    expect(await parse('[{},{}]', 'application/json', 2)).toMatchObject({ ok: true })
    expect(await parse('{}\n{}\n{}\n', 'application/x-ndjson', 2)).toMatchObject({ ok: false, status: 413 })
    expect(await parse(Buffer.from(encode(Array(20_000).fill({ a: 1 }))), 'application/msgpack')).toMatchObject({ ok: false, status: 413 })
    expect(await parse(Buffer.from(encode([{}, {}, {}])), 'application/msgpack', 2)).toMatchObject({ ok: false, status: 413 })
  })

  it('a 32 MB [1,1,...] never answers with the internal "Invalid string length"; drops are listed up to a bound', async () => {
    const ones = '[' + Array(16 * 1024 * 1024).fill('1').join(',') + ']'
    expect(await parse(ones)).toMatchObject({ ok: false, status: 413 })
    const r = await parse(ones, 'application/json', 20_000_000)
    if (!r.ok) throw new Error(r.message)
    expect(r.events).toEqual([])
    expect(r.dropped).toHaveLength(MAX_DROPPED_LISTED + 1)
    expect(r.dropped.at(-1)).toBe(`and ${16 * 1024 * 1024 - MAX_DROPPED_LISTED} more dropped`)
    expect(r.dropped.join('; ').length).toBeLessThan(1000)
    // 16 million elements scanned twice: 11 s alone on a loaded 2-core machine, over 20 s beside the
    // other suites; a correctness test, so its time limit is not the point.
  }, 90_000)

  it('large NDJSON and msgpack arrays give the same events as small ones', async () => {
    const recs = records(4000)
    const nd = recs.map((x) => JSON.stringify(x)).join('\r\n') + '\n\n'
    const a = await parse(nd, 'application/x-ndjson')
    const b = await parse(Buffer.from(encode(recs)), 'application/msgpack')
    const expected = recs.map(({ time, ...rest }) => ({ time, record: rest }))
    expect(a).toEqual({ ok: true, events: expected, dropped: [] })
    expect(b).toEqual({ ok: true, events: expected, dropped: [] })
  })

  it('a large msgpack array with an element that does not decode keeps none of its records', async () => {
    const buf = Buffer.from(encode(records(3000)))
    const r = await parse(buf.subarray(0, buf.length - 5), 'application/msgpack')
    expect(r.ok && r.events).toEqual([])
    if (r.ok) expect(r.dropped[0]).toMatch(/^invalid msgpack: /)
  })

  it('nesting deeper than the limit inside a large array drops the whole body (as for a small one)', async () => {
    const deep = '{"a":' + '['.repeat(MAX_RECORD_DEPTH) + ']'.repeat(MAX_RECORD_DEPTH) + '}'
    const text = JSON.stringify(records(2000)).slice(0, -1) + ',' + deep + ']'
    const r = await parse(text)
    expect(r).toEqual({ ok: true, events: [], dropped: [`value nested deeper than ${MAX_RECORD_DEPTH} levels`] })
    const small = await parse('[{},' + deep + ']')
    expect(small).toEqual(r)
  })

  it(`a record larger than --max-record-size (default ${DEFAULT_MAX_RECORD_SIZE} bytes) is 413, in any framing; padding does not count`, async () => {
    const big = JSON.stringify({ a: Array(600_000).fill(1) })
    expect(big.length).toBeGreaterThan(DEFAULT_MAX_RECORD_SIZE)
    const refused = { ok: false, status: 413, message: `a record of ${big.length} bytes is larger than ${DEFAULT_MAX_RECORD_SIZE} bytes (--max-record-size)` }
    expect(await parse(big)).toEqual(refused)
    expect(await parse(`[{},${big},{}]`)).toEqual(refused)
    expect(await parse(`{}\n${big}\n`, 'application/x-ndjson')).toEqual(refused)
    expect(await parse('json=' + encodeURIComponent(big), 'application/x-www-form-urlencoded')).toEqual(refused)
    expect(await parse(Buffer.from(encode({ a: 'x'.repeat(DEFAULT_MAX_RECORD_SIZE) })), 'application/msgpack')).toMatchObject({ ok: false, status: 413 })
    expect(await parse(Buffer.from(encode([{}, { a: 'x'.repeat(DEFAULT_MAX_RECORD_SIZE) }])), 'application/msgpack')).toMatchObject({ ok: false, status: 413 })
    // Many small records add up to more than the record limit: fine. So does whitespace around one.
    expect(await parse(JSON.stringify(records(9000)))).toMatchObject({ ok: true })
    expect(await parse(' '.repeat(2 * DEFAULT_MAX_RECORD_SIZE) + '{"a":1}\n')).toMatchObject({ ok: true, events: [{ record: { a: 1 } }] })
    // A small limit applies to small bodies too.
    const small = (body: string): Promise<ParseResult> => parseRequestBody({ contentType: 'application/json', query: undefined, body: Buffer.from(body), arrivalTime: 1, maxRecordSize: 10 })
    expect(await small('[{"a":1},{"b":"0123456789"}]')).toMatchObject({ ok: false, status: 413 })
    expect(await small('[{"a":1},  {"b":2}  ]')).toMatchObject({ ok: true })
  })

  it('a large body is taken apart on its bytes: multi-byte and invalid UTF-8 give what decoding the whole body gives', async () => {
    const recs = Array.from({ length: 3000 }, (_, i) => ({ i, s: `é€😀,]}"[${i}` }))
    const good = Buffer.from(JSON.stringify(recs))
    const bad = Buffer.concat([Buffer.from('[{"a":"'), Buffer.from([0xc3, 0x2c, 0xff, 0xe2, 0x82]), Buffer.from('"},'), good.subarray(1)])
    for (const body of [good, bad]) {
      const expected = (JSON.parse(body.toString('utf8')) as Record<string, unknown>[]).map((record) => ({ time: 7, record }))
      expect(await parse(body)).toEqual({ ok: true, events: expected, dropped: [] })
      const nd = Buffer.from(body.toString('utf8').slice(1, -1).replaceAll('},{', '}\n{'))
      expect(await parse(nd, 'application/x-ndjson')).toEqual({ ok: true, events: expected, dropped: [] })
    }
  })
})
