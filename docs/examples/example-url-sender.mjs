#!/usr/bin/env node
// An example *URL* sender for the fake-fluentd conformance suite, in plain Node (no dependencies):
// a long-running service that follows section 2 of docs/sender-contract.md. Each delivery is one
// `POST /send` with `{"settings": {...}, "notifications": [...], "batch": bool}`; the service
// delivers it to `settings.url` with Wallarm's rules and answers 200 `{"events": [...]}` once the
// delivery has ended (delivered, dropped after the last cycle, or cut short by auto-disable).
// Integration state (the auto-disable window) is kept per `settings.url`. If the runner goes away
// before the answer (scenario over), the delivery is cancelled: no further attempts.
//
//   node docs/examples/example-url-sender.mjs --port 8080
//   fake-fluentd conformance --sender-url http://127.0.0.1:8080/send
//
// It prints one line `{"event":"listening","url":"http://127.0.0.1:PORT/send"}` once it listens
// (`--port 0` picks a free port) and stops on SIGTERM or SIGINT.
import { readFileSync } from 'node:fs'
import http from 'node:http'
import https from 'node:https'

const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback
}
const port = Number(option('port', '8080'))
const host = option('host', '127.0.0.1')

const s = 1000
const m = 60 * s
// Retry intervals at scale 1, ms, from the end of a failed attempt to the start of the next.
const INTERVALS = [
  [1 * s, 3 * s, 5 * s, 10 * s, 10 * s],
  [0, 1 * s, 3 * s, 5 * s, 30 * s],
  [1 * m, 1 * m, 3 * m, 5 * m, 10 * m, 30 * m],
].flat()
const WINDOW_MS = 12 * 60 * m
const RATIO = 0.6
const MIN_ATTEMPTS = 20

/** Integration state per settings.url: { disabled, window: [{ at, failed }], active: Set<AbortController>, agents: Map } */
const integrations = new Map()

function integrationFor(url) {
  let it = integrations.get(url)
  if (!it) {
    it = { disabled: false, window: [], active: new Set(), agents: new Map() }
    integrations.set(url, it)
  }
  return it
}

function agentFor(it, settings, lib) {
  const key = `${settings.caFile}|${settings.verifyTls}`
  let agent = it.agents.get(key)
  if (!agent) {
    const ca = settings.caFile ? readFileSync(settings.caFile) : undefined
    agent = new lib.Agent({ keepAlive: true, ca, rejectUnauthorized: settings.verifyTls !== false })
    it.agents.set(key, agent)
  }
  return agent
}

/** Records one attempt in the window; returns true when this attempt disabled the integration. */
function record(it, failed, scale) {
  const now = performance.now()
  it.window.push({ at: now, failed })
  while (it.window.length && it.window[0].at < now - WINDOW_MS * scale) it.window.shift()
  const failures = it.window.filter((w) => w.failed).length
  if (it.disabled || it.window.length < MIN_ATTEMPTS || failures / it.window.length < RATIO) return false
  it.disabled = true
  for (const c of it.active) c.abort() // pending retries and in-flight attempts of other deliveries end now
  return true
}

/** Resolves true after ms, or false at once when the signal aborts. */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

/** One HTTP request: resolves { status } or { error }. */
function attempt(settings, agent, lib, body, signal) {
  const scale = settings.timeScale
  return new Promise((resolve) => {
    let done = false
    let timer
    const finish = (result) => {
      if (done) return
      done = true
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      resolve(result)
    }
    const req = lib.request(settings.url, {
      method: settings.method,
      agent,
      headers: {
        'content-type': settings.format === 'ndjson' ? 'application/x-ndjson' : 'application/json',
        'content-length': Buffer.byteLength(body),
        ...settings.headers,
      },
    })
    const onAbort = () => req.destroy(new Error('cancelled'))
    signal.addEventListener('abort', onAbort, { once: true })
    const startRequestTimer = () => {
      clearTimeout(timer)
      timer = setTimeout(() => req.destroy(new Error('request timeout')), settings.requestTimeoutMs * scale)
    }
    req.on('socket', (sock) => {
      // A new socket is still connecting (TCP, then TLS); a kept-alive one is ready.
      if (sock.connecting) {
        timer = setTimeout(() => req.destroy(new Error('connect timeout')), settings.connectTimeoutMs * scale)
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

/** Runs one delivery to its end; returns the events to answer with. */
async function deliver(settings, notifications, signal) {
  const it = integrationFor(settings.url)
  const events = []
  if (it.disabled) return [{ event: 'not-sent', reason: 'integration disabled' }]
  const lib = new URL(settings.url).protocol === 'https:' ? https : http
  const agent = agentFor(it, settings, lib)
  const controller = new AbortController()
  const cancel = () => controller.abort()
  signal.addEventListener('abort', cancel, { once: true })
  it.active.add(controller)
  // batch: false is one notification, still sent as a one-element JSON array (or one NDJSON line).
  const body = settings.format === 'ndjson' ? notifications.map((n) => JSON.stringify(n)).join('\n') + '\n' : JSON.stringify(notifications)
  try {
    for (let n = 0; ; n++) {
      if (it.disabled || controller.signal.aborted) return events
      const result = await attempt(settings, agent, lib, body, controller.signal)
      if (controller.signal.aborted) return events // runner gone, or disabled meanwhile: not an attempt to count
      const ok = result.status !== undefined && result.status >= 200 && result.status <= 299
      events.push({ event: 'attempt-end', attempt: n + 1, ...result })
      if (record(it, !ok, settings.timeScale)) {
        events.push({ event: 'disabled' })
        return events
      }
      if (ok) return [...events, { event: 'delivered', attempts: n + 1 }]
      const interval = INTERVALS[n]
      if (interval === undefined) return [...events, { event: 'dropped', attempts: n + 1 }]
      if (!(await sleep(interval * settings.timeScale, controller.signal))) return events
    }
  } finally {
    it.active.delete(controller)
    signal.removeEventListener('abort', cancel)
  }
}

function answer(res, status, value) {
  if (res.destroyed) return
  const text = JSON.stringify(value)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || new URL(req.url, 'http://x').pathname !== '/send') {
    return answer(res, 404, { error: 'POST /send only' })
  }
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', () => {
    let input
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      if (!input?.settings?.url || !Array.isArray(input.notifications) || input.notifications.length === 0) throw new Error('need settings.url and notifications')
    } catch (err) {
      return answer(res, 400, { error: err.message })
    }
    // The runner closing the connection before the answer means: stop this delivery.
    const gone = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) gone.abort()
    })
    deliver(input.settings, input.notifications, gone.signal).then(
      (events) => answer(res, 200, { events }),
      (err) => answer(res, 500, { error: err.message }),
    )
  })
})
server.requestTimeout = 0 // a delivery may run through all three cycles before the answer

server.listen(port, host, () => {
  const { port: bound } = server.address()
  process.stdout.write(`${JSON.stringify({ event: 'listening', url: `http://${host}:${bound}/send` })}\n`)
})

const stop = () => {
  for (const it of integrations.values()) {
    for (const c of it.active) c.abort()
    for (const a of it.agents.values()) a.destroy()
  }
  server.close()
  server.closeAllConnections()
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
