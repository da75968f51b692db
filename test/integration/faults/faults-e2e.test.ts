/**
 * Every fault step end to end: a real receiver on 127.0.0.1:0 (TLS with the generated CA) and real
 * clients (node:https, undici, curl), asserting the symptom the client sees and the journal entry.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request as httpsRequest } from 'node:https'
import { Agent } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import { createFaultEngine, parseFaultShorthand } from '../../../src/faults/index.js'
import type { JournalEntry } from '../../../src/journal/types.js'
import { startReceiver } from '../../../src/server/index.js'
import { waitFor } from '../../helpers/receiver.js'
import { failure, sleep, tlsHandshake, viaCurl, viaHttps, viaUndici } from './clients.js'

const certDir = mkdtempSync(join(tmpdir(), 'ff-faults-'))

/** A receiver on 127.0.0.1:0; with a ManualClock its delays, refusals and deadlines wait for the test. */
async function start(plan: unknown, seed?: number, clock?: ManualClock) {
  const faults = createFaultEngine({ plan, seed, clock })
  const receiver = await startReceiver({ port: 0, certDir, faults, adminPort: 0, clock })
  onTestFinished(() => receiver.close())
  const url = `${receiver.url}/wallarm.alerts`
  return { receiver, url, ca: receiver.ca, caPath: receiver.caPath!, faults }
}

/** Journal entries once every one has ended (or `timeoutMs` passed). */
async function settled(receiver: { journal: { entries(): JournalEntry[] } }, count: number, timeoutMs = 3000): Promise<JournalEntry[]> {
  const until = performance.now() + timeoutMs
  for (;;) {
    const entries = receiver.journal.entries()
    if ((entries.length >= count && entries.every((e) => e.endedAt !== undefined)) || performance.now() > until) return entries
    await sleep(20)
  }
}

describe('faults end to end: statuses and sequences', () => {
  it('--fault 503: every client sees 503; the journal names the rule and step with times', async () => {
    const { receiver, url, ca, caPath } = await start(parseFaultShorthand(['503']))
    expect((await viaHttps(url, ca)).status).toBe(503)
    expect((await viaUndici(url, ca)).status).toBe(503)
    expect((await viaCurl(url, caPath)).status).toBe(503)
    const entries = await settled(receiver, 3)
    expect(entries).toHaveLength(3)
    for (const e of entries) {
      expect(e.status).toBe(503)
      expect(e.fault).toMatchObject({ ruleIndex: 0, ruleId: '503', step: 'then' })
      expect(e.fault!.explain).toMatch(/^respond 503 \(rule 0 "503", then \(use \d\)\)$/)
      expect(e.receivedAt).toBeTypeOf('number')
      expect(e.endedAt).toBeGreaterThanOrEqual(e.receivedAt)
      expect(e.endedMono).toBeGreaterThanOrEqual(e.receivedMono)
    }
  })

  it('500x3,200: three 500s then 200, each entry says which step', async () => {
    const { receiver, url, ca } = await start(parseFaultShorthand(['500x3,200']))
    const dispatcher = new Agent({ connect: { ca } })
    onTestFinished(() => dispatcher.destroy())
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push((await viaUndici(url, ca, { dispatcher })).status)
    expect(statuses).toEqual([500, 500, 500, 200, 200])
    const entries = await settled(receiver, 5)
    expect(entries.map((e) => e.fault?.step)).toEqual([0, 0, 0, 'then', 'then'])
    // The 200 ends the delivery: the fifth post of the same body is attempt 1 of a new one.
    expect(entries.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 1])
    expect(entries[1]!.fault!.explain).toBe('respond 500 (rule 0 "500x3,200", step 1 of 1, use 2 of 3)')
    // the 200 is a delivery: events emitted
    expect(entries[3]!.events?.length).toBe(1)
  })

  it('matchers: only PUT with X-Env: ci is failed; attempts 1-2 only', async () => {
    const { url, ca } = await start(parseFaultShorthand(['PUT header=X-Env:ci 502', 'attempt=1-2 429']))
    expect((await viaUndici(url, ca, { method: 'PUT', headers: { 'x-env': 'ci' } })).status).toBe(502)
    expect((await viaUndici(url, ca, { method: 'PUT', headers: { 'x-env': 'prod' }, body: '[{"a":1}]' })).status).toBe(429)
    expect((await viaUndici(url, ca, { method: 'PUT', headers: { 'x-env': 'prod' }, body: '[{"a":1}]' })).status).toBe(429)
    expect((await viaUndici(url, ca, { method: 'PUT', headers: { 'x-env': 'prod' }, body: '[{"a":1}]' })).status).toBe(200)
  })

  it('status with Retry-After, headers and body', async () => {
    const { url, ca } = await start({ rules: [{ steps: [{ status: 429, retryAfter: 30, body: 'slow down', headers: { 'X-Fault': 'yes' } }] }] })
    const started = performance.now()
    const got = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      void (async () => {
        try {
          const { request } = await import('undici')
          const dispatcher = new Agent({ connect: { ca } })
          const res = await request(url, { method: 'POST', body: '[]', headers: { 'content-type': 'application/json' }, dispatcher })
          resolve({ status: res.statusCode, headers: res.headers, body: await res.body.text() })
          await dispatcher.close()
        } catch (err) {
          reject(err as Error)
        }
      })()
    })
    expect(got).toMatchObject({ status: 429, body: 'slow down', headers: { 'retry-after': '30', 'x-fault': 'yes' } })
    expect(performance.now() - started).toBeLessThan(5000)
  })

  it('rate=0.5:503 under a seed: the same statuses on two receivers, each draw journaled', async () => {
    const runOnce = async (): Promise<{ statuses: number[]; draws: unknown[] }> => {
      const { receiver, url, ca } = await start(parseFaultShorthand(['rate=0.5:503']), 1234)
      const statuses: number[] = []
      for (let i = 0; i < 12; i++) statuses.push((await viaUndici(url, ca, { body: `[{"i":${i}}]` })).status)
      const entries = await settled(receiver, 12)
      return { statuses, draws: entries.map((e) => e.fault?.draw) }
    }
    const a = await runOnce()
    const b = await runOnce()
    expect(a.statuses).toEqual(b.statuses)
    expect(a.draws).toEqual(b.draws)
    expect(a.statuses).toContain(503)
    expect(a.statuses).toContain(200)
    expect(a.draws[0]).toMatchObject({ seed: 1234, n: 1, probability: 0.5 })
  })
})

/** Whether a promise has settled yet. */
function track<T>(p: Promise<T>): { readonly settled: boolean; promise: Promise<T> } {
  const state = { settled: false, promise: p }
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  )
  return state
}

describe('faults end to end: timing (on a ManualClock: the network is real, only the waits are driven)', () => {
  it('delay=600ms:200: nothing is answered before the delay has passed on the clock', async () => {
    const clock = new ManualClock()
    const { receiver, url, ca, caPath } = await start(parseFaultShorthand(['delay=600ms:200']), undefined, clock)
    for (const client of [() => viaUndici(url, ca), () => viaCurl(url, caPath)] as (() => Promise<{ status: number }>)[]) {
      const t0 = clock.now()
      const answer = track(client())
      const entry = await waitFor(() => receiver.journal.entries().find((e) => e.fault !== undefined && e.outcome === 'pending'))
      await clock.advance(599)
      expect(answer.settled).toBe(false)
      expect(entry.outcome).toBe('pending')
      await clock.advance(1)
      expect((await answer.promise).status).toBe(200)
      expect(entry.receivedMono).toBe(t0)
      expect(entry.endedMono! - entry.receivedMono).toBe(600)
    }
  })

  it('slow=1s: status and headers at once, the body ends only once the duration has passed', async () => {
    const clock = new ManualClock()
    const { receiver, url, ca } = await start(parseFaultShorthand(['slow=1s:202']), undefined, clock)
    const got = { status: 0, body: '', ended: false }
    const headers = new Promise<void>((resolve, reject) => {
      const req = httpsRequest(url, { method: 'POST', ca, agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        got.status = res.statusCode ?? 0
        res.setEncoding('utf8')
        res.on('data', (c: string) => (got.body += c))
        res.on('end', () => (got.ended = true))
        resolve()
      })
      req.on('error', reject)
      req.end('[{"a":1}]')
    })
    await headers
    expect(got.status).toBe(202)
    expect(receiver.journal.entries()[0]).toMatchObject({ status: 202, outcome: 'answered' })
    await clock.advance(500)
    // The last pieces have not been written: the body is incomplete whatever the network does.
    expect(got.ended).toBe(false)
    await clock.advance(500)
    await waitFor(() => got.ended)
    expect(got.body).toBe(' '.repeat(16))
  })
})

describe('faults end to end: connection faults', () => {
  it('reset: the client sees ECONNRESET (node:https, undici, curl)', async () => {
    const { receiver, url, ca, caPath } = await start(parseFaultShorthand(['reset']))
    expect((await failure(viaHttps(url, ca))).code).toBe('ECONNRESET')
    const u = await failure(viaUndici(url, ca))
    expect([u.code, (u.cause as { code?: string } | undefined)?.code]).toContain('ECONNRESET')
    const c = await viaCurl(url, caPath)
    expect(c.exitCode).not.toBe(0)
    expect(c.stderr).toMatch(/reset|Recv failure|SSL_read|connection/i)
    const entries = await settled(receiver, 3)
    expect(entries[0]).toMatchObject({ outcome: 'reset', fault: { ruleIndex: 0, step: 'then' } })
    expect(entries[0]!.endedAt).toBeGreaterThanOrEqual(entries[0]!.receivedAt)
  })

  it('close: socket hang up (node:https), other side closed (undici)', async () => {
    const { receiver, url, ca } = await start(parseFaultShorthand(['close']))
    const h = await failure(viaHttps(url, ca))
    expect(h.message).toBe('socket hang up')
    const u = await failure(viaUndici(url, ca))
    expect(u.code).toBe('UND_ERR_SOCKET')
    expect(u.message).toMatch(/other side closed/)
    const entries = await settled(receiver, 2)
    expect(entries[0]).toMatchObject({ outcome: 'closed', fault: { explain: 'close the connection without answering (rule 0 "close", then (use 1))' } })
  })

  it('stall-tls: TCP connects but the handshake never completes; undici reports a connect timeout', async () => {
    const { receiver, url, ca } = await start(parseFaultShorthand(['stall-tls']))
    const port = receiver.port
    const hs = await tlsHandshake(port, ca, 600)
    expect(hs).toEqual({ tcp: true, secure: false })
    const started = performance.now()
    const u = await failure(viaUndici(url, ca, { connectTimeoutMs: 300 }))
    expect(u.code).toBe('UND_ERR_CONNECT_TIMEOUT')
    expect(performance.now() - started).toBeLessThan(5000)
    const entries = receiver.journal.entries()
    expect(entries[0]).toMatchObject({ kind: 'connection', fault: { ruleIndex: 0, step: 'then' } })
    expect(entries[0]!.fault!.explain).toMatch(/^stall the TLS handshake/)
  })

  it('stall-tlsx2,200: two connect timeouts, then a delivery', async () => {
    const { receiver, url, ca } = await start(parseFaultShorthand(['stall-tlsx2,200']))
    const outcomes: string[] = []
    for (let i = 0; i < 3; i++) {
      try {
        outcomes.push(String((await viaUndici(url, ca, { connectTimeoutMs: 300 })).status))
      } catch (err) {
        outcomes.push((err as { code?: string }).code ?? 'error')
      }
    }
    expect(outcomes).toEqual(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', '200'])
    const entries = await settled(receiver, 3, 500)
    expect(entries.map((e) => [e.kind, e.fault?.step])).toEqual([
      ['connection', 0],
      ['connection', 0],
      ['request', 'then'],
    ])
  })

  it('refuse=1s: ECONNRESET, then ECONNREFUSED while refusing, then accepted again once 1 s passed on the clock', async () => {
    const clock = new ManualClock()
    const { receiver, url, ca } = await start(parseFaultShorthand(['refuse=1sx1']), undefined, clock)
    expect((await failure(viaHttps(url, ca))).code).toBe('ECONNRESET')
    expect(receiver.refusing).toBe(true)
    const refused = await failure(viaHttps(url, ca))
    expect(refused.code).toBe('ECONNREFUSED')
    await clock.advance(999)
    expect(receiver.refusing).toBe(true)
    expect((await failure(viaHttps(url, ca))).code).toBe('ECONNREFUSED')
    await clock.advance(1)
    await waitFor(() => !receiver.refusing)
    expect((await viaHttps(url, ca)).status).toBe(200)
    const entries = await settled(receiver, 2)
    expect(entries[0]).toMatchObject({ outcome: 'refused', fault: { step: 0 } })
  })

  it('hang: never answered however long the clock runs, while other requests, the admin API and shutdown still work', async () => {
    const clock = new ManualClock()
    const plan = { rules: [{ match: { header: { 'X-Hang': { present: true } } }, then: { action: 'hang' } }] }
    const { receiver, url, ca } = await start(plan, undefined, clock)
    const hung = track(viaHttps(url, ca, { headers: { 'x-hang': '1' } }))
    const hungUndici = track(viaUndici(url, ca, { headers: { 'x-hang': '1' } }))
    await waitFor(() => receiver.journal.entries().filter((e) => e.fault?.explain.startsWith('hang')).length === 2)
    // An hour on the clock: no idle timeout or deadline cuts an exchange a fault holds.
    await clock.advance(3_600_000)
    expect((await viaUndici(url, ca)).status).toBe(200)
    expect(hung.settled).toBe(false)
    expect(hungUndici.settled).toBe(false)
    const health = await fetch(`${receiver.adminUrl}/api/health`)
    expect(health.status).toBe(200)
    const pending = receiver.journal.entries().filter((e) => e.fault?.explain.startsWith('hang'))
    expect(pending).toHaveLength(2)
    expect(pending[0]!.endedAt).toBeUndefined()
    const started = performance.now()
    await receiver.close()
    expect(performance.now() - started).toBeLessThan(1200)
    expect((await failure(hung.promise)).message).toMatch(/socket hang up|ECONNRESET/)
    await failure(hungUndici.promise)
    expect(pending.map((e) => e.outcome)).toEqual(['hung', 'hung'])
  })
})
