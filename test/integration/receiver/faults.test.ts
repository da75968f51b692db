/**
 * The receiver carries out every fault action the engine decides, with an inline FaultEngine (the
 * contract only) and with the faults part's createFaultEngine.
 */
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { ManualClock } from '../../../src/clock/index.js'
import { createFaultEngine } from '../../../src/faults/index.js'
import type { ConnectionDecision, FaultEngine, RequestDecision, RequestFacts } from '../../../src/faults/types.js'
import { agentFor, httpRequest, rawExchange, startTestReceiver, waitFor } from '../../helpers/receiver.js'

/** A FaultEngine that answers from fixed decisions and records the facts it was asked about. */
function inlineEngine(req: Partial<RequestDecision> & Pick<RequestDecision, 'action'>, conn?: ConnectionDecision) {
  const seen: RequestFacts[] = []
  const engine: FaultEngine = {
    decideConnection: () => conn ?? { delayMs: 0, action: { type: 'accept' } },
    decideRequest: (facts) => {
      seen.push(facts)
      return { delayMs: 0, applied: { ruleIndex: 0, step: 0, explain: `inline ${req.action.type}` }, ...req }
    },
    describe: () => ({ inline: true }),
    setPlan: () => {},
    clear: () => {},
    resetCounters: () => {},
  }
  return { engine, seen }
}

const json = (body: string) => httpRequest('POST', '/wallarm', body, { 'Content-Type': 'application/json' })

describe('request actions', () => {
  it('respond: status, body and headers; 2xx emits events, other statuses do not', async () => {
    const { engine, seen } = inlineEngine({ action: { type: 'respond', status: 503, body: 'busy', headers: { 'Retry-After': '1' } } })
    const r = await startTestReceiver({ faults: engine })
    const res = await rawExchange(r.url, json('{"a":1}'), { ca: r.ca, timeoutMs: 250 })
    expect(res.text).toBe('HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\nContent-Length: 4\r\n\r\nbusy')
    const e = r.journal.entries().at(-1)!
    expect(e).toMatchObject({ status: 503, outcome: 'answered', fault: { explain: 'inline respond' } })
    expect(e.events).toBeUndefined()
    expect(seen[0]).toMatchObject({ method: 'POST', path: '/wallarm', tag: 'wallarm', attempt: 1 })

    const ok = inlineEngine({ action: { type: 'respond', status: 201 } })
    const r2 = await startTestReceiver({ faults: ok.engine })
    await rawExchange(r2.url, json('{"a":1}'), { ca: r2.ca, timeoutMs: 200 })
    expect(r2.journal.entries().at(-1)!.events!.map((x) => x.record)).toEqual([{ a: 1 }])
  })

  it('respond 2xx to a body that does not decode: the fault\'s answer, no events (not the 400 Fluentd would send)', async () => {
    const { engine } = inlineEngine({ action: { type: 'respond', status: 201 } })
    const r = await startTestReceiver({ faults: engine })
    const req = httpRequest('POST', '/wallarm', 'not gzip', { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })
    const res = await rawExchange(r.url, req, { ca: r.ca, timeoutMs: 250 })
    expect(res.text).toMatch(/^HTTP\/1\.1 201 /)
    const e = r.journal.entries().at(-1)!
    expect(e).toMatchObject({ status: 201, outcome: 'answered' })
    expect(e.events).toBeUndefined()
  })

  it('attempt counts failed requests with the same tag and body (a 2xx ends the delivery: src/deliveries)', async () => {
    const { engine, seen } = inlineEngine({ action: { type: 'respond', status: 500 } })
    const r = await startTestReceiver({ faults: engine })
    const agent = agentFor(r)
    for (const body of ['{"a":1}', '{"a":1}', '{"a":2}', '{"a":1}']) {
      const res = await request(`${r.url}/wallarm`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent })
      await res.body.dump()
    }
    expect(seen.map((f) => f.attempt)).toEqual([1, 2, 1, 3])
  })

  it('delayMs delays the answer', async () => {
    const { engine } = inlineEngine({ delayMs: 300, action: { type: 'pass' } })
    const r = await startTestReceiver({ faults: engine })
    const t0 = Date.now()
    const res = await request(`${r.url}/wallarm`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, dispatcher: agentFor(r) })
    await res.body.dump()
    expect(res.statusCode).toBe(200)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290)
  })

  it('hang: no answer; settled as hung when the client gives up', async () => {
    const { engine } = inlineEngine({ action: { type: 'hang' } })
    const r = await startTestReceiver({ faults: engine })
    const res = await rawExchange(r.url, json('{}'), { ca: r.ca, timeoutMs: 300 })
    expect(res.text).toBe('')
    expect(res.ending).toBe('timeout')
    await waitFor(() => r.journal.entries().at(-1)!.outcome === 'hung')
  })

  it('reset: RST without an answer', async () => {
    const { engine } = inlineEngine({ action: { type: 'reset' } })
    const r = await startTestReceiver({ faults: engine })
    const res = await rawExchange(r.url, json('{}'), { ca: r.ca, timeoutMs: 1000 })
    expect(res.text).toBe('')
    expect(['reset', 'end']).toContain(res.ending)
    expect(r.journal.entries().at(-1)!.outcome).toBe('reset')
    const err = await request(`${r.url}/wallarm`, { method: 'POST', body: '{}', dispatcher: agentFor(r) }).catch((e: Error & { code?: string }) => e)
    expect(err).toBeInstanceOf(Error)
  })

  it('close: FIN without an answer', async () => {
    const { engine } = inlineEngine({ action: { type: 'close' } })
    const r = await startTestReceiver({ faults: engine })
    const res = await rawExchange(r.url, json('{}'), { ca: r.ca, timeoutMs: 1000 })
    expect(res.text).toBe('')
    expect(res.ending).toBe('end')
    expect(r.journal.entries().at(-1)!.outcome).toBe('closed')
  })

  it('slow-body: headers at once, body over durationMs', async () => {
    const { engine } = inlineEngine({ action: { type: 'slow-body', status: 200, durationMs: 400, body: 'abcdefghij' } })
    const r = await startTestReceiver({ faults: engine })
    const t0 = Date.now()
    const res = await request(`${r.url}/wallarm`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, dispatcher: agentFor(r) })
    const headersAt = Date.now() - t0
    expect(await res.body.text()).toBe('abcdefghij')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350)
    expect(headersAt).toBeLessThan(350)
    expect(r.journal.entries().at(-1)!.events!.length).toBe(1)
  })

  it('refuse: reset, then ECONNREFUSED for durationMs on the clock, then accepting again on the same port', async () => {
    let first = true
    const engine: FaultEngine = {
      ...inlineEngine({ action: { type: 'pass' } }).engine,
      decideRequest: () => {
        const d: RequestDecision = first ? { delayMs: 0, action: { type: 'refuse', durationMs: 600 } } : { delayMs: 0, action: { type: 'pass' } }
        first = false
        return d
      },
    }
    const clock = new ManualClock()
    const r = await startTestReceiver({ faults: engine, clock })
    await rawExchange(r.url, json('{}'), { ca: r.ca, timeoutMs: 500 })
    const tcp = () =>
      new Promise<string>((resolve) => {
        const s = connect(r.port, '127.0.0.1', () => {
          s.destroy()
          resolve('connected')
        })
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
      })
    expect(await tcp()).toBe('ECONNREFUSED')
    await clock.advance(599)
    expect(await tcp()).toBe('ECONNREFUSED')
    await clock.advance(1)
    await waitFor(() => !r.refusing)
    const res = await rawExchange(r.url, json('{}'), { ca: r.ca, timeoutMs: 250 })
    expect(res.text).toMatch(/^HTTP\/1.1 200 OK/)
  })
})

describe('connection actions', () => {
  it('stall-tls: the handshake never completes; journaled as stalled; close() is still quick', async () => {
    const { engine } = inlineEngine({ action: { type: 'pass' } }, { delayMs: 0, action: { type: 'stall-tls' } })
    const r = await startTestReceiver({ faults: engine, autoClose: false })
    const res = await rawExchange(r.url, json('{}'), { ca: r.ca, timeoutMs: 400 })
    expect(res.text).toBe('')
    expect(res.ending).toBe('timeout')
    await waitFor(() => r.journal.entries({ kind: 'connection' }).at(-1)?.outcome === 'stalled')
    // A client that keeps waiting must not hold up close().
    const hold = connect(r.port, '127.0.0.1')
    await new Promise((res) => hold.once('connect', res))
    const t0 = Date.now()
    await r.close()
    expect(Date.now() - t0).toBeLessThan(1000)
    hold.destroy()
  })

  it('reset at connect', async () => {
    const { engine } = inlineEngine({ action: { type: 'pass' } }, { delayMs: 0, action: { type: 'reset' } })
    const r = await startTestReceiver({ faults: engine })
    const res = await rawExchange(r.url, json('{}'), { ca: r.ca, timeoutMs: 1000 })
    expect(res.text).toBe('')
    expect(r.journal.entries({ kind: 'connection' }).at(-1)!.outcome).toBe('reset')
  })
})

describe('with createFaultEngine', () => {
  it('a plan "500x2 then 200" and PUT-free default: the receiver behaves as Fluentd without a plan', async () => {
    const r = await startTestReceiver({ faults: createFaultEngine({ plan: { rules: [{ steps: [{ status: 500, times: 2 }], then: { status: 200 } }] } }) })
    const agent = agentFor(r)
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      const res = await request(`${r.url}/wallarm`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, dispatcher: agent })
      await res.body.dump()
      statuses.push(res.statusCode)
    }
    expect(statuses).toEqual([500, 500, 200])
    const plain = await startTestReceiver()
    expect(plain.faults).toBeDefined()
    const res = await request(`${plain.url}/x`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, dispatcher: agentFor(plain) })
    await res.body.dump()
    expect(res.statusCode).toBe(200)
  })
})

describe('schema verdicts under faults', () => {
  it('a faulted request still gets its notifications judged in the journal (strict does not override the fault)', async () => {
    const { createValidator } = await import('../../../src/validation/index.js')
    const { sampleNotification } = await import('../../../src/validation/samples.js')
    const { engine } = inlineEngine({ action: { type: 'respond', status: 503 } })
    const r = await startTestReceiver({ faults: engine, validator: createValidator(), validate: 'strict' })
    const good = sampleNotification('new_hits')
    const bad = { summary: 'x', details: { notification_type: 'new_hits' } }
    // The first validation loads ajv and compiles the schema (100-400 ms on a loaded machine): the
    // exchange ends when the server closes after its answer, not after a fixed 250 ms.
    const request = httpRequest('POST', '/wallarm', JSON.stringify([good, bad]), { 'Content-Type': 'application/json', Connection: 'close' })
    const res = await rawExchange(r.url, request, { ca: r.ca, timeoutMs: 10_000 })
    expect(res.text).toMatch(/^HTTP\/1\.1 503 /)
    const e = r.journal.entries().at(-1)!
    expect(e.verdicts?.map((v) => v.valid)).toEqual([true, false])
    expect(e.verdicts?.[1]?.errors.map((x) => x.pointer)).toContain('/details/client_name')
  })
})
