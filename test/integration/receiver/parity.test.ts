/**
 * in_http parity over HTTPS with raw TLS sockets: exact status lines, header order and bodies, and
 * how the connection ends, for the cases listed in docs/design.md "Answering as Fluentd".
 */
import { gzipSync, deflateSync } from 'node:zlib'
import { encode } from '@msgpack/msgpack'
import { execFile } from 'node:child_process'
import { connect as netConnect } from 'node:net'
import { promisify } from 'node:util'
import { beforeAll, afterAll, describe, expect, it } from 'vitest'
import type { Receiver } from '../../../src/receiver/types.js'
import { httpRequest, rawExchange, startTestReceiver, waitFor } from '../../helpers/receiver.js'

const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'
const PARAM_400 =
  "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\nContent-Length: 68\r\n\r\n400 Bad Request\n'json', 'ndjson' or 'msgpack' parameter is required\n"
/** A processed request answered on a closing connection (Connection: close, HTTP/1.0): Content-Type first. */
const CLOSED_200 = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n'
/** Fluentd's early answers (send_response_and_close: GET, OPTIONS, 413, 417, undecodable body): Content-Length first. */
const EARLY_CLOSED_200 = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n'
const closedEnding = ['end', 'reset']

const execFileP = promisify(execFile)

let r: Receiver
/** What the receiver printed under --output fluentd: events and Fluentd's own log lines. */
let printed = ''
beforeAll(async () => {
  r = await startTestReceiver({ autoClose: false, output: { mode: 'fluentd', write: (t) => (printed += t), warn: () => {} } })
})
afterAll(() => r.close())

async function send(req: string | Buffer | (string | Buffer)[], timeoutMs = 250) {
  return rawExchange(r.url, req, { ca: r.ca, timeoutMs })
}

function post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body
  const head = [`POST ${path} HTTP/1.1`, 'Host: localhost', `Content-Length: ${b.length}`]
  for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`)
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n'), b])
}

/** Events recorded for the last request with this tag. */
function lastEntry(tag: string) {
  return r.journal.entries({ tag }).at(-1)
}

describe('success', () => {
  it('JSON object: exact 200, kept alive, one event', async () => {
    const res = await send(post('/wallarm', '{"a":1,"b":"é"}', { 'Content-Type': 'application/json' }))
    expect(res.text).toBe(OK)
    expect(res.ending).toBe('timeout')
    const e = lastEntry('wallarm')!
    expect(e.status).toBe(200)
    expect(e.outcome).toBe('answered')
    expect(e.events!.map((x) => x.record)).toEqual([{ a: 1, b: 'é' }])
  })

  it('JSON array: each object element; non-objects dropped', async () => {
    const res = await send(post('/arr', '[{"a":1},2,"x",{"b":2},null]', { 'Content-Type': 'application/json; charset=utf-8' }))
    expect(res.text).toBe(OK)
    expect(lastEntry('arr')!.events!.map((x) => x.record)).toEqual([{ a: 1 }, { b: 2 }])
  })

  it('invalid JSON, scalars and [] are 200 with nothing emitted', async () => {
    for (const body of ['{nope', '"str"', '[]', '{"a":1}{"b":2}', '']) {
      const res = await send(post('/lax', body, { 'Content-Type': 'application/json' }))
      expect(res.text).toBe(OK)
      expect(lastEntry('lax')!.events).toEqual([])
    }
  })

  it('NDJSON: one event per line, blank and bad lines dropped, a line may be an array', async () => {
    const res = await send(post('/nd', '{"a":1}\r\n\nbad\n[{"b":2},{"c":3}]\n', { 'Content-Type': 'application/x-ndjson' }))
    expect(res.text).toBe(OK)
    expect(lastEntry('nd')!.events!.map((x) => x.record)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }])
  })

  it('csp-report is JSON', async () => {
    await send(post('/csp', '{"csp-report":{}}', { 'Content-Type': 'application/csp-report' }))
    expect(lastEntry('csp')!.events!.length).toBe(1)
  })

  it('form field json= (curl -d) and query ?json=', async () => {
    await send(post('/form', 'json=' + encodeURIComponent('{"x":"a b"}'), { 'Content-Type': 'application/x-www-form-urlencoded' }))
    expect(lastEntry('form')!.events!.map((x) => x.record)).toEqual([{ x: 'a b' }])
    await send(post('/q?json=' + encodeURIComponent('[{"q":1}]'), ''))
    expect(lastEntry('q')!.events!.map((x) => x.record)).toEqual([{ q: 1 }])
  })

  it('multipart form field ndjson=', async () => {
    const body = '--XX\r\nContent-Disposition: form-data; name="ndjson"\r\n\r\n{"m":1}\n{"m":2}\r\n--XX--\r\n'
    await send(post('/mp', body, { 'Content-Type': 'multipart/form-data; boundary=XX' }))
    expect(lastEntry('mp')!.events!.map((x) => x.record)).toEqual([{ m: 1 }, { m: 2 }])
  })

  it('msgpack body: maps and arrays of maps; an empty ?msgpack= hides a JSON body', async () => {
    const body = Buffer.concat([encode({ a: 1 }), encode([{ b: 2 }, 3])])
    expect((await send(post('/mpk', body, { 'Content-Type': 'application/msgpack' }))).text).toBe(OK)
    expect(lastEntry('mpk')!.events!.map((x) => x.record)).toEqual([{ a: 1 }, { b: 2 }])
    expect((await send(post('/prec?msgpack=', '{"a":1}', { 'Content-Type': 'application/json' }))).text).toBe(OK)
    expect(lastEntry('prec')!.events).toEqual([])
  })

  it('gzip and deflate bodies are decoded; other encodings are not', async () => {
    await send(post('/gz', gzipSync('{"z":1}'), { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }))
    expect(lastEntry('gz')!.events!.map((x) => x.record)).toEqual([{ z: 1 }])
    await send(post('/df', deflateSync('{"z":2}'), { 'Content-Type': 'application/json', 'Content-Encoding': 'deflate' }))
    expect(lastEntry('df')!.events!.map((x) => x.record)).toEqual([{ z: 2 }])
    expect((await send(post('/GZ', gzipSync('{"z":1}'), { 'Content-Type': 'application/json', 'Content-Encoding': 'GZIP' }))).text).toBe(OK)
    expect(lastEntry('GZ')!.events).toEqual([])
  })

  it('tag: / → ., no percent-decoding, empty tag for /', async () => {
    for (const [path, tag] of [
      ['/a/b/c', 'a.b.c'],
      ['/a%20b/x', 'a%20b.x'],
      ['/a//b', 'a..b'],
      ['/', ''],
    ] as const) {
      expect((await send(post(path, '{}', { 'Content-Type': 'application/json' }))).text).toBe(OK)
      expect(r.journal.entries().at(-1)!.tag).toBe(tag)
    }
  })

  it('an absolute-form target (POST https://localhost/abs.tag): the tag comes from the URI\'s path', async () => {
    const res = await send(post('https://localhost/abs.tag', '{"a":1}', { 'Content-Type': 'application/json' }))
    expect(res.text).toBe(OK)
    expect(r.journal.entries().at(-1)).toMatchObject({ tag: 'abs.tag', path: '/abs.tag', url: 'https://localhost/abs.tag' })
    expect(lastEntry('abs.tag')!.events!.map((x) => x.record)).toEqual([{ a: 1 }])
    await send(post('http://localhost?json=' + encodeURIComponent('{"q":2}'), ''))
    expect(r.journal.entries().at(-1)).toMatchObject({ tag: '', path: '/' })
    expect(r.journal.entries().at(-1)!.events!.map((x) => x.record)).toEqual([{ q: 2 }])
  })

  it('truncated msgpack (a value cut short at the end): 200, nothing emitted', async () => {
    const cut = Buffer.from(encode({ a: 'xyz' })).subarray(0, 4)
    expect((await send(post('/mcut', cut, { 'Content-Type': 'application/msgpack' }))).text).toBe(OK)
    expect(lastEntry('mcut')!.events).toEqual([])
  })

  it('?time= sets the event time and keeps record time; numeric record time is used and removed', async () => {
    await send(post('/t1?time=1603834606', '{"a":1,"time":5}', { 'Content-Type': 'application/json' }))
    expect(lastEntry('t1')!.events).toEqual([{ time: 1603834606, record: { a: 1, time: 5 } }])
    await send(post('/t2', '[{"a":1,"time":1603834606.5}]', { 'Content-Type': 'application/json' }))
    expect(lastEntry('t2')!.events).toEqual([{ time: 1603834606.5, record: { a: 1 } }])
  })

  it('pipelined requests are answered in order', async () => {
    const one = post('/p', '{"n":1}', { 'Content-Type': 'application/json' })
    const two = post('/p', '{"n":2}', { 'Content-Type': 'application/json' })
    const res = await send(Buffer.concat([one, two]))
    expect(res.text).toBe(OK + OK)
  })

  it('Connection: close and HTTP/1.0: Content-Type before Content-Length, no Connection header, then closed', async () => {
    const a = await send(post('/c', '{}', { 'Content-Type': 'application/json', Connection: 'close' }))
    expect(a.text).toBe(CLOSED_200)
    expect(closedEnding).toContain(a.ending)
    const b = await send('POST /c HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
    expect(b.text).toBe(CLOSED_200)
  })

  it('a request without a Host header is answered 200 and the connection stays open', async () => {
    const res = await send('POST /nohost HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}')
    expect(res.text).toBe(OK)
    expect(res.ending).toBe('timeout')
    expect(lastEntry('nohost')!.events).toHaveLength(1)
  })

  it('HTTP/1.0 over TLS (curl --http1.0): no ALPN is required, the handshake completes, 200', async () => {
    const { stdout } = await execFileP('curl', [
      '-sS', '--http1.0', '--cacert', r.caPath!, '-H', 'Content-Type: application/json', '--data', '{"v":10}',
      '-o', '/dev/null', '-w', '%{http_code}', `https://localhost:${r.port}/h10`,
    ])
    expect(stdout).toBe('200')
    expect(lastEntry('h10')).toMatchObject({ httpVersion: '1.0', status: 200, outcome: 'answered' })
    // An HTTP/1.1 client offering h2 and http/1.1 still gets HTTP/1.1 (nothing is negotiated).
    const h2 = await execFileP('curl', ['-sS', '--http2', '--cacert', r.caPath!, '-d', 'json={}', '-o', '/dev/null', '-w', '%{http_code} %{http_version}', `https://localhost:${r.port}/h2`])
    expect(h2.stdout).toBe('200 1.1')
  })

  it('Expect: 100-continue gets 100 then 200', async () => {
    const head = 'POST /ex HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n'
    const res = await rawExchange(r.url, [head, '{"a":1}'], { ca: r.ca, timeoutMs: 300, writeDelayMs: 50 })
    expect(res.text).toBe('HTTP/1.1 100 Continue\r\n\r\n' + OK)
  })
})

describe('errors', () => {
  it('no Content-Type, other Content-Type and case-mismatched type: 400 with the exact body, kept alive', async () => {
    for (const ct of [undefined, 'text/plain', 'Application/JSON']) {
      const res = await send(post('/e', '{"a":1}', ct ? { 'Content-Type': ct } : {}))
      expect(res.text).toBe(PARAM_400)
      expect(res.ending).toBe('timeout')
    }
  })

  it('non-numeric record time: 400 with Ruby message, whole request rejected', async () => {
    const res = await send(post('/tt', '[{"a":1},{"time":"2020-01-01"}]', { 'Content-Type': 'application/json' }))
    const body = "400 Bad Request\ncan't convert String into an exact number\n"
    expect(res.text).toBe(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
    expect(lastEntry('tt')!.events).toBeUndefined()
  })

  it('malformed msgpack (bytes c1 c1): 400 invalid byte, kept alive, whole request rejected', async () => {
    const res = await send(post('/mbad', Buffer.from([0xc1, 0xc1]), { 'Content-Type': 'application/msgpack' }))
    expect(res.text).toBe('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\nContent-Length: 29\r\n\r\n400 Bad Request\ninvalid byte\n')
    expect(res.ending).toBe('timeout')
    // A good value before the bad byte does not save the request (msgpack-ruby raises while unpacking it).
    const after = await send(post('/mbad2', Buffer.concat([encode({ a: 1 }), Buffer.from([0xc1])]), { 'Content-Type': 'application/msgpack' }))
    expect(after.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\n400 Bad Request\ninvalid byte\n$/)
    expect(lastEntry('mbad2')!.status).toBe(400)
    expect(lastEntry('mbad2')!.events).toBeUndefined()
  })

  it('broken gzip: 400 empty, closed', async () => {
    const res = await send(post('/bg', 'not gzip', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }))
    expect(res.text).toBe('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n')
    expect(closedEnding).toContain(res.ending)
  })

  it('GET: 200 closed; OPTIONS: 403 closed; HEAD: 400 with its body', async () => {
    const g = await send(httpRequest('GET', '/anything'))
    expect(g.text).toBe(EARLY_CLOSED_200)
    expect(closedEnding).toContain(g.ending)
    const o = await send(httpRequest('OPTIONS', '/x'))
    expect(o.text).toBe('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n')
    expect(closedEnding).toContain(o.ending)
    const h = await send('HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n')
    expect(h.text).toBe(PARAM_400)
  })

  it('PUT, DELETE and PATCH are treated like POST', async () => {
    for (const m of ['PUT', 'DELETE', 'PATCH']) {
      const res = await send(httpRequest(m, '/m', '{"a":1}', { 'Content-Type': 'application/json' }))
      expect(res.text).toBe(OK)
    }
  })

  it('Expect other than 100-continue: 417 closed', async () => {
    const res = await send(post('/x', '{}', { Expect: 'something', 'Content-Type': 'application/json' }))
    expect(res.text).toBe('HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n')
  })

  it('plain HTTP on the TLS port: reset, journaled as tls-error', async () => {
    const before = r.journal.entries({ kind: 'tls-error' }).length
    const res = await rawExchange(r.url.replace('https:', 'http:'), httpRequest('POST', '/x', '{}'), { timeoutMs: 1000 })
    expect(res.text).toBe('')
    expect(closedEnding).toContain(res.ending)
    await waitFor(() => r.journal.entries({ kind: 'tls-error' }).length > before)
  })

  it('garbage request line: no answer, connection cut', async () => {
    const res = await send('NOT HTTP AT ALL\r\n\r\n', 1000)
    expect(res.text).toBe('')
    expect(closedEnding).toContain(res.ending)
  })

  it('a TCP connection closed before its first byte is journaled once as a connection (a port probe), not as a TLS error', async () => {
    const before = r.journal.entries().length
    await new Promise<void>((resolve, reject) => {
      const s = netConnect(r.port, '127.0.0.1', () => s.end())
      s.on('close', () => resolve())
      s.on('error', reject)
    })
    const probe = await waitFor(() => r.journal.entries().slice(before).find((e) => e.kind === 'connection'))
    expect(probe).toMatchObject({ kind: 'connection', outcome: 'closed', noBytes: true })
    expect(probe.tls).toBeUndefined()
    // A handshake the client starts and gives up (a few bytes of a ClientHello) is a TLS error: an attempt.
    await new Promise<void>((resolve, reject) => {
      const s = netConnect(r.port, '127.0.0.1', () => s.end(Buffer.from([0x16, 0x03, 0x01, 0x00])))
      s.on('close', () => resolve())
      s.on('error', () => resolve())
      s.on('timeout', reject)
    })
    const tlsError = await waitFor(() => r.journal.entries().slice(before).find((e) => e.kind === 'tls-error'))
    expect(tlsError).not.toHaveProperty('noBytes')
    expect(r.journal.entries().slice(before)).toHaveLength(2)
  })
})

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

describe("Fluentd's own log lines (--output fluentd, on stdout next to the events)", () => {
  const TIME = '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}'
  const line = (text: string) => new RegExp(`^${TIME} ${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm')
  const printedAfter = async (send: () => Promise<unknown>, expected: string) => {
    const start = printed.length
    await send()
    await waitFor(() => line(expected).test(printed.slice(start)))
    expect(printed.slice(start)).toMatch(line(expected))
  }

  it('400 for a missing parameter: [error] failed to process request, RuntimeError', async () => {
    await printedAfter(() => send(post('/lg', '{"a":1}')), `[error]: #0 failed to process request error_class=RuntimeError error="'json', 'ndjson' or 'msgpack' parameter is required"`)
  })

  it('400 for a string time: [error] TypeError', async () => {
    await printedAfter(
      () => send(post('/lg', '[{"time":"2020-01-01"}]', { 'Content-Type': 'application/json' })),
      `[error]: #0 failed to process request error_class=TypeError error="can't convert String into an exact number"`,
    )
  })

  it('malformed msgpack: [error] MessagePack::MalformedFormatError', async () => {
    await printedAfter(
      () => send(post('/lg', Buffer.from([0xc1, 0xc1]), { 'Content-Type': 'application/msgpack' })),
      '[error]: #0 failed to process request error_class=MessagePack::MalformedFormatError error="invalid byte"',
    )
  })

  it('a body that does not decode: [warn] fails to decode payload', async () => {
    await printedAfter(() => send(post('/lg', 'not gzip', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })), '[warn]: #0 fails to decode payload error="not in gzip format"')
  })

  it('a garbage request line: [warn] unexpected error from the HTTP parser', async () => {
    const start = printed.length
    await send('hello world\r\n\r\n', 1000)
    await waitFor(() => /unexpected error/.test(printed.slice(start)))
    expect(printed.slice(start)).toMatch(new RegExp(`^${TIME} \\[warn\\]: #0 unexpected error error="Could not parse data entirely \\(\\d+ != 15\\)"$`, 'm'))
  })

  it('the time has no fraction and events still print as before', async () => {
    await send(post('/lg.ok', '{"ok":1}', { 'Content-Type': 'application/json' }))
    await waitFor(() => printed.includes('lg.ok: {"ok":1}'))
    expect(printed).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d{4} lg\.ok: \{"ok":1\}$/m)
  })
})

