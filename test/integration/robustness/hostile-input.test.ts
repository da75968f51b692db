/**
 * Hostile input (issue 8): each case gets a clear status (or Fluentd's reset), the process survives,
 * nothing hangs, the journal says what happened, and no prototype is polluted. Long cases (10k idle
 * connections, handshake floods, memory over time) are in test/soak/.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encode } from '@msgpack/msgpack'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { request } from 'undici'
import { createValidator } from '../../../src/validation/index.js'
import type { JournalEntry } from '../../../src/journal/types.js'
import type { Receiver } from '../../../src/receiver/types.js'
import { agentFor, httpRequest, rawExchange, startTestReceiver, waitFor } from '../../helpers/receiver.js'

const IDLE_MS = 500
const PARAM_400 = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\nContent-Length: 68\r\n\r\n400 Bad Request\n'json', 'ndjson' or 'msgpack' parameter is required\n"

let r: Receiver
let strict: Receiver
let file: string
const printed: string[] = []
const internalErrors: unknown[] = []
const protoKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort()

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'ff-hostile-')), 'journal.ndjson')
  const validator = createValidator()
  r = await startTestReceiver({
    autoClose: false,
    journalFile: file,
    validator,
    validate: 'warn',
    output: { mode: 'fluentd', write: (t) => void printed.push(t), warn: () => {} },
    adminPort: 0,
    bodyLimit: 64 * 1024,
    idleTimeoutMs: IDLE_MS,
    onError: (e) => internalErrors.push(e),
  })
  strict = await startTestReceiver({ autoClose: false, strictParse: true, output: 'none', onError: (e) => internalErrors.push(e) })
})
afterAll(async () => {
  await r.close()
  await strict.close()
})

const json = (body: string | Buffer, path = '/t', headers: Record<string, string> = {}) =>
  httpRequest('POST', path, '', { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers }) + ''

/**
 * Writes raw bytes over TLS and resolves as soon as one complete response (head + Content-Length
 * body) arrived, or the server ended/reset the connection, or `timeoutMs` passed.
 */
function send(target: Receiver, head: string, body: string | Buffer = '', timeoutMs = 5000): Promise<{ text: string; ending: string }> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0)
    let done = false
    const finish = (ending: string): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      resolve({ text: data.toString('latin1'), ending })
    }
    const sock = tlsConnect({ port: target.port, host: '127.0.0.1', ca: target.ca, servername: 'localhost' }, () => {
      sock.write(Buffer.from(head, 'latin1'))
      if (body.length > 0) sock.write(body)
    })
    sock.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d])
      const text = data.toString('latin1')
      const end = text.indexOf('\r\n\r\n')
      const cl = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end))
      if (end >= 0 && cl && data.length >= end + 4 + Number(cl[1])) finish('answered')
    })
    sock.on('end', () => finish('end'))
    sock.on('close', () => finish('end'))
    sock.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNRESET' ? 'reset' : `error:${err.code ?? err.message}`))
    const timer = setTimeout(() => finish('timeout'), timeoutMs)
  })
}
const status = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
const last = (target: Receiver, pred: (e: JournalEntry) => boolean = () => true) => target.journal.entries().filter(pred).at(-1)

/** The receiver still answers a normal request (no crash, no wedge). */
async function stillServes(target: Receiver = r): Promise<void> {
  const res = await send(target, json('{"ok":1}'), '{"ok":1}')
  expect(status(res.text)).toBe(200)
}

describe('malformed bodies', () => {
  it.each([
    ['malformed JSON', '{"a":'],
    ['truncated hit', '{"summary":"[Wallarm] New hit detected","details":{"client_name":"Te'],
    ['trailing garbage', '{"a":1}xyz'],
    ['NUL bytes', '{"a":"\u0000"}\u0000\u0000'],
  ])('%s: 200 and nothing emitted (Fluentd), 400 with --strict-parse', async (_name, body) => {
    const res = await send(r, json(body), body)
    expect(status(res.text)).toBe(200)
    const e = last(r)!
    expect(e.events ?? []).toEqual([])
    expect(e.error).toMatch(/ignored: invalid JSON/)
    const s = await send(strict, json(body), body)
    expect(status(s.text)).toBe(400)
    expect(s.text).toMatch(/invalid JSON/)
  })

  it.each([
    ['object', (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)],
    ['array in an object', (n: number) => '{"a":' + '['.repeat(n) + ']'.repeat(n) + '}'],
    ['array', (n: number) => '['.repeat(n) + ']'.repeat(n)],
  ])('100k levels of nesting (%s): answered, dropped with a reason, no RangeError anywhere', async (_name, make) => {
    const body = make(100_000)
    const target = await startTestReceiver({ journalFile: file + '.deep', validator: createValidator(), output: { mode: 'fluentd', write: () => {} }, adminPort: 0, onError: (e) => internalErrors.push(e) })
    const res = await send(target, json(body), body)
    expect(status(res.text)).toBe(200)
    expect(last(target)!.error).toMatch(/nested deeper than 1000 levels|non-object/)
    const s = await send(strict, json(body), body)
    expect(status(s.text)).toBe(400)
    const admin = await request(`${target.adminUrl}/api/requests`)
    expect(admin.statusCode).toBe(200)
    expect(((await admin.body.json()) as unknown[]).length).toBe(1)
    await stillServes(target)
  })

  it('999 levels (under the limit) are accepted and journaled, printed and served by the admin API', async () => {
    const body = '{"deep":' + '['.repeat(998) + ']'.repeat(998) + '}'
    const before = printed.length
    const res = await send(r, json(body), body)
    expect(status(res.text)).toBe(200)
    expect(last(r)!.events).toHaveLength(1)
    await waitFor(() => printed.length > before)
    const admin = await request(`${r.adminUrl}/api/requests?limit=1`)
    expect(admin.statusCode).toBe(200)
    await admin.body.dump()
  })

  it('huge numbers and long strings: 200; Infinity record time is a 400 as in Fluentd', async () => {
    const nums = `{"n":1e999999,"m":-1e999999,"big":${'9'.repeat(5000)},"tiny":1e-999999}`
    expect(status((await send(r, json(nums), nums)).text)).toBe(200)
    expect(last(r)!.events).toHaveLength(1)
    const str = JSON.stringify({ s: 'x'.repeat(60_000) })
    expect(status((await send(r, json(str), str)).text)).toBe(200)
    expect(last(r)!.bodySize).toBe(str.length)
    const time = '{"time":1e999}'
    const t = await send(r, json(time), time)
    expect(status(t.text)).toBe(400)
    expect(t.text).toMatch(/can't convert/)
  })

  it('invalid UTF-8: 200, the event has replacement characters, the file line is valid JSON', async () => {
    const body = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22, 0x7d])
    const res = await send(r, json(body), body)
    expect(status(res.text)).toBe(200)
    expect(last(r)!.events?.[0]?.record['a']).toContain('\ufffd')
  })
})

describe('prototype pollution', () => {
  const evil = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"details":{"__proto__":{"notification_type":"x"}}}'
  it('__proto__/constructor keys in JSON, NDJSON, form, msgpack and the query are plain data everywhere', async () => {
    expect(status((await send(r, json(evil), evil)).text)).toBe(200)
    const nd = evil + '\n' + evil
    expect(status((await send(r, json(nd, '/t', { 'Content-Type': 'application/x-ndjson' }), nd)).text)).toBe(200)
    const form = `json=${encodeURIComponent(evil)}&__proto__=1&constructor=2`
    expect(status((await send(r, json(form, '/t?__proto__[polluted]=yes&time=__proto__', { 'Content-Type': 'application/x-www-form-urlencoded' }), form)).text)).toBe(200)
    expect(last(r)!.events).toHaveLength(1)
    // @msgpack/msgpack refuses a __proto__ map key: the body is invalid msgpack (200, nothing emitted).
    const mp = Buffer.from(encode(JSON.parse(evil)))
    expect(status((await send(r, json(mp, '/t', { 'Content-Type': 'application/msgpack' }), mp)).text)).toBe(200)
    expect(last(r)!.error).toMatch(/invalid msgpack/)
    // Admin API: the query parser, the fault-plan body and the JSON answers.
    const q = await request(`${r.adminUrl}/api/requests?__proto__[polluted]=yes&constructor[prototype][polluted]=yes`)
    await q.body.dump()
    const put = await request(`${r.adminUrl}/api/faults`, { method: 'PUT', body: evil, headers: { 'content-type': 'application/json' } })
    expect(put.statusCode).toBe(400)
    await put.body.dump()
    const list = await request(`${r.adminUrl}/api/requests?tag=t`)
    expect(JSON.stringify(await list.body.json())).toContain('"__proto__":{"polluted":"yes"}')
    // Nothing leaked into any prototype, and the file lines carry the key as data.
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeysBefore)
    expect(readFileSync(file, 'utf8')).toContain('"__proto__":{"polluted":"yes"}')
    expect(internalErrors).toEqual([])
  })
})

describe('HTTP-level abuse', () => {
  it('wrong and missing Content-Type: Fluentd 400 with its exact body, connection kept', async () => {
    for (const ct of ['text/plain', 'Application/JSON', '']) {
      const head = httpRequest('POST', '/t', '', ct ? { 'Content-Type': ct, 'Content-Length': '7' } : { 'Content-Length': '7' })
      const res = await send(r, head, '{"a":1}')
      expect(res.text).toBe(PARAM_400)
    }
  })

  it('oversize body: 413 Too large and the connection is cut', async () => {
    const body = 'x'.repeat(100 * 1024)
    const res = await send(r, json(body), body)
    expect(status(res.text)).toBe(413)
    expect(res.text.endsWith('Too large')).toBe(true)
    expect(res.ending).not.toBe('timeout')
  })

  it('Content-Length shorter than the body: the rest is a garbage request, reset and journaled', async () => {
    const res = await rawExchange(r.url, httpRequest('POST', '/short', '', { 'Content-Type': 'application/json', 'Content-Length': '5' }) + '{"a":1}', { ca: r.ca, timeoutMs: 5000 })
    // The RST may overtake the 200 on the client side; the journal has both.
    expect(res.ending).toBe('reset')
    const first = await waitFor(() => last(r, (e) => e.tag === 'short'))
    expect(first.status).toBe(200) // the first 5 bytes: invalid JSON, dropped as Fluentd does
    expect(first.error).toMatch(/invalid JSON/)
    await waitFor(() => last(r, (e) => e.connectionId === first.connectionId && /unparseable HTTP/.test(e.error ?? '')))
  })

  it('Content-Length longer than the body: reset after the idle timeout, journaled as such', async () => {
    const t0 = Date.now()
    const res = await send(r, httpRequest('POST', '/slow', '', { 'Content-Type': 'application/json', 'Content-Length': '100' }), '{"a":1}', 5000)
    expect(res.ending).toBe('reset')
    expect(res.text).toBe('')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(IDLE_MS - 50)
    const e = await waitFor(() => last(r, (x) => x.tag === 'slow'))
    expect(e.outcome).toBe('reset')
    expect(e.error).toMatch(/idle timeout/)
  })

  it('slowloris headers and body: reset after the idle timeout; a connection that never completed a request is journaled', async () => {
    const res = await rawExchange(r.url, ['POST /loris HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n'], { ca: r.ca, writeDelayMs: 100, timeoutMs: 5000 })
    expect(res.ending).toBe('reset')
    await waitFor(() => last(r, (e) => e.kind === 'connection' && /idle timeout/.test(e.error ?? '')))
    const body = await rawExchange(r.url, [json('{"a":1}', '/loris-body').replace('Content-Length: 7', 'Content-Length: 7'), '{"a"'], { ca: r.ca, writeDelayMs: 100, timeoutMs: 5000 })
    expect(body.ending).toBe('reset')
    await stillServes()
  })

  it('garbage request lines: no answer, reset (as Fluentd), journaled', async () => {
    for (const garbage of ['GARBAGE\r\n\r\n', '\x00\x01\x02\x03\r\n\r\n', 'POST /t HTTP/9.9\r\n\r\n', 'POST  /t  HTTP/1.1 x\r\nHost x\r\n\r\n']) {
      const n = r.journal.entries().length
      const res = await send(r, garbage)
      expect(res.text).toBe('')
      expect(res.ending).toBe('reset')
      await waitFor(() => r.journal.entries().slice(n).some((e) => /unparseable HTTP/.test(e.error ?? '')))
    }
  })

  it('request smuggling: CL+TE, duplicate CL, bad chunk sizes are rejected, nothing emitted, journaled', async () => {
    const cases = [
      'POST /smuggle HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n{"a":1}\r\n0\r\n\r\nPOST /inner HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nContent-Type: application/json\r\n\r\n{"b":2}',
      'POST /smuggle HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\nContent-Length: 50\r\n\r\n{"a":1}',
      'POST /smuggle HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{"a":1}\r\n0\r\n\r\n',
      'POST /smuggle HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked, identity\r\n\r\n7\r\n{"a":1}\r\n0\r\n\r\n',
    ]
    for (const raw of cases) {
      const n = r.journal.entries().length
      const res = await send(r, raw)
      expect(status(res.text)).not.toBe(200)
      expect(res.ending).toBe('reset')
      await waitFor(() => r.journal.entries().slice(n).some((e) => /unparseable HTTP: HPE_/.test(e.error ?? '')))
      expect(r.journal.entries().slice(n).some((e) => e.tag === 'inner' || (e.events?.length ?? 0) > 0)).toBe(false)
    }
    // A chunked body that *contains* a request is just a body: one request, the inner text is data.
    const body = 'POST /inner HTTP/1.1\r\n\r\n'
    const chunked = `POST /outer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`
    const res = await send(r, chunked)
    expect(status(res.text)).toBe(200)
    expect(r.journal.entries().some((e) => e.tag === 'inner')).toBe(false)
  })
})

describe('TLS-level abuse and connection floods', () => {
  it('plain HTTP and random bytes on the TLS port: reset, journaled as tls-error', async () => {
    for (const bytes of [Buffer.from(httpRequest('GET', '/')), Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) & 255))]) {
      const n = r.journal.entries().length
      const res = await rawExchange(r.url.replace('https:', 'http:'), bytes, { timeoutMs: 3000 })
      expect(res.ending).toMatch(/reset|end/)
      await waitFor(() => r.journal.entries().slice(n).some((e) => e.kind === 'tls-error'))
    }
  })

  it('a flood of 300 silent TCP connections and 100 idle TLS connections: all cut after the idle timeout, service goes on', async () => {
    const socks: Socket[] = []
    const closed: Promise<void>[] = []
    const track = (s: Socket): void => {
      s.on('error', () => {})
      closed.push(new Promise((res) => s.once('close', () => res())))
      socks.push(s)
    }
    for (let i = 0; i < 300; i++) track(netConnect({ port: r.port, host: '127.0.0.1' }))
    for (let i = 0; i < 100; i++) track(tlsConnect({ port: r.port, host: '127.0.0.1', ca: r.ca, servername: 'localhost' }))
    await new Promise((res) => setTimeout(res, 100))
    await stillServes()
    const agent = agentFor(r)
    const ok = await request(`${r.url}/during`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, dispatcher: agent })
    expect(ok.statusCode).toBe(200)
    await ok.body.dump()
    await Promise.race([Promise.all(closed), new Promise((_, rej) => setTimeout(() => rej(new Error('idle connections not cut')), IDLE_MS * 10))])
    for (const s of socks) s.destroy()
  })

  it('the process is intact: no internal errors contained, no polluted prototypes', () => {
    expect(internalErrors).toEqual([])
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoKeysBefore)
  })
})
