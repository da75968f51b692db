/**
 * The forward client scenarios (src/forward/scenarios.ts) run against the official fluent-logger
 * package, with a profile written from its README: it asks for acks with requireAckResponse (waiting
 * ackResponseTimeout), reconnects after an error (enableReconnect, reconnectInterval), speaks the
 * shared_key handshake (security), and documents no resend of an unacked chunk.
 */
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { runForwardScenarios, type ForwardClientAdapter, type ForwardClientProfile } from '../../../src/forward/scenarios.js'

const require = createRequire(import.meta.url)
interface FluentSender {
  emit(label: string, data: Record<string, unknown>, cb: (err?: Error) => void): void
  end(label?: unknown, data?: unknown, cb?: () => void): void
  on(event: string, fn: (err: Error) => void): void
}
const logger = require('fluent-logger') as { createFluentSender(prefix: string, options: Record<string, unknown>): FluentSender }

const ACK_TIMEOUT_MS = 400

const fluentLogger: ForwardClientProfile = { name: 'fluent-logger 3.4 (npm)', ack: true, resendsUnacked: false, ackTimeoutMs: ACK_TIMEOUT_MS, reconnects: true, reconnectIntervalMs: 100, handshake: true, heartbeat: false }

const adapter: ForwardClientAdapter = async (target) => {
  const sender = logger.createFluentSender('', {
    host: target.host,
    port: target.port,
    requireAckResponse: true,
    ackResponseTimeout: ACK_TIMEOUT_MS,
    reconnectInterval: fluentLogger.reconnectIntervalMs,
    internalLogger: { info() {}, error() {} },
    ...(target.sharedKey !== undefined ? { security: { clientHostname: 'conformance-client', sharedKey: target.sharedKey } } : {}),
  })
  sender.on('error', () => {})
  return {
    emit: (tag, record) => new Promise((resolve) => sender.emit(tag, record, (err) => resolve(err ?? undefined))),
    close: async () => sender.end(),
  }
}

describe('forward client scenarios with fluent-logger', () => {
  it('its profile: delivers with ack, no duplicate after an ack, reconnects after a reset, stops at a refused handshake; resend is not promised', async () => {
    const results = await runForwardScenarios(adapter, fluentLogger)
    expect(results.map((r) => [r.name, r.status])).toEqual([
      ['delivers-with-ack', 'pass'],
      ['at-least-once-with-ack', 'skip'],
      ['no-duplicate-after-ack', 'pass'],
      ['reconnect-after-reset', 'pass'],
      ['handshake-refused', 'pass'],
      ['heartbeat-failover', 'skip'],
    ])
  }, 30_000)

  it('a profile that claims resends fails at-least-once: fluent-logger does not resend an unacked chunk', async () => {
    const [r] = await runForwardScenarios(adapter, { ...fluentLogger, resendsUnacked: true }, { only: ['at-least-once-with-ack'] })
    expect(r).toMatchObject({ status: 'fail' })
    expect(r!.detail).toMatch(/not resent with its chunk id/)
  }, 30_000)
})
