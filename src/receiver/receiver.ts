/**
 * The fake Fluentd `in_http` protocol emulator, assembled from its parts: the listener (raw TCP,
 * connection faults, refusals) hands sockets to a node:https (or node:http) server that never
 * listens itself; connections keeps per-connection state; ingest reads requests and either carries
 * out a fault (actions) or answers as Fluentd (fluentd-answer), each through one exchange.
 * Certificates, the journal, printing and the admin API are assembled around it by src/server.
 * @see docs/design.md "Parts"
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { urlFor } from '../certs/index.js'
import { systemClock, type TimerHandle } from '../clock/index.js'
import type { FaultEngine } from '../faults/index.js'
import type { Journal } from '../journal/index.js'
import { createConnections } from './connections.js'
import { inflateLimitFor } from './decode.js'
import { DEFAULT_MAX_RECORD_SIZE, DEFAULT_MAX_RECORDS, MAX_RECORD_DEPTH } from './parse-body.js'
import { startDeadlines } from './deadlines.js'
import { createExchanges } from './exchange.js'
import { createFluentdAnswer } from './fluentd-answer.js'
import { createFluentdLog, type FluentdLog } from './fluentd-log.js'
import { createIngest } from './ingest.js'
import { createListener } from './listener.js'
import { observing, publishObservation } from './observations.js'
import { checkOptions, requiredHeaders, tlsVersions } from './options.js'
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_HEADER_TIMEOUT_MS,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_JOURNAL_BODY_MAX,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  DEFAULT_MAX_HEADER_SIZE,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type ReceiverOptions,
  type TlsOptions,
} from './types.js'

/** How often the loop-lag probe beats, and the lag beyond which a turn counts as blocked, ms. */
const LOOP_BEAT_MS = 25
const LOOP_BLOCKED_MS = 100

/** What the composition root hands the emulator. */
export interface ReceiverParts {
  /** Certificate and key; undefined = plain HTTP. */
  tls?: TlsOptions
  journal: Journal
  faults?: FaultEngine
  /** A worker of `serve --workers`: the ingest port is shared by the cluster's processes. */
  sharedPort?: boolean
}

/** One worker process of `serve --workers` (src/cluster), as `GET /api/health` shows it. */
export interface WorkerInfo {
  id: number
  pid: number
  connections: number
  /** Journal entries it recorded (adopted by the primary). */
  entries: number
}

/** A running emulator (without admin API); src/server wraps it into a Receiver. */
export interface ReceiverCore {
  port: number
  host: string
  protocol: 'https' | 'http'
  url: string
  /** Open client connections. */
  readonly connections: number
  /** True while a refuse fault keeps the port closed. */
  readonly refusing: boolean
  /** Under `--workers`: each worker process, its open connections and the entries it journaled. */
  readonly workers?: readonly WorkerInfo[]
  /** Fluentd's own log lines (typed events; the CLI prints them). */
  log: Pick<FluentdLog, 'subscribe'>
  /** Stops listening, cuts every socket, cancels every timer, settles open entries. */
  close(): Promise<void>
}

/**
 * Starts the emulator on its port. Throws FF_ERR_OPTION on bad options; rejects with the listen
 * error when the port cannot be bound.
 */
export async function createReceiver(options: ReceiverOptions, parts: ReceiverParts): Promise<ReceiverCore> {
  checkOptions(options)
  const clock = options.clock ?? systemClock
  const host = options.host ?? '127.0.0.1'
  const onError = options.onError ?? (() => {})
  const { tls, journal, faults } = parts
  let closing = false

  // Every timer on the receiver's clock, cancelled when it closes.
  const timers = new Set<TimerHandle>()
  const setTimer = (fn: () => void, ms: number): void => {
    const handle = clock.setTimer(() => {
      timers.delete(handle)
      if (!closing) fn()
    }, ms)
    timers.add(handle)
  }

  // --- the (never listening) HTTP layer ---------------------------------------------------------
  // node's own timers are all off: idle, keep-alive, handshake and request deadlines run on the
  // receiver's clock (deadlines.ts). Hung requests (a fault) stay open until the client gives up.
  // Fluentd needs no Host header (node answers 400 without one unless told otherwise).
  const httpOptions = { keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 0, requireHostHeader: false, maxHeaderSize: options.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE }
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  const keepAliveTimeoutMs = options.keepAliveTimeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS
  const server: HttpServer = tls
    ? // No ALPN (an empty list; node's default offers only http/1.1 and rejects a client that offers
      // others, such as curl --http1.0): Fluentd does none and completes every handshake.
      createHttpsServer({ ...httpOptions, ALPNProtocols: [], handshakeTimeout: 0, cert: tls.cert, key: tls.key, ...tlsVersions(options.tlsVersion) })
    : createHttpServer(httpOptions)
  server.keepAliveTimeout = 0
  server.timeout = 0

  const connections = createConnections({ journal, clock, idleTimeoutMs, keepAliveTimeoutMs })
  const log = createFluentdLog()
  // Loop-lag probe (real time, not the clock: it measures the event loop itself). A turn that ran
  // longer than LOOP_BLOCKED_MS may have held back a signal; answers then wait for one poll phase.
  let lastBeat = performance.now()
  const beat = setInterval(() => (lastBeat = performance.now()), LOOP_BEAT_MS)
  beat.unref()
  const exchanges = createExchanges({
    journal,
    clock,
    log,
    resetOnClose: options.resetOnClose ?? true,
    stopping: () => closing,
    loopWasBlocked: () => performance.now() - lastBeat > LOOP_BLOCKED_MS,
    onError,
  })
  const fluentd = createFluentdAnswer({
    journal,
    clock,
    log,
    exchanges,
    validator: options.validator,
    validate: options.validate ?? 'warn',
    strictParse: options.strictParse ?? false,
    successStatus: options.successStatus ?? 200,
    requireHeaders: requiredHeaders(options.requireHeader),
    inflateLimit: inflateLimitFor(options.bodyLimit ?? DEFAULT_BODY_LIMIT, options.inflateLimit),
    maxRecords: options.maxRecords ?? DEFAULT_MAX_RECORDS,
    maxRecordSize: options.maxRecordSize ?? DEFAULT_MAX_RECORD_SIZE,
    maxRecordDepth: options.maxRecordDepth ?? MAX_RECORD_DEPTH,
    onError,
  })
  const handOver = (raw: Socket): void => {
    const conn = connections.connOf(raw)
    if (conn) conn.handedOver = true
    server.emit('connection', raw)
  }
  const listener = createListener({
    host,
    sharedPort: parts.sharedPort,
    journal,
    clock,
    connections,
    faults,
    maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
    handOver,
    setTimer,
    onError,
  })
  startDeadlines({
    clock,
    connections,
    idleTimeoutMs,
    keepAliveTimeoutMs,
    headerTimeoutMs: options.headerTimeoutMs ?? DEFAULT_HEADER_TIMEOUT_MS,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    setTimer,
  })
  const ingest = createIngest({
    journal,
    clock,
    connections,
    exchanges,
    fluentd,
    faults,
    log,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    journalBodyMax: options.journalBodyMax ?? DEFAULT_JOURNAL_BODY_MAX,
    isDeliverySuccess: options.isDeliverySuccess,
    localPort: () => port,
    deliveryStateBytes: options.deliveryStateBytes,
    setTimer,
    refuse: (ms) => listener.refuseFor(ms),
    onError,
  })
  server.on('request', (req: IncomingMessage, res: ServerResponse) => ingest.onRequest(req, res, false))
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => ingest.onRequest(req, res, true))
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => ingest.onExpectationFailed(req, res))
  server.on('clientError', (err: Error & { code?: string }, sock: Socket) => ingest.onClientError(err, sock))
  if (tls) {
    server.on('secureConnection', (sock: TLSSocket) => {
      connections.onSecure(sock)
      const conn = observing() ? connections.connOf(sock) : undefined
      if (conn) publishObservation({ type: 'handshake', port: sock.localPort ?? 0, mono: clock.now(), connectionId: conn.id })
    })
    server.on('tlsClientError', (err: Error & { code?: string }, sock: TLSSocket) => connections.onTlsError(err, sock))
  }
  server.on('error', onError)

  let port: number
  try {
    port = await listener.start(options.port ?? 9880)
  } catch (err) {
    // Nothing may keep the process alive after a failed start (the sweep timer, the probe).
    closing = true
    for (const t of timers) clock.clearTimer(t)
    timers.clear()
    clearInterval(beat)
    throw err
  }
  const protocol = tls ? 'https' : 'http'

  let closed: Promise<void> | undefined
  return {
    port,
    host,
    protocol,
    url: urlFor(protocol, host, port),
    log,
    get connections() {
      return connections.sockets.size
    },
    get refusing() {
      return listener.refusing
    },
    close() {
      closed ??= (async () => {
        closing = true
        clearInterval(beat)
        for (const t of timers) clock.clearTimer(t)
        timers.clear()
        const listening = listener.close()
        connections.closeAll()
        for (const s of connections.sockets) s.destroy()
        server.closeAllConnections?.()
        await listening
        ingest.close()
      })()
      return closed
    },
  }
}
