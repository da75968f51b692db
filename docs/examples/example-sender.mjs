#!/usr/bin/env node
// An example sender for the fake-fluentd conformance suite, in plain Node (no dependencies).
// It follows the sender contract (docs/sender-contract.md): settings from the environment,
// deliveries as NDJSON lines on stdin, events as JSON lines on stdout, exit once stdin is closed
// and every delivery has ended. Delivery rules: Wallarm's (retry cycles 1, 3, 5, 10, 10 s /
// 0, 1, 3, 5, 30 s / 1, 1, 3, 5, 10, 30 min, intervals from the end of the failed attempt,
// any non-2xx, timeout or connection error is a failure, auto-disable at >= 60 % failed of at
// least 20 attempts in 12 h). Every duration is multiplied by WEBHOOK_TIME_SCALE.
//
//   fake-fluentd conformance --sender-cmd "node docs/examples/example-sender.mjs"
import { readFileSync } from 'node:fs'
import https from 'node:https'
import http from 'node:http'
import { createInterface } from 'node:readline'

const env = process.env
const url = new URL(env.FLUENTD_URL)
const scale = Number(env.WEBHOOK_TIME_SCALE || '1')
const method = env.WEBHOOK_METHOD || 'POST'
const headers = JSON.parse(env.WEBHOOK_HEADERS || '{}')
const format = env.WEBHOOK_FORMAT || 'json'
const verify = env.WEBHOOK_VERIFY_TLS !== 'false'
const ca = env.WEBHOOK_CA_FILE ? readFileSync(env.WEBHOOK_CA_FILE) : undefined
const requestTimeoutMs = Number(env.WEBHOOK_REQUEST_TIMEOUT_MS || '15000') * scale
const connectTimeoutMs = Number(env.WEBHOOK_CONNECT_TIMEOUT_MS || '20000') * scale

const s = 1000
const m = 60 * s
const cycles = [
  [1 * s, 3 * s, 5 * s, 10 * s, 10 * s],
  [0, 1 * s, 3 * s, 5 * s, 30 * s],
  [1 * m, 1 * m, 3 * m, 5 * m, 10 * m, 30 * m],
]
const intervals = cycles.flat()
const WINDOW_MS = 12 * 60 * m * scale
const RATIO = 0.6
const MIN_ATTEMPTS = 20

const print = (event) => process.stdout.write(`${JSON.stringify(event)}\n`)
const lib = url.protocol === 'https:' ? https : http
const agent = new lib.Agent({ keepAlive: true, ca, rejectUnauthorized: verify })

let disabled = false
const window = [] // { at, failed }
const pendingSleeps = new Set()

function sleep(ms) {
  return new Promise((resolve) => {
    const entry = { resolve }
    entry.timer = setTimeout(() => {
      pendingSleeps.delete(entry)
      resolve(true)
    }, ms)
    pendingSleeps.add(entry)
  })
}

function disable() {
  disabled = true
  print({ event: 'disabled' })
  for (const e of pendingSleeps) {
    clearTimeout(e.timer)
    e.resolve(false)
  }
  pendingSleeps.clear()
}

function record(failed) {
  const now = performance.now()
  window.push({ at: now, failed })
  while (window.length && window[0].at < now - WINDOW_MS) window.shift()
  const failures = window.filter((w) => w.failed).length
  if (!disabled && window.length >= MIN_ATTEMPTS && failures / window.length >= RATIO) disable()
}

function encode(notifications) {
  return format === 'ndjson' ? notifications.map((n) => JSON.stringify(n)).join('\n') + '\n' : JSON.stringify(notifications)
}

/** One HTTP request: resolves { status } or { error }. */
function attempt(body) {
  return new Promise((resolve) => {
    let done = false
    let timer
    const finish = (result) => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve(result)
    }
    const req = lib.request(url, {
      method,
      agent,
      headers: { 'content-type': format === 'ndjson' ? 'application/x-ndjson' : 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
    })
    const startRequestTimer = () => {
      clearTimeout(timer)
      timer = setTimeout(() => req.destroy(new Error('request timeout')), requestTimeoutMs)
    }
    req.on('socket', (sock) => {
      // A new socket is still connecting (TCP, then TLS); a kept-alive one is ready.
      if (sock.connecting) {
        timer = setTimeout(() => req.destroy(new Error('connect timeout')), connectTimeoutMs)
        sock.once(lib === https ? 'secureConnect' : 'connect', startRequestTimer)
      } else startRequestTimer()
    })
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => finish({ status: res.statusCode }))
      res.on('error', (err) => finish({ error: err.code ?? err.message }))
    })
    req.on('error', (err) => finish({ error: err.code ?? err.message }))
    req.end(body)
  })
}

const isSuccess = (status) => status >= 200 && status <= 299

async function deliver(notifications) {
  const body = encode(notifications)
  for (let n = 0; ; n++) {
    if (disabled) return
    const result = await attempt(body)
    const ok = result.status !== undefined && isSuccess(result.status)
    print({ event: 'attempt-end', attempt: n + 1, ...result })
    record(!ok)
    if (ok) return print({ event: 'delivered', attempts: n + 1 })
    if (disabled) return
    const interval = intervals[n]
    if (interval === undefined) return print({ event: 'dropped', attempts: n + 1 })
    if (!(await sleep(interval * scale))) return
  }
}

const deliveries = []
const rl = createInterface({ input: process.stdin })
rl.on('line', (line) => {
  if (!line.trim()) return
  const value = JSON.parse(line)
  deliveries.push(deliver(Array.isArray(value) ? value : [value]))
})
rl.on('close', async () => {
  await Promise.all(deliveries)
  agent.destroy()
  process.exit(0)
})
