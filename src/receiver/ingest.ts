/**
 * The ingest hot path: one lean node:http(s) request handler (no express). Records the request on
 * arrival, reads the body within the limit, asks the fault engine, and either carries out the fault
 * or answers exactly as Fluentd's in_http (parse, validate, 200/204/400/401/413 ...).
 * @see docs/design.md "Answering as Fluentd"
 */
import { hash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { inflateSync, gunzipSync } from 'node:zlib'
import type { Clock } from '../clock/index.js'
import type { FaultEngine, RequestDecision, ResponseAction } from '../faults/types.js'
import type { Journal } from '../journal/journal.js'
import type { JournalEntry, JournalEvent } from '../journal/types.js'
import type { ValidationMode, Validator, Verdict } from '../validation/types.js'
import { parseRequestBody, type ParseResult } from './parse-body.js'
import { fluentdErrorBody, resetSocket, statusText, writeAnswer } from './responses.js'

/** Per-connection state, keyed by the raw TCP socket. */
export interface ConnState {
  id: number
  raw: Socket
  remoteAddress: string
  remotePort: number
  receivedAt: number
  receivedMono: number
  tls?: JournalEntry['tls']
  /** Entries on this connection that are not settled yet (hung requests, a stalled handshake). */
  open: Set<JournalEntry>
  stalled?: JournalEntry
  /** Requests seen on this connection (a TLS connection that closes with none is journaled). */
  requests?: number
  /** Set when the idle timeout reset this connection (the journal says so instead of 'client-aborted'). */
  idleReset?: boolean
}

export interface IngestContext {
  journal: Journal
  clock: Clock
  faults?: FaultEngine
  validator?: Validator
  validate: ValidationMode
  bodyLimit: number
  strictParse: boolean
  successStatus: 200 | 204
  requireHeader?: { name: string; value: string }
  journalBodyMax: number
  resetOnClose: boolean
  /** Idle timeout of a connection waiting on the client (for the journal's wording), ms; 0 = off. */
  idleTimeoutMs: number
  connOf(sock: Socket): ConnState | undefined
  setTimeout(fn: () => void, ms: number): NodeJS.Timeout
  refuse(durationMs: number): void
  onError(err: unknown): void
}

/** Attempt counters kept at most; beyond this they start afresh (a long soak must not grow memory). */
const MAX_ATTEMPT_KEYS = 100_000

/** Gzip/deflate output limit (Fluentd v1.19's decompression_size_limit default). */
const MAX_DECOMPRESSED = 256 * 1024 * 1024

interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  conn: ConnState
  entry: JournalEntry
  keepAlive: boolean
  tag: string
  query: string | undefined
  /** Arrival as float seconds (default event time). */
  arrivalS: number
  done: boolean
  /** A faulted body parsed once (faultParse); false when it does not decode. */
  faultParsed?: ParseResult | false
}

/** Fluentd's keep-alive rule: HTTP/1.1 default on; Connection /close/i off, /keep-alive/i on. */
function wantsKeepAlive(req: IncomingMessage): boolean {
  const c = req.headers.connection
  if (c !== undefined) {
    if (/close/i.test(c)) return false
    if (/keep-alive/i.test(c)) return true
  }
  return req.httpVersion === '1.1'
}

function truncate(body: Buffer, max: number): { body: string; bodyTruncated?: boolean } {
  if (body.length <= max) return { body: body.toString('utf8') }
  return { body: body.subarray(0, max).toString('utf8'), bodyTruncated: true }
}

/** Gzip/deflate bodies decoded (throws when they do not decode); any other encoding as it is. */
function decompress(enc: string | undefined, body: Buffer): Buffer {
  if (enc === 'gzip') return gunzipSync(body, { maxOutputLength: MAX_DECOMPRESSED })
  if (enc === 'deflate') return inflateSync(body, { maxOutputLength: MAX_DECOMPRESSED })
  return body
}

function verdictErrorText(verdicts: Verdict[]): string {
  const lines: string[] = []
  for (const v of verdicts) {
    if (v.valid) continue
    for (const e of v.errors) lines.push(`notification ${v.index} (${v.type ?? 'unknown type'}): ${e.pointer || '/'} ${e.message}`)
  }
  return lines.join('\n')
}

export function createIngestHandler(ctx: IngestContext): {
  onRequest(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void
  onExpectationFailed(req: IncomingMessage, res: ServerResponse): void
  onClientError(err: Error & { code?: string }, sock: Socket): void
  onConnectionClosed(conn: ConnState): void
  /** The socket saw no bytes for the idle timeout (node:http's server 'timeout'). */
  onIdle(sock: Socket): void
  /** Registers a connection with an open entry that is not a request (a stalled handshake). */
  trackOpen(conn: ConnState): void
  closeAll(): void
} {
  const { journal, clock } = ctx
  const attempts = new Map<string, number>()
  const openConns = new Set<ConnState>()
  const hungEntries = new WeakSet<JournalEntry>()
  /** Entries whose body is still being received: the client, not a fault, is what we wait for. */
  const reading = new WeakSet<JournalEntry>()
  const settleOutcome = (conn: ConnState, entry: JournalEntry): JournalEntry['outcome'] =>
    entry === conn.stalled ? 'stalled' : hungEntries.has(entry) ? 'hung' : 'client-aborted'

  function begin(req: IncomingMessage, res: ServerResponse): Exchange | undefined {
    const conn = ctx.connOf(req.socket)
    if (!conn) {
      // Not one of ours (cannot happen: every socket comes through the net listener).
      req.socket.destroy()
      return undefined
    }
    conn.requests = (conn.requests ?? 0) + 1
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    // Tag = path without the leading '/', '/' → '.', no percent-decoding (in_http).
    const tag = (path.startsWith('/') ? path.slice(1) : path).replaceAll('/', '.')
    const wall = clock.wallNow()
    const entry = journal.add({
      kind: 'request',
      receivedAt: wall,
      connectionId: conn.id,
      remoteAddress: conn.remoteAddress,
      remotePort: conn.remotePort,
      tls: conn.tls,
      method: req.method ?? '',
      url,
      path,
      tag,
      httpVersion: req.httpVersion,
      headers: req.headers as Record<string, string | string[]>,
      contentType: req.headers['content-type'],
      connectedMono: conn.receivedMono,
      requestOnConnection: conn.requests,
    })
    conn.open.add(entry)
    openConns.add(conn)
    // Sub-millisecond arrival: wall ms plus the fraction of the monotonic clock.
    const mono = entry.receivedMono
    const arrivalS = (wall + (mono - Math.floor(mono))) / 1000
    return {
      req,
      res,
      conn,
      entry,
      keepAlive: wantsKeepAlive(req),
      tag,
      query: q < 0 ? undefined : url.slice(q + 1),
      arrivalS,
      done: false,
    }
  }

  /** Settles the entry (journal file line written here) and writes the answer. */
  function answer(
    ex: Exchange,
    status: number,
    body: string | Buffer,
    opts: { close?: boolean; headers?: Record<string, string>; events?: JournalEvent[]; error?: string; forceBody?: boolean } = {},
  ): void {
    if (ex.done || ex.entry.outcome !== 'pending') return
    ex.done = true
    const keepAlive = ex.keepAlive && !opts.close
    const fields: Partial<JournalEntry> = { status, outcome: 'answered' }
    if (opts.events) fields.events = opts.events
    if (body.length > 0) fields.responseBody = typeof body === 'string' ? body : body.toString('utf8')
    if (opts.error !== undefined) fields.error = opts.error
    const { entry, conn } = ex
    conn.open.delete(entry)
    // Journal first, then the bytes: with a journal file the answer waits until its line (batched
    // with the other answers of this event-loop turn) is written.
    journal.completeThen(entry, fields, (err) => {
      if (err !== undefined) {
        // The journal file could not be written (disk full, I/O error): never answer 2xx for an event
        // that is not in the file. Fluentd answers 500 when its output cannot take the event.
        ctx.onError(err)
        const why = `journal write failed: ${(err as Error).message}`
        Object.assign(entry, { status: 500, events: undefined, error: why, responseBody: fluentdErrorBody(500, why) })
        status = 500
        body = fluentdErrorBody(500, why)
      }
      try {
        writeAnswer(ex.res, status, body, {
          keepAlive,
          headers: opts.headers,
          raw: conn.raw,
          reset: ctx.resetOnClose,
          forceBody: opts.forceBody,
          onFinish: () => journal.touch(entry, { endedAt: clock.wallNow(), endedMono: clock.now() }),
        })
      } catch (e) {
        // A fault with a header node refuses (bad name/value): cut the connection rather than crash.
        ctx.onError(e)
        journal.touch(entry, { error: `answer failed: ${(e as Error).message}` })
        resetSocket(conn.raw)
      }
    })
  }

  /** Ends the exchange without an answer (reset / close / client-aborted / hung at shutdown). */
  function cut(ex: Exchange, outcome: JournalEntry['outcome'], how: 'reset' | 'close' | 'none', error?: string): void {
    if (ex.done || ex.entry.outcome !== 'pending') return
    ex.done = true
    ex.conn.open.delete(ex.entry)
    journal.complete(ex.entry, error === undefined ? { outcome } : { outcome, error })
    if (how === 'reset') resetSocket(ex.conn.raw)
    else if (how === 'close') ex.req.socket.destroy()
  }

  function onRequest(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    const ex = begin(req, res)
    if (!ex) return
    const limit = ctx.bodyLimit
    if (expectContinue) {
      // Fluentd refuses before reading when Content-Length >= limit (note: >=, unlike the body check).
      const declared = Number(req.headers['content-length'] ?? '0')
      if (declared >= limit && limit >= 0 && req.headers['content-length'] !== undefined) {
        answer(ex, 413, 'Too large', { close: true, error: `Content-Length ${declared} >= body limit ${limit}` })
        return
      }
      res.writeContinue()
    }
    reading.add(ex.entry)
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return
      size += chunk.length
      if (size > limit) {
        tooLarge = true
        answer(ex, 413, 'Too large', { close: true, error: `body larger than ${limit} bytes` })
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      reading.delete(ex.entry)
      if (tooLarge || ex.done) return
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
      try {
        onBody(ex, body)
      } catch (err) {
        // Bad input must never crash the process: answer like Fluentd's exception path.
        ctx.onError(err)
        answer(ex, 400, fluentdErrorBody(400, (err as Error).message), { error: (err as Error).message })
      }
    })
    req.on('error', () => {
      // Client went away mid-body; onConnectionClosed settles the entry.
    })
  }

  function onBody(ex: Exchange, body: Buffer): void {
    const { entry } = ex
    entry.bodySize = body.length
    const t = truncate(body, ctx.journalBodyMax)
    entry.body = t.body
    if (t.bodyTruncated) entry.bodyTruncated = true
    // Attempt n of a delivery: same tag + same body bytes.
    const key = `${ex.tag}#${hash('sha1', body, 'base64url')}`
    entry.deliveryKey = key
    const attempt = (attempts.get(key) ?? 0) + 1
    if (attempts.size >= MAX_ATTEMPT_KEYS && attempt === 1) attempts.clear()
    attempts.set(key, attempt)
    entry.attempt = attempt

    let decision: RequestDecision | undefined
    if (ctx.faults) {
      try {
        decision = ctx.faults.decideRequest({
          method: ex.req.method ?? '',
          path: entry.path ?? '',
          tag: ex.tag,
          headers: ex.req.headers,
          remoteAddress: ex.conn.remoteAddress,
          connectionId: ex.conn.id,
          attempt,
        })
      } catch (err) {
        ctx.onError(err)
      }
    }
    if (!decision || (decision.action.type === 'pass' && !(decision.delayMs > 0))) {
      if (decision?.applied) entry.fault = decision.applied
      fluentd(ex, body)
      return
    }
    if (decision.applied) entry.fault = decision.applied
    const action = decision.action
    // Whatever the fault answers, the sender's notifications are judged: their schema verdicts go
    // into the journal (the answer itself is the fault's, so strict mode does not apply here).
    if (action.type !== 'pass') recordVerdicts(ex, body)
    if (decision.delayMs > 0) ctx.setTimeout(() => execute(ex, body, action), decision.delayMs)
    else execute(ex, body, action)
  }

  /** Carries out a fault's action (after its delay). */
  function execute(ex: Exchange, body: Buffer, action: ResponseAction): void {
    if (ex.done || ex.entry.outcome !== 'pending' || ex.conn.raw.destroyed) return
    switch (action.type) {
      case 'pass':
        fluentd(ex, body)
        return
      case 'respond': {
        const events = action.status >= 200 && action.status < 300 ? eventsOf(ex, body) : undefined
        // `Connection: close` from the plan (the engine adds it before a stall-tls step) ends the connection.
        const close = Object.entries(action.headers ?? {}).some(([n, v]) => n.toLowerCase() === 'connection' && /close/i.test(v))
        answer(ex, action.status, action.body ?? '', { headers: action.headers, events, close })
        return
      }
      case 'hang':
        // Never answer; settled as 'hung' when the connection ends (client gave up, or shutdown).
        hungEntries.add(ex.entry)
        return
      case 'reset':
        cut(ex, 'reset', 'reset')
        return
      case 'close':
        cut(ex, 'closed', 'close')
        return
      case 'slow-body':
        slowBody(ex, body, action)
        return
      case 'refuse':
        cut(ex, 'refused', 'reset')
        ctx.refuse(action.durationMs)
        return
      default: {
        const never: never = action
        ctx.onError(new Error(`unknown response action ${JSON.stringify(never)}`))
        fluentd(ex, body)
      }
    }
  }

  /**
   * The body as Fluentd would parse it, for a fault's answer (never answers itself): undefined when
   * it does not decode. Parsed once per exchange: the verdicts and a 2xx fault's events share it.
   */
  function faultParse(ex: Exchange, body: Buffer): ParseResult | undefined {
    if (ex.faultParsed !== undefined) return ex.faultParsed || undefined
    let decoded: Buffer
    try {
      decoded = decompress(ex.req.headers['content-encoding'], body)
    } catch {
      ex.faultParsed = false
      return undefined
    }
    const parsed = parseRequestBody({ contentType: ex.req.headers['content-type'], query: ex.query, body: decoded, arrivalTime: ex.arrivalS })
    ex.faultParsed = parsed
    return parsed
  }

  /** Schema verdicts of a faulted request's notifications, into the journal only (never answers). */
  function recordVerdicts(ex: Exchange, body: Buffer): void {
    if (!ctx.validator || ctx.validate === 'off') return
    try {
      const parsed = faultParse(ex, body)
      if (parsed?.ok && parsed.events.length > 0) ex.entry.verdicts = ctx.validator.validateAll(parsed.events.map((e) => e.record))
    } catch {
      // A body that does not parse has no verdicts; the fault's answer is unaffected.
    }
  }

  /** Events a 2xx fault answer emits (parsed as Fluentd would; none when Fluentd would reject). */
  function eventsOf(ex: Exchange, body: Buffer): JournalEvent[] | undefined {
    const parsed = faultParse(ex, body)
    return parsed?.ok ? parsed.events : undefined
  }

  function slowBody(ex: Exchange, body: Buffer, action: Extract<ResponseAction, { type: 'slow-body' }>): void {
    if (ex.done || ex.entry.outcome !== 'pending') return
    ex.done = true
    const { entry, conn, res } = ex
    // An empty body cannot be dribbled; send 16 spaces so the client really waits.
    const payload = Buffer.from(action.body && action.body.length > 0 ? action.body : ' '.repeat(16))
    const events = action.status >= 200 && action.status < 300 ? eventsOf(ex, body) : undefined
    journal.complete(entry, { status: action.status, outcome: 'answered', events, responseBody: payload.toString('utf8') })
    conn.open.delete(entry)
    const headers: string[] = []
    let hasCt = false
    for (const [n, v] of Object.entries(action.headers ?? {})) {
      const lower = n.toLowerCase()
      if (lower === 'content-length' || lower === 'connection') continue
      if (lower === 'content-type') hasCt = true
      headers.push(n, v)
    }
    if (!hasCt) headers.push('Content-Type', 'text/plain')
    headers.push('Connection', 'Keep-Alive', 'Content-Length', String(payload.length))
    try {
      res.sendDate = false
      res.writeHead(action.status, statusText(action.status), headers)
      res.flushHeaders()
    } catch (err) {
      ctx.onError(err)
      resetSocket(conn.raw)
      return
    }
    const pieces = Math.min(payload.length, 20)
    const step = Math.max(1, Math.ceil(payload.length / pieces))
    const intervalMs = action.durationMs / pieces
    let sent = 0
    const sendNext = (): void => {
      if (conn.raw.destroyed) return
      const next = payload.subarray(sent, sent + step)
      sent += next.length
      if (sent >= payload.length) {
        res.end(next, () => journal.touch(entry, { endedAt: clock.wallNow(), endedMono: clock.now() }))
      } else {
        res.write(next)
        ctx.setTimeout(sendNext, intervalMs)
      }
    }
    ctx.setTimeout(sendNext, intervalMs)
  }

  /** Decodes gzip/deflate; answers 400 (empty, closed) and returns undefined when it fails. */
  function decode(ex: Exchange, body: Buffer): Buffer | undefined {
    const enc = ex.req.headers['content-encoding']
    try {
      return decompress(enc, body)
    } catch (err) {
      answer(ex, 400, '', { close: true, error: `${enc} body does not decode: ${(err as Error).message}` })
      return undefined
    }
  }

  /** Fluentd's own behaviour for a fully read request. */
  function fluentd(ex: Exchange, raw: Buffer): void {
    const method = ex.req.method
    if (method === 'GET') {
      answer(ex, 200, '', { close: true })
      return
    }
    if (method === 'OPTIONS') {
      answer(ex, 403, '', { close: true })
      return
    }
    if (ctx.requireHeader) {
      const got = ex.req.headers[ctx.requireHeader.name]
      const value = Array.isArray(got) ? got.join(', ') : got
      if (value !== ctx.requireHeader.value) {
        const why = value === undefined ? `missing header ${ctx.requireHeader.name}` : `wrong value of header ${ctx.requireHeader.name}`
        answer(ex, 401, fluentdErrorBody(401, why), { error: why })
        return
      }
    }
    const body = decode(ex, raw)
    if (!body) return
    const parsed: ParseResult = parseRequestBody({
      contentType: ex.req.headers['content-type'],
      query: ex.query,
      body,
      arrivalTime: ex.arrivalS,
    })
    const head = method === 'HEAD'
    if (!parsed.ok) {
      answer(ex, 400, fluentdErrorBody(400, parsed.message), { error: parsed.message, forceBody: head })
      return
    }
    if (ctx.strictParse && (parsed.dropped.length > 0 || parsed.events.length === 0)) {
      const why = parsed.dropped.length > 0 ? parsed.dropped.join('; ') : 'no records in the body'
      answer(ex, 400, fluentdErrorBody(400, why), { error: why, forceBody: head })
      return
    }
    if (ctx.validator && ctx.validate !== 'off' && parsed.events.length > 0) {
      let verdicts: Verdict[] | undefined
      try {
        verdicts = ctx.validator.validateAll(parsed.events.map((e) => e.record))
      } catch (err) {
        ctx.onError(err)
      }
      if (verdicts) {
        ex.entry.verdicts = verdicts
        if (ctx.validate === 'strict' && verdicts.some((v) => !v.valid)) {
          const why = verdictErrorText(verdicts)
          answer(ex, 400, fluentdErrorBody(400, why), { error: why })
          return
        }
      }
    }
    if (parsed.dropped.length > 0) ex.entry.error = `ignored: ${parsed.dropped.join('; ')}`
    answer(ex, ctx.successStatus, '', { events: parsed.events })
  }

  return {
    onRequest,
    onExpectationFailed(req, res) {
      const ex = begin(req, res)
      if (ex) answer(ex, 417, '', { close: true, error: `unsupported Expect: ${String(req.headers.expect)}` })
    },
    onClientError(err, sock) {
      // Unparseable HTTP: Fluentd answers nothing and resets.
      const conn = ctx.connOf(sock)
      // Already journaled: a handshake timeout (tlsClientError) or our own idle reset (the parser then
      // sees EOF mid-request).
      const known = err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT' || conn?.idleReset === true
      if (conn && !known && err.code !== 'ECONNRESET' && err.code !== 'EPIPE') {
        journal.complete(
          journal.add({
            kind: 'request',
            connectionId: conn.id,
            remoteAddress: conn.remoteAddress,
            remotePort: conn.remotePort,
            tls: conn.tls,
            error: `unparseable HTTP: ${err.code ?? err.message}`,
          }),
          { outcome: 'reset' },
        )
      }
      if (conn) resetSocket(conn.raw)
      else sock.destroy()
    },
    trackOpen(conn) {
      openConns.add(conn)
    },
    onConnectionClosed(conn) {
      openConns.delete(conn)
      for (const entry of conn.open) {
        if (entry.outcome === 'pending') journal.complete(entry, { outcome: settleOutcome(conn, entry) })
      }
      conn.open.clear()
      if (conn.requests || conn.stalled) return
      // A connection that never became a request is still something a judge needs to see.
      const noRequest = (error: string, outcome: JournalEntry['outcome']): void =>
        journal.complete(
          journal.add({
            kind: 'connection',
            connectionId: conn.id,
            remoteAddress: conn.remoteAddress,
            remotePort: conn.remotePort,
            receivedAt: conn.receivedAt,
            receivedMono: conn.receivedMono,
            tls: conn.tls,
            error,
          }),
          { outcome },
        )
      if (conn.idleReset) {
        // Slowloris or a silent client: connected (and shook hands), never completed a request.
        noRequest(`idle timeout: no complete request and no bytes for ${ctx.idleTimeoutMs} ms; connection reset (as Fluentd's keepalive_timeout)`, 'reset')
      } else if (conn.tls) {
        // The handshake completed but no request followed: typically a client that checked the
        // certificate after the handshake (Node, undici) and rejected it.
        noRequest('TLS handshake completed, then the client closed without sending a request (did it reject the certificate?)', 'closed')
      }
    },
    onIdle(sock) {
      const conn = ctx.connOf(sock)
      if (!conn) {
        sock.destroy()
        return
      }
      // A fault holds an exchange (hang, delay, slow body): the client decides when to give up, as
      // with a stalled real server. Only a connection that waits on the client is reset.
      for (const entry of conn.open) if (!reading.has(entry)) return
      const res = (sock as Socket & { _httpMessage?: ServerResponse | null })._httpMessage
      if (res && res.headersSent && !res.writableFinished) return
      conn.idleReset = true
      for (const entry of conn.open) {
        journal.complete(entry, {
          outcome: 'reset',
          error: `idle timeout: no bytes for ${ctx.idleTimeoutMs} ms while the request was incomplete; connection reset`,
        })
      }
      conn.open.clear()
      resetSocket(conn.raw)
    },
    closeAll() {
      for (const conn of openConns) {
        for (const entry of conn.open) {
          if (entry.outcome === 'pending') journal.complete(entry, { outcome: settleOutcome(conn, entry) })
        }
        conn.open.clear()
      }
      openConns.clear()
    },
  }
}
