/**
 * End to end: the reference sender (real time, scaled) against the real receiver with fault plans.
 * Tolerances hold on a busy 2-core machine (load 6 measured while others ran tests): an interval is
 * never early (>= nominal - 2 ms) and at most max(75 ms, 30 %) late.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createFaultEngine, parseFaultShorthand } from '../../../src/faults/index.js'
import { startReceiver } from '../../../src/server/index.js'
import type { Receiver } from '../../../src/receiver/index.js'
import type { DeliveryResult } from '../../../src/sender/events.js'
import { wallarmProfile } from '../../../src/profile/index.js'
import { expectedSchedule } from '../../../src/profile/index.js'
import { createSender } from '../../../src/sender/sender.js'
import type { IntegrationSettings } from '../../../src/sender/settings.js'
import { sampleNotification } from '../../../src/validation/samples.js'
import { testPki } from '../../helpers/test-peer.js'

const receivers: Receiver[] = []
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})

async function receiver(plan: unknown): Promise<Receiver> {
  const { cert, key, caPem, caFile } = await testPki()
  const r = await startReceiver({
    port: 0,
    tls: { cert, key, ca: caPem, caPath: caFile },
    validate: 'off',
    faults: createFaultEngine({ plan }),
  })
  receivers.push(r)
  return r
}

function settings(r: Receiver, extra: Partial<IntegrationSettings> = {}): IntegrationSettings {
  return { url: `${r.url}/wallarm`, caFile: r.caPath!, ...extra }
}

/** Timeouts that stay ~1 s at scale 0.001: concurrent TLS handshakes on a busy machine need more than 20 ms. */
const roomyTimeouts = { requestTimeoutMs: 1_000_000, connectTimeoutMs: 1_000_000 }

function tolerance(ms: number): number {
  return Math.max(75, ms * 0.3)
}

/** An observed interval: never early, at most `tolerance` (+ `extraMs`) late. */
function expectInterval(observedMs: number, nominalMs: number, extraMs = 0): void {
  expect(observedMs).toBeGreaterThanOrEqual(nominalMs - 2)
  expect(observedMs - nominalMs).toBeLessThanOrEqual(tolerance(nominalMs) + extraMs)
}

/** Requests the receiver saw, oldest first. */
function seen(r: Receiver): ReturnType<Receiver['journal']['entries']> {
  return r.journal
    .entries()
    .filter((e) => e.kind === 'request')
    .sort((a, b) => a.id - b.id)
}

describe('sender vs receiver (scaled real time)', () => {
  it('retries 500x3 then delivers, with the intervals of cycle 1 as the receiver sees them', async () => {
    const r = await receiver(parseFaultShorthand(['500x3,200']))
    const sender = createSender(settings(r), { timeScale: 0.05 })
    const result = await sender.deliver(sampleNotification('create_user'))
    expect(result.outcome).toBe('delivered')
    expect(result.attempts.map((a) => a.outcome)).toEqual([
      { kind: 'response', status: 500 },
      { kind: 'response', status: 500 },
      { kind: 'response', status: 500 },
      { kind: 'response', status: 200 },
    ])
    const entries = seen(r)
    expect(entries).toHaveLength(4)
    const expected = [1000, 3000, 5000].map((ms) => ms * 0.05)
    expected.forEach((ms, i) => {
      // The receiver sees the request after the new connection's TCP + TLS setup (5-60 ms here).
      const gap = entries[i + 1]!.receivedMono - entries[i]!.endedMono!
      expectInterval(gap, ms, 150)
      const senderGap = result.attempts[i + 1]!.startedAt - result.attempts[i]!.endedAt
      expectInterval(senderGap, ms)
    })
  })

  it('retries 3xx without following it, 4xx, reset and close alike', async () => {
    const r = await receiver({
      rules: [
        {
          steps: [
            { status: 302, headers: { location: 'https://example.invalid/' } },
            { status: 401 },
            { status: 429 },
            { action: 'reset' },
            { action: 'close' },
          ],
          then: { status: 200 },
        },
      ],
    })
    const result = await createSender(settings(r), { timeScale: 0.01 }).deliver(sampleNotification('create_user'))
    expect(result.outcome).toBe('delivered')
    expect(result.attempts.map((a) => a.outcome.kind)).toEqual(['response', 'response', 'response', 'network', 'network', 'response'])
    expect(seen(r)).toHaveLength(6)
  })

  it('times out a hung request at the scaled request timeout and retries on a fresh connection', async () => {
    const r = await receiver({ rules: [{ steps: [{ action: 'hang' }], then: { status: 200 } }] })
    const result = await createSender(settings(r), { timeScale: 0.01 }).deliver(sampleNotification('create_user'))
    expect(result.outcome).toBe('delivered')
    const first = result.attempts[0]!
    expect(first.outcome).toEqual({ kind: 'timeout', phase: 'request' })
    const took = first.endedAt - first.startedAt
    expect(took).toBeGreaterThanOrEqual(145) // 15 s x 0.01
    expect(took).toBeLessThan(400)
  })

  it('times out a stalled TLS handshake at the scaled connect timeout', async () => {
    const r = await receiver({ rules: [{ steps: [{ action: 'stall-tls' }], then: { status: 200 } }] })
    const result = await createSender(settings(r), { timeScale: 0.01 }).deliver(sampleNotification('create_user'))
    expect(result.outcome).toBe('delivered')
    const first = result.attempts[0]!
    expect(first.outcome).toEqual({ kind: 'timeout', phase: 'connect' })
    const took = first.endedAt - first.startedAt
    expect(took).toBeGreaterThanOrEqual(195) // 20 s x 0.01
    expect(took).toBeLessThan(450)
  })

  it('sends PUT, every extra header, and NDJSON bodies', async () => {
    const r = await receiver({ rules: [] })
    const n = [sampleNotification('create_user'), sampleNotification('ip_blocked')]
    const sender = createSender(settings(r, { method: 'PUT', format: 'ndjson', headers: { 'X-Auth-Token': 't0k', 'X-Env': 'ci' } }))
    expect((await sender.deliver(n)).outcome).toBe('delivered')
    const e = seen(r)[0]!
    expect(e.method).toBe('PUT')
    expect(e.headers?.['x-auth-token']).toBe('t0k')
    expect(e.headers?.['x-env']).toBe('ci')
    expect(String(e.headers?.['content-type'])).toContain('application/x-ndjson')
    expect(e.events?.length ?? 0).toBe(2)
  })

  it('refuses the receiver certificate without its CA, accepts it with verification off', async () => {
    const r = await receiver({ rules: [] })
    const noCa = createSender({ url: `${r.url}/wallarm` }, { timeScale: 0.001 })
    const first = new Promise((resolve) => noCa.on('attempt-end', (e) => resolve(e.record.outcome)))
    const sub = noCa.deliver(sampleNotification('create_user'))
    expect(await first).toMatchObject({ kind: 'tls' })
    await noCa.close()
    await sub
    const insecure = createSender({ url: `${r.url}/wallarm`, verifyTls: false })
    expect((await insecure.deliver(sampleNotification('create_user'))).outcome).toBe('delivered')
  })

  it('drops after 17 attempts (scale 0.001) with the whole wallarm schedule', async () => {
    const r = await receiver(parseFaultShorthand(['503']))
    const result = await createSender(settings(r, roomyTimeouts), { timeScale: 0.001 }).deliver(sampleNotification('create_user'))
    expect(result.outcome).toBe('dropped')
    expect(result.attempts).toHaveLength(17)
    expect(seen(r)).toHaveLength(17)
    const schedule = expectedSchedule(wallarmProfile)
    // The long intervals of cycle 3 (60..1800 ms here) are checked one by one.
    for (let i = 11; i < 17; i++) {
      const ms = schedule[i]!.intervalMs! * 0.001
      const gap = result.attempts[i]!.startedAt - result.attempts[i - 1]!.endedAt
      expectInterval(gap, ms)
    }
  }, 20_000)

  it('disables the integration when two concurrent failing deliveries reach 60 % of 20 attempts', async () => {
    const r = await receiver(parseFaultShorthand(['503']))
    const sender = createSender(settings(r, roomyTimeouts), { timeScale: 0.001 })
    const notes: unknown[] = []
    sender.on('disabled', (e) => notes.push(e.notification))
    const results = await Promise.all([
      sender.deliver(sampleNotification('create_user', { details: { email: 'a@example.com' } })),
      sender.deliver(sampleNotification('create_user', { details: { email: 'b@example.com' } })),
    ])
    expect(results.map((x) => x.outcome)).toEqual(['disabled', 'disabled'])
    const made = results[0]!.attempts.length + results[1]!.attempts.length
    expect(made).toBeGreaterThanOrEqual(20)
    expect(made).toBeLessThanOrEqual(21) // the other delivery's attempt may have been in flight
    expect(notes).toHaveLength(1)
    const before = seen(r).length
    expect((await sender.deliver(sampleNotification('create_user'))).outcome).toBe('disabled')
    expect(seen(r).length).toBe(before)
  }, 20_000)

  it('does not disable at 50 % failed', async () => {
    // The first attempt of each delivery (same tag, same body) fails, the second succeeds.
    const r = await receiver({ rules: [{ match: { attempt: 1 }, steps: [{ status: 500 }], then: { status: 500 } }] })
    const sender = createSender(settings(r, roomyTimeouts), { timeScale: 0.001 })
    // One after the other: 12 concurrent first attempts would all fail first, and 12 of 20 is 60 %.
    const results: DeliveryResult[] = []
    for (let i = 0; i < 12; i++) {
      results.push(await sender.deliver(sampleNotification('create_user', { details: { email: `u${i}@example.com` } })))
    }
    expect(results.every((x) => x.outcome === 'delivered' && x.attempts.length === 2)).toBe(true)
    expect(sender.windowStats()).toEqual({ attempts: 24, failed: 12, failureRatio: 0.5 })
    expect(sender.disabled).toBe(false)
  })
})
