/**
 * The official fluent-logger package (npm) against the forward listener: it delivers in its three
 * modes with requireAckResponse, over TLS and through the shared_key handshake, and when the fake
 * withholds an ack the logger reports a ResponseTimeout, after which the application's resend goes
 * through (fluent-logger itself does not resend: README "Forward protocol").
 */
import { createRequire } from 'node:module'
import { describe, expect, it, onTestFinished } from 'vitest'
import { forwardEntries, settled, startFake, waitFor } from './helpers.js'

const require = createRequire(import.meta.url)
// fluent-logger is CommonJS without types we rely on.
const logger = require('fluent-logger') as {
  createFluentSender(prefix: string, options: Record<string, unknown>): FluentSender
  EventTime: { now(): unknown; fromTimestamp(ms: number): unknown }
}
interface FluentSender {
  emit(label: string, data: Record<string, unknown>, time?: unknown, cb?: (err?: Error) => void): void
  emit(label: string, data: Record<string, unknown>, cb?: (err?: Error) => void): void
  end(): void
  on(event: string, fn: (err: Error) => void): void
}

const quiet = { info() {}, error() {} }

function sender(port: number, options: Record<string, unknown> = {}): FluentSender {
  const s = logger.createFluentSender('app', { host: '127.0.0.1', port, requireAckResponse: true, ackResponseTimeout: 3000, enableReconnect: false, flushInterval: 5, internalLogger: quiet, ...options })
  s.on('error', () => {})
  onTestFinished(() => s.end())
  return s
}

function emit(s: FluentSender, label: string, data: Record<string, unknown>, time?: unknown): Promise<Error | undefined> {
  return new Promise((resolve) => (time === undefined ? s.emit(label, data, (err?: Error) => resolve(err ?? undefined)) : s.emit(label, data, time, (err?: Error) => resolve(err ?? undefined))))
}

describe('fluent-logger (npm) through the forward listener', () => {
  for (const eventMode of ['Message', 'PackedForward', 'CompressedPackedForward']) {
    it(`${eventMode} with requireAckResponse: acked, journaled with its chunk id, events printed as in_http's`, async () => {
      const fake = await startFake()
      const s = sender(fake.forwardPort, { eventMode })
      const time = logger.EventTime.fromTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5, 678))
      expect(await emit(s, 'web', { hello: 'world', n: 1 }, time)).toBeUndefined()
      const [entry] = await settled(fake, 1, 'request')
      const mode = { Message: 'message', PackedForward: 'packed', CompressedPackedForward: 'compressed' }[eventMode]
      expect(entry).toMatchObject({ protocol: 'forward', tag: 'app.web', outcome: 'answered', attempt: 1, forward: { mode, eventCount: 1, ack: 'sent' } })
      expect(entry!.deliveryKey).toBe(`forward:${entry!.forward!.chunk}`)
      expect(entry!.events).toEqual([{ time: Date.UTC(2026, 0, 2, 3, 4, 5, 678) / 1000, eventTime: { sec: Date.UTC(2026, 0, 2, 3, 4, 5) / 1000, nsec: 678_000_000 }, record: { hello: 'world', n: 1 } }])
    })
  }

  it('a withheld ack: the logger reports ResponseTimeout; the application resend is acked and journaled as its own chunk', async () => {
    const fake = await startFake({ faults: [{ action: 'withhold-ack', times: 1 }] })
    // After an ack timeout fluent-logger only sends again once it has reconnected (enableReconnect).
    const s = sender(fake.forwardPort, { ackResponseTimeout: 300, enableReconnect: true, reconnectInterval: 50 })
    const err = await emit(s, 'pay', { order: 7 })
    expect(err?.name).toBe('ResponseTimeoutError')
    expect(await emit(s, 'pay', { order: 7 })).toBeUndefined()
    const entries = await waitFor(() => (forwardEntries(fake).filter((e) => e.outcome !== 'pending').length >= 2 ? forwardEntries(fake) : undefined))
    expect(entries.map((e) => [e.outcome, e.forward?.ack, e.events?.length ?? 0])).toEqual([
      ['hung', 'withheld', 0],
      ['answered', 'sent', 1],
    ])
    // fluent-logger makes a new chunk id for the resend: to the fake it is a new delivery.
    expect(entries[0]!.forward!.chunk).not.toBe(entries[1]!.forward!.chunk)
    expect(entries[0]!.fault?.explain).toBe('withhold-ack (forward rule 0)')
  })

  it('a wrong chunk id in the ack: the logger reports a ResponseError', async () => {
    const fake = await startFake({ faults: [{ action: 'wrong-ack' }] })
    const s = sender(fake.forwardPort)
    const err = await emit(s, 'x', { a: 1 })
    expect(err?.name).toBe('ResponseError')
    const [entry] = await settled(fake, 1, 'request')
    expect(entry!.forward).toMatchObject({ ack: 'wrong' })
  })

  it('over TLS with the in_http certificate (--forward-tls)', async () => {
    const fake = await startFake({ tls: true })
    expect(fake.forward!.tls).toBe(true)
    const s = sender(fake.forwardPort, { tls: true, tlsOptions: { ca: fake.ca, servername: 'localhost' } })
    expect(await emit(s, 'tls', { secure: true })).toBeUndefined()
    const [entry] = await settled(fake, 1, 'request')
    expect(entry).toMatchObject({ tag: 'app.tls', forward: { ack: 'sent' } })
    expect(entry!.tls?.protocol).toMatch(/^TLSv1\.[23]$/)
  })

  it('the shared_key handshake: the right key delivers; a wrong key gets PONG false and no delivery', async () => {
    const fake = await startFake({ security: { sharedKey: 's3cret', selfHostname: 'fake' } })
    const good = sender(fake.forwardPort, { security: { clientHostname: 'client', sharedKey: 's3cret' } })
    expect(await emit(good, 'auth', { ok: true })).toBeUndefined()
    const bad = sender(fake.forwardPort, { security: { clientHostname: 'client', sharedKey: 'wrong' }, ackResponseTimeout: 500 })
    const errors: Error[] = []
    bad.on('error', (e) => errors.push(e))
    void emit(bad, 'auth', { ok: false })
    const refused = await waitFor(() => fake.journal.entries().find((e) => e.kind === 'connection' && e.outcome === 'refused'))
    expect(refused.error).toBe('handshake refused: shared_key mismatch')
    await waitFor(() => errors.length > 0)
    expect(errors[0]!.message).toMatch(/shared_key mismatch|Authentication failed/)
    expect(forwardEntries(fake).map((e) => e.tag)).toEqual(['app.auth'])
  })
})
