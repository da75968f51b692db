import { afterEach, describe, expect, it } from 'vitest'
import { performAttempt, type AttemptRequest } from '../../../src/sender/attempt.js'
import { refusedUrl, startStallPeer, startTestPeer, type TestPeer } from '../../helpers/test-peer.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()))
})

async function peer(...args: Parameters<typeof startTestPeer>): Promise<TestPeer> {
  const p = await startTestPeer(...args)
  closers.push(() => p.close())
  return p
}

function req(p: { url: string; caPem?: string }, extra: Partial<AttemptRequest> = {}): AttemptRequest {
  return {
    url: p.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '[{"a":1}]',
    ...(p.caPem ? { ca: p.caPem } : {}),
    verifyTls: true,
    connectTimeoutMs: 2000,
    requestTimeoutMs: 2000,
    ...extra,
  }
}

describe('performAttempt', () => {
  it('sends the method, headers and body, and reports the status', async () => {
    const p = await peer([{ status: 204 }])
    const out = await performAttempt(req(p, { method: 'PUT', headers: { 'content-type': 'application/x-ndjson', 'X-Auth-Token': 'abc', 'X-Two': '2' }, body: '{"a":1}\n' }), {})
    expect(out).toEqual({ kind: 'response', status: 204 })
    expect(p.requests[0]!.method).toBe('PUT')
    expect(p.requests[0]!.url).toBe('/wallarm')
    expect(p.requests[0]!.headers['x-auth-token']).toBe('abc')
    expect(p.requests[0]!.headers['x-two']).toBe('2')
    expect(p.requests[0]!.headers['content-type']).toBe('application/x-ndjson')
    expect(p.requests[0]!.body).toBe('{"a":1}\n')
  })

  it('does not follow redirects', async () => {
    const p = await peer([{ status: 302, headers: { location: '/elsewhere' } }])
    expect(await performAttempt(req(p), {})).toEqual({ kind: 'response', status: 302 })
    expect(p.requests).toHaveLength(1)
  })

  it('refuses an untrusted certificate with verification on, accepts it with the CA or with verification off', async () => {
    const p = await peer()
    const untrusted = await performAttempt(req({ url: p.url }), {})
    expect(untrusted.kind).toBe('tls')
    expect(await performAttempt(req(p), {})).toEqual({ kind: 'response', status: 200 })
    expect(await performAttempt(req({ url: p.url }, { verifyTls: false }), {})).toEqual({ kind: 'response', status: 200 })
  })

  it('fires a 150 ms request timeout at 150-400 ms, not after a second', async () => {
    const p = await peer([{ action: 'hang' }])
    const t0 = performance.now()
    const out = await performAttempt(req(p, { requestTimeoutMs: 150 }), {})
    const took = performance.now() - t0
    expect(out).toEqual({ kind: 'timeout', phase: 'request' })
    expect(took).toBeGreaterThanOrEqual(145)
    expect(took).toBeLessThan(400)
  })

  it('counts a slow answer that arrives after the timeout as a timeout, and one before as a response', async () => {
    const p = await peer([{ status: 200, delayMs: 400 }, { status: 200, delayMs: 50 }])
    expect(await performAttempt(req(p, { requestTimeoutMs: 200 }), {})).toEqual({ kind: 'timeout', phase: 'request' })
    expect(await performAttempt(req(p, { requestTimeoutMs: 400 }), {})).toEqual({ kind: 'response', status: 200 })
  })

  it('fires a 150 ms connect timeout against a stalled TLS handshake', async () => {
    const s = await startStallPeer()
    closers.push(() => s.close())
    const t0 = performance.now()
    const out = await performAttempt(req(s, { connectTimeoutMs: 150 }), {})
    const took = performance.now() - t0
    expect(out).toEqual({ kind: 'timeout', phase: 'connect' })
    expect(took).toBeGreaterThanOrEqual(145)
    expect(took).toBeLessThan(400)
  })

  it('reports refused and reset connections as network failures with their codes', async () => {
    const refused = await performAttempt(req({ url: await refusedUrl() }), {})
    expect(refused).toEqual({ kind: 'network', code: 'ECONNREFUSED' })
    const p = await peer([{ action: 'reset' }, { action: 'close' }])
    const reset = await performAttempt(req(p), {})
    expect(reset).toMatchObject({ kind: 'network', code: expect.stringMatching(/^(ECONNRESET|UND_ERR_SOCKET)$/) })
    const closed = await performAttempt(req(p), {})
    expect(closed.kind).toBe('network')
  })

  it('uses a fresh connection for every attempt, also after a timeout', async () => {
    const p = await peer([{ action: 'hang' }, { status: 200 }, { status: 200 }])
    await performAttempt(req(p, { requestTimeoutMs: 100 }), {})
    await performAttempt(req(p), {})
    await performAttempt(req(p), {})
    expect(p.connections()).toBe(3)
    expect(new Set(p.requests.map((r) => r.remotePort)).size).toBe(3)
  })

  it('ends with cancelled when the caller aborts', async () => {
    const p = await peer([{ action: 'hang' }])
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 50)
    expect(await performAttempt(req(p), { signal: ac.signal })).toEqual({ kind: 'cancelled' })
  })

  // Found under load: the demo's close() hung while an attempt was still in its TLS handshake.
  it('ends with cancelled at once when the caller aborts during a stalled TLS handshake', async () => {
    const stall = await startStallPeer()
    closers.push(() => stall.close())
    const ac = new AbortController()
    const attempt = performAttempt(req(stall, { connectTimeoutMs: 10_000 }), { signal: ac.signal })
    // Accepted and never answered: the client is waiting in its TLS handshake.
    await stall.accepted
    const abortedAt = performance.now()
    ac.abort(new Error('sender closed'))
    expect(await attempt).toEqual({ kind: 'cancelled' })
    // Long before the connect timeout (10 s) or undici's own backstop behind it.
    expect(performance.now() - abortedAt).toBeLessThan(2_000)
  })
})
