/**
 * in_http parity over HTTPS with raw TLS sockets: exact status lines, header order and bodies, and
 * how the connection ends, for the cases listed in docs/design.md "Answering as Fluentd": the
 * answers to what Fluentd accepts, and to what it refuses. Limits and options: parity-limits.test.ts;
 * Fluentd's own log lines: fluentd-log.test.ts.
 */
import { gzipSync, deflateSync } from 'node:zlib'
import { encode } from '@msgpack/msgpack'
import { execFile } from 'node:child_process'
import { connect as netConnect } from 'node:net'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { httpRequest, rawExchange, waitFor } from '../../helpers/receiver.js'
import { CLOSED_200, EARLY_CLOSED_200, OK, PARAM_400, closedEnding, parityReceiver, post } from './parity-shared.js'

const p = parityReceiver()
const { send, lastEntry } = p
const execFileP = promisify(execFile)

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
      expect(p.r.journal.entries().at(-1)!.tag).toBe(tag)
    }
  })

  it('an absolute-form target (POST https://localhost/abs.tag): the tag comes from the URI\'s path', async () => {
    const res = await send(post('https://localhost/abs.tag', '{"a":1}', { 'Content-Type': 'application/json' }))
    expect(res.text).toBe(OK)
    expect(p.r.journal.entries().at(-1)).toMatchObject({ tag: 'abs.tag', path: '/abs.tag', url: 'https://localhost/abs.tag' })
    expect(lastEntry('abs.tag')!.events!.map((x) => x.record)).toEqual([{ a: 1 }])
    await send(post('http://localhost?json=' + encodeURIComponent('{"q":2}'), ''))
    expect(p.r.journal.entries().at(-1)).toMatchObject({ tag: '', path: '/' })
    expect(p.r.journal.entries().at(-1)!.events!.map((x) => x.record)).toEqual([{ q: 2 }])
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
      '-sS', '--http1.0', '--cacert', p.r.caPath!, '-H', 'Content-Type: application/json', '--data', '{"v":10}',
      '-o', '/dev/null', '-w', '%{http_code}', `https://localhost:${p.r.port}/h10`,
    ])
    expect(stdout).toBe('200')
    expect(lastEntry('h10')).toMatchObject({ httpVersion: '1.0', status: 200, outcome: 'answered' })
    // An HTTP/1.1 client offering h2 and http/1.1 still gets HTTP/1.1 (nothing is negotiated).
    const h2 = await execFileP('curl', ['-sS', '--http2', '--cacert', p.r.caPath!, '-d', 'json={}', '-o', '/dev/null', '-w', '%{http_code} %{http_version}', `https://localhost:${p.r.port}/h2`])
    expect(h2.stdout).toBe('200 1.1')
  })

  it('Expect: 100-continue gets 100 then 200', async () => {
    const head = 'POST /ex HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n'
    const res = await rawExchange(p.r.url, [head, '{"a":1}'], { ca: p.r.ca, timeoutMs: 300, writeDelayMs: 50 })
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
    const before = p.r.journal.entries({ kind: 'tls-error' }).length
    const res = await rawExchange(p.r.url.replace('https:', 'http:'), httpRequest('POST', '/x', '{}'), { timeoutMs: 1000 })
    expect(res.text).toBe('')
    expect(closedEnding).toContain(res.ending)
    await waitFor(() => p.r.journal.entries({ kind: 'tls-error' }).length > before)
  })

  it('garbage request line: no answer, connection cut', async () => {
    const res = await send('NOT HTTP AT ALL\r\n\r\n', 1000)
    expect(res.text).toBe('')
    expect(closedEnding).toContain(res.ending)
  })

  it('a TCP connection closed before its first byte is journaled once as a connection (a port probe), not as a TLS error', async () => {
    const before = p.r.journal.entries().length
    await new Promise<void>((resolve, reject) => {
      const s = netConnect(p.r.port, '127.0.0.1', () => s.end())
      s.on('close', () => resolve())
      s.on('error', reject)
    })
    const probe = await waitFor(() => p.r.journal.entries().slice(before).find((e) => e.kind === 'connection'))
    expect(probe).toMatchObject({ kind: 'connection', outcome: 'closed', noBytes: true })
    expect(probe.tls).toBeUndefined()
    // A handshake the client starts and gives up (a few bytes of a ClientHello) is a TLS error: an attempt.
    await new Promise<void>((resolve, reject) => {
      const s = netConnect(p.r.port, '127.0.0.1', () => s.end(Buffer.from([0x16, 0x03, 0x01, 0x00])))
      s.on('close', () => resolve())
      s.on('error', () => resolve())
      s.on('timeout', reject)
    })
    const tlsError = await waitFor(() => p.r.journal.entries().slice(before).find((e) => e.kind === 'tls-error'))
    expect(tlsError).not.toHaveProperty('noBytes')
    expect(p.r.journal.entries().slice(before)).toHaveLength(2)
  })
})
