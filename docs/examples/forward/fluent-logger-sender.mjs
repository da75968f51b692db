#!/usr/bin/env node
// The official fluent-logger (npm) as a forward client under test for
// `fake-fluentd conformance --protocol forward --sender-cmd "node docs/examples/forward/fluent-logger-sender.mjs"`
// (docs/forward.md "Conformance for forward clients"). Where to send comes from the environment:
//   FORWARD_HOST, FORWARD_PORT          the fake's forward listener
//   FORWARD_SHARED_KEY                  set when the scenario runs the shared_key handshake
//   FORWARD_ACK_TIMEOUT_MS              the profile's ackTimeoutMs (fluent-logger's ackResponseTimeout)
//   FORWARD_RECONNECT_INTERVAL_MS       the profile's reconnectIntervalMs (its reconnectInterval)
// Each stdin line is one record to emit, {"id": 1, "tag": "conf.ack", "record": {"n": 1}}; the outcome
// of each is one stdout line, {"event": "emitted", "id": 1} or {"event": "emit-failed", "id": 1,
// "error": "..."}. Once stdin is closed and every emit has ended, it ends the logger and exits 0.
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'

const require = createRequire(import.meta.url)
const logger = require('fluent-logger')
const env = process.env
const print = (event) => process.stdout.write(`${JSON.stringify(event)}\n`)

const sender = logger.createFluentSender('', {
  host: env.FORWARD_HOST,
  port: Number(env.FORWARD_PORT),
  requireAckResponse: true,
  ackResponseTimeout: Number(env.FORWARD_ACK_TIMEOUT_MS || '190000'),
  reconnectInterval: Number(env.FORWARD_RECONNECT_INTERVAL_MS || '600000'),
  internalLogger: { info() {}, error: (...a) => console.error(...a) },
  ...(env.FORWARD_SHARED_KEY ? { security: { clientHostname: 'fluent-logger-sender', sharedKey: env.FORWARD_SHARED_KEY } } : {}),
})
// Errors are reported per emit (its callback); the 'error' event only repeats them.
sender.on('error', () => {})

const pending = []
createInterface({ input: process.stdin })
  .on('line', (line) => {
    if (!line.trim()) return
    const { id, tag, record } = JSON.parse(line)
    pending.push(
      new Promise((resolve) =>
        sender.emit(tag, record, (err) => {
          print(err ? { event: 'emit-failed', id, error: `${err.name}: ${err.message}` } : { event: 'emitted', id })
          resolve()
        }),
      ),
    )
  })
  .on('close', async () => {
    await Promise.all(pending)
    sender.end()
    process.exit(0)
  })
