/**
 * The fake Fluentd `in_http` receiver.
 *
 * Architecture: a raw `net.Server` accepts TCP, tracks every socket (so close() never waits for a
 * hung or mid-handshake connection), asks the fault engine about the connection, then
 * hands accepted sockets to a node:https (or node:http) server that is never listening itself.
 * Requests go to a lean handler (no express on the hot path) that reads the body, asks the fault
 * engine, and answers as in_http would (see ingest.ts).
 * @see docs/design.md "Answering as Fluentd"
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { systemClock } from '../clock/index.js'
import { ensureCertificates } from '../certs/index.js'
import { FakeFluentdError } from '../errors.js'
import { parseHeaderLine } from '../text/index.js'
import { createFaultEngine } from '../faults/index.js'
import type { ConnectionDecision, FaultEngine } from '../faults/types.js'
import { createJournal } from '../journal/journal.js'
import type { JournalEntry } from '../journal/types.js'
import { startAdminServer, type AdminServer } from '../admin/server.js'
import { createIngestHandler, type ConnState, type IngestContext } from './ingest.js'
import { attachPrinter, OUTPUT_MODES } from './printer.js'
import { resetSocket } from './responses.js'
import {
  DEFAULT_BODY_LIMIT,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_JOURNAL_BODY_MAX,
  DEFAULT_KEEPALIVE_TIMEOUT_MS,
  type Receiver,
  type ReceiverOptions,
  type TlsOptions,
} from './types.js'

function tlsVersions(v: ReceiverOptions['tlsVersion']): { minVersion: 'TLSv1.2' | 'TLSv1.3'; maxVersion: 'TLSv1.2' | 'TLSv1.3' } {
  switch (v ?? '1.2') {
    case '1.2':
      return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }
    case '1.3':
      return { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }
    case '1.2+':
      return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }
    default:
      throw new FakeFluentdError('FF_ERR_OPTION', `Invalid TLS version ${String(v)}: use 1.2, 1.3 or 1.2+.`)
  }
}

function checkOptions(o: ReceiverOptions): void {
  const bad = (msg: string): never => {
    throw new FakeFluentdError('FF_ERR_OPTION', msg)
  }
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) bad(`Invalid port ${o.port}: use 0-65535.`)
  if (o.adminPort !== undefined && o.adminPort !== false && (!Number.isInteger(o.adminPort) || o.adminPort < 0 || o.adminPort > 65535)) {
    bad(`Invalid admin port ${String(o.adminPort)}: use 0-65535.`)
  }
  if (o.idleTimeoutMs !== undefined && (!Number.isFinite(o.idleTimeoutMs) || o.idleTimeoutMs < 0)) bad(`Invalid idle timeout ${o.idleTimeoutMs}: use ms >= 0 (0 = never).`)
  if (o.bodyLimit !== undefined && (!Number.isInteger(o.bodyLimit) || o.bodyLimit < 0)) bad(`Invalid body limit ${o.bodyLimit}: use a byte count >= 0.`)
  if (o.successStatus !== undefined && o.successStatus !== 200 && o.successStatus !== 204) bad(`Invalid success status ${String(o.successStatus)}: use 200 or 204.`)
  if (o.validate !== undefined && !['off', 'warn', 'strict'].includes(o.validate)) bad(`Invalid validation mode ${String(o.validate)}: use off, warn or strict.`)
  if (o.requireHeader !== undefined) parseRequiredHeader(o.requireHeader)
  const mode = typeof o.output === 'object' ? o.output.mode : o.output
  if (mode !== undefined && !OUTPUT_MODES.includes(mode)) bad(`Invalid output ${String(mode)}: use fluentd, json or none.`)
}

/** Parses `Name: value` (throws FF_ERR_OPTION when there is no colon or no name). */
export function parseRequiredHeader(text: string): { name: string; value: string } {
  const header = parseHeaderLine(text)
  if (!header) throw new FakeFluentdError('FF_ERR_OPTION', `Invalid required header "${text}": use "Name: value".`)
  return { name: header.name.toLowerCase(), value: header.value }
}

/**
 * Starts the fake Fluentd. Resolves once the ingest listener (and the admin API when asked) listen.
 * Throws FakeFluentdError FF_ERR_LISTEN when a port cannot be bound, FF_ERR_CERT / FF_ERR_OPTION on
 * bad certificates or options.
 */
export async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  checkOptions(options)
  const clock = options.clock ?? systemClock
  const host = options.host ?? '127.0.0.1'
  const onError = options.onError ?? (() => {})

  // TLS material.
  let tls: TlsOptions | undefined
  if (options.tls === false) tls = undefined
  else if (typeof options.tls === 'object') tls = options.tls
  else {
    const set = await ensureCertificates({ certDir: options.certDir, hosts: options.hosts })
    tls = { cert: set.cert, key: set.key, ca: set.ca, caPath: set.caPath }
  }

  // Fault engine: given, none (false), or an empty plan so `PUT /api/faults` can load one later.
  const faults: FaultEngine | undefined =
    options.faults === false ? undefined : (options.faults ?? createFaultEngine({ seed: options.seed, clock }))

  const ownJournal = !options.journal
  const journal = options.journal ?? createJournal({ max: options.journalMax, file: options.journalFile, clock })
  const out = options.output
  const detachPrinter =
    out === undefined || out === 'none'
      ? () => {}
      : typeof out === 'string'
        ? attachPrinter(journal, {
            mode: out,
            write: (t) => void process.stdout.write(t),
            warn: (t) => void process.stderr.write(t),
          })
        : attachPrinter(journal, out)

  const timers = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()
  const stateByRaw = new WeakMap<Socket, ConnState>()
  let connSeq = 0
  let closing = false

  const setTrackedTimeout = (fn: () => void, ms: number): NodeJS.Timeout => {
    // node fires a timer longer than 2^31-1 ms after 1 ms: clamp (a lognormal draw can be that long).
    const t = setTimeout(
      () => {
        timers.delete(t)
        if (!closing) fn()
      },
      Math.min(ms, 2 ** 31 - 1),
    )
    timers.add(t)
    return t
  }

  // --- the (never listening) HTTP layer ---------------------------------------------------------
  const httpOptions = {
    keepAliveTimeout: options.keepAliveTimeoutMs ?? DEFAULT_KEEPALIVE_TIMEOUT_MS,
    // Hung requests (a fault) must stay open until the client gives up; idle ones end via keepAliveTimeout.
    requestTimeout: 0,
    headersTimeout: 0,
  }
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
  // A handshake that stops half-way is cut after the idle timeout too (node's default is 120 s).
  const handshake = idleTimeoutMs > 0 ? { handshakeTimeout: idleTimeoutMs } : {}
  const server: HttpServer = tls
    ? createHttpsServer({ ...httpOptions, ...handshake, cert: tls.cert, key: tls.key, ...tlsVersions(options.tlsVersion) })
    : createHttpServer(httpOptions)
  server.keepAliveTimeout = httpOptions.keepAliveTimeout
  // Socket inactivity while a request is read or handled (node re-arms it per request); 'timeout'
  // goes to ingest.onIdle, which resets only connections that wait on the client (slowloris).
  server.timeout = idleTimeoutMs

  const connOf = (sock: Socket): ConnState | undefined => {
    const raw = (sock as Socket & { _parent?: Socket })._parent ?? sock
    return stateByRaw.get(raw)
  }

  const ctx: IngestContext = {
    journal,
    clock,
    faults,
    validator: options.validator,
    validate: options.validate ?? 'warn',
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    strictParse: options.strictParse ?? false,
    successStatus: options.successStatus ?? 200,
    requireHeader: options.requireHeader === undefined ? undefined : parseRequiredHeader(options.requireHeader),
    journalBodyMax: options.journalBodyMax ?? DEFAULT_JOURNAL_BODY_MAX,
    resetOnClose: options.resetOnClose ?? true,
    idleTimeoutMs,
    connOf,
    setTimeout: setTrackedTimeout,
    refuse: (durationMs) => refuseFor(durationMs),
    onError,
  }
  const ingest = createIngestHandler(ctx)
  server.on('request', (req: IncomingMessage, res: ServerResponse) => ingest.onRequest(req, res, false))
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => ingest.onRequest(req, res, true))
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => ingest.onExpectationFailed(req, res))
  server.on('timeout', (sock: Socket) => ingest.onIdle(sock))
  server.on('clientError', (err: Error & { code?: string }, sock: Socket) => ingest.onClientError(err, sock))
  if (tls) {
    server.on('secureConnection', (sock: TLSSocket) => {
      const st = connOf(sock)
      if (!st) return
      const cipher = sock.getCipher()
      st.tls = {
        protocol: sock.getProtocol() ?? undefined,
        cipher: cipher?.name,
        servername: typeof (sock as TLSSocket & { servername?: unknown }).servername === 'string' ? (sock as TLSSocket & { servername: string }).servername : undefined,
        alpn: sock.alpnProtocol ?? undefined,
      }
    })
    server.on('tlsClientError', (err: Error & { code?: string }, sock: TLSSocket) => {
      const st = connOf(sock)
      journal.complete(
        journal.add({
          kind: 'tls-error',
          connectionId: st?.id ?? 0,
          remoteAddress: st?.remoteAddress ?? '',
          remotePort: st?.remotePort ?? 0,
          receivedAt: st?.receivedAt,
          receivedMono: st?.receivedMono,
          tls: { error: err.message, code: err.code },
          error: err.message,
        }),
        { outcome: 'tls-error' },
      )
      // Fluentd answers a failed handshake (e.g. plain HTTP on the TLS port) with a reset.
      if (st) resetSocket(st.raw)
    })
  }
  server.on('error', onError)

  // --- the raw TCP layer -------------------------------------------------------------------------
  const netServers = new Set<NetServer>()
  let listener: NetServer | undefined
  let boundPort = options.port ?? 9880

  const acceptConnection = (raw: Socket): void => {
    if (closing) {
      resetSocket(raw)
      return
    }
    sockets.add(raw)
    raw.on('error', () => {
      // Resets and aborted handshakes are normal here; the http/tls layers report what matters.
    })
    raw.once('close', () => {
      sockets.delete(raw)
      const st = stateByRaw.get(raw)
      if (st) ingest.onConnectionClosed(st)
    })
    raw.setNoDelay(true)
    const st: ConnState = {
      id: ++connSeq,
      raw,
      remoteAddress: raw.remoteAddress ?? '',
      remotePort: raw.remotePort ?? 0,
      receivedAt: clock.wallNow(),
      receivedMono: clock.now(),
      open: new Set<JournalEntry>(),
    }
    stateByRaw.set(raw, st)
    let decision: ConnectionDecision | undefined
    if (faults) {
      try {
        decision = faults.decideConnection({ remoteAddress: st.remoteAddress, connectionId: st.id })
      } catch (err) {
        onError(err)
      }
    }
    if (!decision || (decision.action.type === 'accept' && !(decision.delayMs > 0))) {
      server.emit('connection', raw)
      return
    }
    const d = decision
    const act = (): void => runConnectionAction(st, d)
    if (d.delayMs > 0) {
      // Hold the bytes in the kernel until the delay is over.
      raw.pause()
      setTrackedTimeout(act, d.delayMs)
    } else act()
  }

  const runConnectionAction = (st: ConnState, d: ConnectionDecision): void => {
    if (st.raw.destroyed) return
    const base = {
      kind: 'connection' as const,
      connectionId: st.id,
      remoteAddress: st.remoteAddress,
      remotePort: st.remotePort,
      receivedAt: st.receivedAt,
      receivedMono: st.receivedMono,
      fault: d.applied,
    }
    const action = d.action
    switch (action.type) {
      case 'accept':
        st.raw.resume()
        server.emit('connection', st.raw)
        return
      case 'stall-tls': {
        // Answer nothing: the ClientHello is read and dropped, so the client's connect timeout fires
        // while we still notice when it gives up (a paused socket would never see the FIN).
        st.raw.on('data', () => {})
        st.raw.resume()
        const entry = journal.add(base)
        st.open.add(entry)
        st.stalled = entry
        ingest.trackOpen(st)
        return
      }
      case 'reset':
        journal.complete(journal.add(base), { outcome: 'reset' })
        resetSocket(st.raw)
        return
      case 'refuse':
        journal.complete(journal.add(base), { outcome: 'refused' })
        resetSocket(st.raw)
        refuseFor(action.durationMs)
        return
      default: {
        const never: never = action
        onError(new Error(`unknown connection action ${JSON.stringify(never)}`))
        server.emit('connection', st.raw)
      }
    }
  }

  const listen = (port: number): Promise<NetServer> =>
    new Promise<NetServer>((resolve, reject) => {
      const ns = createNetServer({ noDelay: true }, acceptConnection)
      const onListenError = (err: Error): void => reject(err)
      ns.once('error', onListenError)
      ns.listen({ port, host, exclusive: true }, () => {
        ns.off('error', onListenError)
        ns.on('error', onError)
        netServers.add(ns)
        ns.once('close', () => netServers.delete(ns))
        resolve(ns)
      })
    })

  let refusedUntil = 0
  function refuseFor(durationMs: number): void {
    if (closing) return
    const until = clock.now() + Math.max(0, durationMs)
    if (listener === undefined) {
      // Already refusing: extend.
      refusedUntil = Math.max(refusedUntil, until)
      return
    }
    refusedUntil = until
    const old = listener
    listener = undefined
    old.close()
    const reopen = (attempt: number): void => {
      const wait = refusedUntil - clock.now()
      if (wait > 1) {
        setTrackedTimeout(() => reopen(attempt), wait)
        return
      }
      listen(boundPort).then(
        (ns) => {
          if (closing) ns.close()
          else listener = ns
        },
        (err: unknown) => {
          // The port may be briefly busy; try again, then give up loudly.
          if (attempt < 50) setTrackedTimeout(() => reopen(attempt + 1), 100)
          else onError(err)
        },
      )
    }
    setTrackedTimeout(() => reopen(0), Math.max(0, durationMs))
  }

  try {
    listener = await listen(boundPort)
  } catch (err) {
    journal.close()
    throw new FakeFluentdError(
      'FF_ERR_LISTEN',
      `Cannot listen on ${host}:${boundPort}: ${(err as Error).message}. Pick another --port (0 = any free port).`,
      { cause: err },
    )
  }
  const addr = listener.address()
  boundPort = typeof addr === 'object' && addr ? addr.port : boundPort
  const protocol = tls ? 'https' : 'http'
  const urlHost = host.includes(':') ? `[${host}]` : host

  let admin: AdminServer | undefined
  if (options.adminPort !== undefined && options.adminPort !== false) {
    try {
      admin = await startAdminServer({
        port: options.adminPort,
        host: options.adminHost ?? '127.0.0.1',
        journal,
        faults: () => faults,
        mount: options.adminMount,
        ...options.adminSettings,
        security: { hosts: options.hosts ?? [], ...options.adminSettings?.security },
        info: () => ({
          ingestUrl: `${protocol}://${urlHost}:${boundPort}`,
          refusing: listener === undefined,
          connections: sockets.size,
        }),
      })
    } catch (err) {
      closing = true
      listener.close()
      for (const s of sockets) s.destroy()
      journal.close()
      throw err
    }
  }

  let closed: Promise<void> | undefined
  const receiver: Receiver = {
    url: `${protocol}://${urlHost}:${boundPort}`,
    port: boundPort,
    host,
    protocol,
    adminUrl: admin?.url,
    adminPort: admin?.port,
    caPath: tls?.caPath,
    ca: tls?.ca,
    journal,
    faults,
    close() {
      closed ??= (async () => {
        closing = true
        for (const t of timers) clearTimeout(t)
        timers.clear()
        const waits: Promise<void>[] = []
        for (const ns of netServers) waits.push(new Promise<void>((r) => ns.close(() => r())))
        for (const s of sockets) s.destroy()
        sockets.clear()
        server.closeAllConnections?.()
        ingest.closeAll()
        if (admin) waits.push(admin.close())
        await Promise.race([Promise.all(waits), new Promise<void>((r) => setTimeout(r, 800).unref())])
        detachPrinter()
        if (ownJournal) journal.close()
      })()
      return closed
    },
  }
  return receiver
}
