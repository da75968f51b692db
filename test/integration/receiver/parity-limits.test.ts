/** in_http parity (see parity.test.ts): the body, inflate and record limits, and the receiver's options, each on its own receiver. */
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { rawExchange, startTestReceiver } from '../../helpers/receiver.js'
import { OK, closedEnding, post } from './parity-shared.js'

describe('limits and options', () => {
  it('body limit: exactly the limit passes, one more byte is 413 Too large + close; with Expect: 100-continue too', async () => {
    const small = await startTestReceiver({ bodyLimit: 16 })
    const x = (n: number) => `{"a":"${'x'.repeat(n - 8)}"}`
    expect((await rawExchange(small.url, post('/l', x(16), { 'Content-Type': 'application/json' }), { ca: small.ca, timeoutMs: 250 })).text).toBe(OK)
    const big = await rawExchange(small.url, post('/l', x(17), { 'Content-Type': 'application/json' }), { ca: small.ca, timeoutMs: 1000 })
    expect(big.text).toBe('HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 9\r\nContent-Type: text/plain\r\n\r\nToo large')
    expect(closedEnding).toContain(big.ending)
    // curl sends Expect: 100-continue on its own for large bodies: a body of exactly the limit is
    // accepted (Fluentd already refuses it there: README "Known differences"), one more byte is not.
    const head = (n: number) => `POST /l HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${n}\r\nExpect: 100-continue\r\n\r\n`
    const atLimit = await rawExchange(small.url, [head(16), x(16)], { ca: small.ca, timeoutMs: 300, writeDelayMs: 50 })
    expect(atLimit.text).toBe('HTTP/1.1 100 Continue\r\n\r\n' + OK)
    const ec = await rawExchange(small.url, head(17), { ca: small.ca, timeoutMs: 1000 })
    expect(ec.text).toBe('HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 9\r\nContent-Type: text/plain\r\n\r\nToo large')
  })

  it('inflate limit, record cap, record size: the same 413 Too large + close as the body limit, journaled with the reason', async () => {
    const s = await startTestReceiver({ inflateLimit: 100, maxRecords: 2, maxRecordSize: 20 })
    const TOO_LARGE = 'HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 9\r\nContent-Type: text/plain\r\n\r\nToo large'
    const ask = (path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
      rawExchange(s.url, post(path, body, { 'Content-Type': 'application/json', ...headers }), { ca: s.ca, timeoutMs: 1000 })
    const cases: Array<[string, string | Buffer, Record<string, string>, RegExp]> = [
      ['/inflate', gzipSync(`[${'{"a":1},'.repeat(20)}{"a":1}]`), { 'Content-Encoding': 'gzip' }, /inflates to more than 100 bytes \(--inflate-limit\)/],
      ['/records', '[{"a":1},{"a":2},{"a":3}]', {}, /more than 2 records .*--max-records/],
      ['/size', `[{"a":"${'x'.repeat(40)}"}]`, {}, /larger than 20 bytes \(--max-record-size\)/],
    ]
    for (const [path, body, headers, why] of cases) {
      const res = await ask(path, body, headers)
      expect(res.text).toBe(TOO_LARGE)
      expect(closedEnding).toContain(res.ending)
      const e = s.journal.entries({ tag: path.slice(1) }).at(-1)!
      expect(e).toMatchObject({ status: 413, outcome: 'answered' })
      expect(e.error).toMatch(why)
      expect(e.events).toBeUndefined()
    }
    // Within every limit: 200 with its events.
    expect((await ask('/fine', gzipSync('[{"a":1},{"a":2}]'), { 'Content-Encoding': 'gzip' })).text).toBe(OK)
    expect(s.journal.entries({ tag: 'fine' }).at(-1)!.events).toHaveLength(2)
  })

  it('successStatus 204 (use_204_response)', async () => {
    const s = await startTestReceiver({ successStatus: 204 })
    const res = await rawExchange(s.url, post('/w', '{}', { 'Content-Type': 'application/json' }), { ca: s.ca, timeoutMs: 250 })
    expect(res.text).toBe('HTTP/1.1 204 No Content\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n')
  })

  it('strict parse answers 400 where Fluentd drops input', async () => {
    const s = await startTestReceiver({ strictParse: true })
    const res = await rawExchange(s.url, post('/w', '{nope', { 'Content-Type': 'application/json' }), { ca: s.ca, timeoutMs: 250 })
    expect(res.text).toMatch(/^HTTP\/1.1 400 Bad Request\r\n[\s\S]*\r\n\r\n400 Bad Request\ninvalid JSON: /)
    const ok = await rawExchange(s.url, post('/w', '[{"a":1}]', { 'Content-Type': 'application/json' }), { ca: s.ca, timeoutMs: 250 })
    expect(ok.text).toBe(OK)
  })

  it('require header: 401 when missing or wrong, 200 when right', async () => {
    const s = await startTestReceiver({ requireHeader: 'X-Token: s3cret' })
    const missing = await rawExchange(s.url, post('/w', '{}', { 'Content-Type': 'application/json' }), { ca: s.ca, timeoutMs: 250 })
    expect(missing.text).toMatch(/^HTTP\/1.1 401 Unauthorized\r\n/)
    const wrong = await rawExchange(s.url, post('/w', '{}', { 'Content-Type': 'application/json', 'X-Token': 'nope' }), { ca: s.ca, timeoutMs: 250 })
    expect(wrong.text).toMatch(/^HTTP\/1.1 401 /)
    const right = await rawExchange(s.url, post('/w', '{}', { 'Content-Type': 'application/json', 'x-token': 's3cret' }), { ca: s.ca, timeoutMs: 250 })
    expect(right.text).toBe(OK)
  })

  it('several required headers: every one must be present and right', async () => {
    const s = await startTestReceiver({ requireHeader: ['X-Token: s3cret', 'X-Team: blue'] })
    const ask = async (headers: Record<string, string>) =>
      (await rawExchange(s.url, post('/w', '{}', { 'Content-Type': 'application/json', ...headers }), { ca: s.ca, timeoutMs: 250 })).text
    expect(await ask({ 'X-Token': 's3cret' })).toMatch(/^HTTP\/1.1 401 Unauthorized\r\n[\s\S]*\n401 Unauthorized\nmissing header x-team\n$/)
    expect(await ask({ 'X-Team': 'blue' })).toMatch(/\nmissing header x-token\n$/)
    expect(await ask({ 'X-Token': 's3cret', 'X-Team': 'red' })).toMatch(/\nwrong value of header x-team\n$/)
    expect(await ask({ 'X-Token': 's3cret', 'X-Team': 'blue' })).toBe(OK)
  })

  it('plain HTTP with tls: false', async () => {
    const s = await startTestReceiver({ tls: false })
    expect(s.url.startsWith('http://')).toBe(true)
    const res = await rawExchange(s.url, post('/w', '{}', { 'Content-Type': 'application/json' }), { timeoutMs: 250 })
    expect(res.text).toBe(OK)
  })
})
