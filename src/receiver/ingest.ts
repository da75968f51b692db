/**
 * The ingest hot path: one lean node:http(s) request handler (no express). Journals the request on
 * arrival (exchange), reads the body within the limit, counts the attempt of its delivery, asks the
 * fault engine, and either carries out the fault (actions) or answers as Fluentd (fluentd-answer).
 * @see docs/design.md "Answering as Fluentd"
 */
import { hash } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { createDeliveryTracker, ticketOf, type AttemptTicket } from '../deliveries/index.js'
import type { FaultEngine, RequestDecision } from '../faults/index.js'
import type { Journal, JournalEntry } from '../journal/index.js'
import { executeAction, type ActionContext } from './actions.js'
import { observing, publishObservation } from './observations.js'
import type { Connections, OpenState } from './connections.js'
import type { Exchange, Exchanges } from './exchange.js'
import type { FluentdAnswer } from './fluentd-answer.js'
import type { FluentdLog } from './fluentd-log.js'
import { fluentdErrorBody, resetSocket, TOO_LARGE } from './responses.js'
import { streamIfPipelined } from './socket-reads.js'

export interface IngestContext extends ActionContext {
  journal: Journal
  connections: Connections
  exchanges: Exchanges
  fluentd: FluentdAnswer
  faults?: FaultEngine
  log: FluentdLog
  bodyLimit: number
  journalBodyMax: number
  /** What ends a delivery (default any 2xx). */
  isDeliverySuccess?: (status: number) => boolean
  /** Budget of the delivery tracker's state, bytes (default src/deliveries' DEFAULT_DELIVERY_STATE_BYTES). */
  deliveryStateBytes?: number
  /** The receiver's port, for its observations (observations.ts). */
  localPort?: () => number
}

function truncate(body: Buffer, max: number): { body: string; bodyTruncated?: boolean } {
  if (body.length <= max) return { body: body.toString('utf8') }
  return { body: body.subarray(0, max).toString('utf8'), bodyTruncated: true }
}

export interface Ingest {
  onRequest(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void
  onExpectationFailed(req: IncomingMessage, res: ServerResponse): void
  onClientError(err: Error & { code?: string; bytesParsed?: number; rawPacket?: Buffer }, sock: Socket): void
  /** Stops following the journal (the receiver closed). */
  close(): void
}

export function createIngest(ctx: IngestContext): Ingest {
  const { journal, connections, exchanges, fluentd } = ctx
  // Which delivery and attempt each request is (src/deliveries); an attempt's end, as the journal
  // settles it, ends its delivery when it succeeded.
  const tracker = createDeliveryTracker({ maxBytes: ctx.deliveryStateBytes })
  const tickets = new WeakMap<JournalEntry, AttemptTicket>()
  const isSuccess = ctx.isDeliverySuccess ?? ((status: number) => status >= 200 && status <= 299)
  const port = (): number => ctx.localPort?.() ?? 0
  const unsubscribe = journal.subscribe((change) => {
    const e = change.entry
    if (!e) return
    if (change.corrected === true && e.kind === 'request' && e.deliveryKey !== undefined && e.attempt !== undefined) {
      // An answer corrected (it never reached the socket): a success was none, its delivery is open
      // again (a no-op for a delivery still open after a failed attempt).
      tracker.reopen(ticketOf(e.deliveryKey, e.attempt))
      return
    }
    if (change.type !== 'completed') return
    if (observing()) publishObservation({ type: 'answer', port: port(), mono: e.endedMono ?? ctx.clock.now(), entryId: e.id, kind: e.kind, outcome: e.outcome, status: e.status })
    const ticket = tickets.get(e)
    if (!ticket) return
    tickets.delete(e)
    tracker.end(ticket, e.outcome === 'answered' && e.status !== undefined && isSuccess(e.status))
  })
  /** The request of each entry (a parser error after a complete request must not cut that request). */
  const requests = new WeakMap<JournalEntry, IncomingMessage>()
  /** Entries whose request was read in full (node marks it complete before its 'end' event). */
  const isComplete = (entry: JournalEntry, state: OpenState): boolean => state !== 'reading' || requests.get(entry)?.complete === true

  const begin = (req: IncomingMessage, res: ServerResponse): Exchange | undefined => {
    const conn = connections.connOf(req.socket)
    if (!conn) {
      // Not one of ours (cannot happen: every socket comes through the net listener).
      req.socket.destroy()
      return undefined
    }
    streamIfPipelined(conn, req.socket)
    const ex = exchanges.begin(req, res, conn)
    requests.set(ex.entry, req)
    return ex
  }

  /** Answers like Fluentd's exception path: bad input must never crash the process. */
  const failed = (ex: Exchange, err: unknown): void => {
    ctx.onError(err)
    const message = (err as Error).message
    ctx.log.emit({ type: 'process-failed', level: 'error', at: ctx.clock.wallNow(), errorClass: (err as Error).name || 'RuntimeError', message })
    exchanges.answer(ex, 400, fluentdErrorBody(400, message), { error: message, processed: true })
  }

  function onRequest(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): void {
    const ex = begin(req, res)
    if (!ex) return
    const limit = ctx.bodyLimit
    if (expectContinue) {
      // Refused before reading when Content-Length is over the limit, as the body check does (Fluentd
      // already refuses a body of exactly the limit here, which curl's automatic Expect: 100-continue
      // turns into a surprise: README "Known differences").
      const declared = Number(req.headers['content-length'] ?? '0')
      if (declared > limit && limit >= 0 && req.headers['content-length'] !== undefined) {
        exchanges.answer(ex, 413, TOO_LARGE, { close: true, error: `Content-Length ${declared} > body limit ${limit}` })
        return
      }
      res.writeContinue()
    }
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return
      size += chunk.length
      if (size > limit) {
        tooLarge = true
        exchanges.answer(ex, 413, TOO_LARGE, { close: true, error: `body larger than ${limit} bytes` })
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      // Read in full: isComplete no longer needs the request, and the entry must not keep it (and its
      // buffers) alive for as long as the journal keeps the entry.
      requests.delete(ex.entry)
      if (ex.conn.open.has(ex.entry)) ex.conn.open.set(ex.entry, 'handling')
      if (tooLarge || !exchanges.isOpen(ex)) return
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)
      onBody(ex, body).catch((err: unknown) => failed(ex, err))
    })
    req.on('error', () => {
      // Client went away mid-body; the connection's close settles the entry.
    })
  }

  async function onBody(ex: Exchange, body: Buffer): Promise<void> {
    // Which delivery (same tag + same body bytes, src/deliveries) and which attempt of it.
    const ticket = tracker.begin(`${ex.tag}#${hash('sha1', body, 'base64url')}`)
    tickets.set(ex.entry, ticket)
    const { deliveryKey, attempt } = ticket
    journal.update(ex.entry, { bodySize: body.length, ...truncate(body, ctx.journalBodyMax), deliveryKey, attempt })
    if (observing()) publishObservation({ type: 'request', port: port(), mono: ctx.clock.now(), connectionId: ex.conn.id, entryId: ex.entry.id, deliveryKey, attempt })

    let decision: RequestDecision | undefined
    if (ctx.faults) {
      // A rule on the body's records needs them parsed first (once: the answer reuses the parse).
      const records = ctx.faults.needsRecords?.() === true ? (await fluentd.faultEvents(ex, body))?.map((e) => e.record) : undefined
      try {
        decision = ctx.faults.decideRequest({
          method: ex.req.method ?? '',
          path: ex.entry.path ?? '',
          tag: ex.tag,
          headers: ex.req.headers,
          remoteAddress: ex.conn.remoteAddress,
          connectionId: ex.conn.id,
          attempt,
          ...(records !== undefined ? { records } : {}),
        })
      } catch (err) {
        ctx.onError(err)
      }
    }
    if (decision?.applied) journal.update(ex.entry, { fault: decision.applied })
    if (!decision || (decision.action.type === 'pass' && !(decision.delayMs > 0))) {
      await fluentd.answerAsFluentd(ex, body)
      return
    }
    const action = decision.action
    // Whatever the fault answers, the sender's notifications are judged: their schema verdicts go
    // into the journal (the answer itself is the fault's, so strict mode does not apply here).
    if (action.type !== 'pass') await fluentd.recordVerdicts(ex, body)
    const run = (): void => void executeAction(ctx, ex, body, action).catch((err: unknown) => failed(ex, err))
    if (decision.delayMs > 0) ctx.setTimer(run, decision.delayMs)
    else run()
  }

  return {
    onRequest,
    close: unsubscribe,
    onExpectationFailed(req, res) {
      const ex = begin(req, res)
      if (ex) exchanges.answer(ex, 417, '', { close: true, error: `unsupported Expect: ${String(req.headers.expect)}` })
    },
    onClientError(err, sock) {
      const conn = connections.connOf(sock)
      if (!conn) {
        sock.destroy()
        return
      }
      const code = err.code ?? err.message
      // Already told: a failed handshake (tlsClientError), our own reset (idle, deadline: the parser then
      // sees EOF mid-request), or an earlier parser error on this connection. A client that went away
      // (ECONNRESET, EPIPE) is settled when the connection closes.
      const told = conn.journaled === true || conn.idleReset === true || code === 'ERR_TLS_HANDSHAKE_TIMEOUT'
      if (!told && code !== 'ECONNRESET' && code !== 'EPIPE') {
        conn.journaled = true
        const tlsLevel = /^ERR_(TLS|SSL)_/.test(code)
        const why = tlsLevel ? `TLS error: ${code} (${err.message})` : `unparseable HTTP: ${code}`
        const reading = [...conn.open].filter(([entry, state]) => !isComplete(entry, state)).map(([entry]) => entry)
        if (reading.length > 0) {
          // The request had begun (e.g. a bad chunk size in its body): that request was cut, once.
          for (const entry of reading) {
            conn.open.delete(entry)
            journal.complete(entry, { outcome: 'reset', error: why })
          }
        } else if (tlsLevel) {
          const { id: connectionId, remoteAddress, remotePort } = conn
          journal.complete(journal.add({ kind: 'tls-error', connectionId, remoteAddress, remotePort, tls: { ...conn.tls, error: err.message, code }, error: why }), { outcome: 'tls-error' })
        } else {
          const { id: connectionId, remoteAddress, remotePort, tls } = conn
          journal.complete(journal.add({ kind: 'request', connectionId, remoteAddress, remotePort, tls, error: why }), { outcome: 'reset' })
        }
        if (code.startsWith('HPE_')) {
          // http_parser.rb's words when it stops before the end of what it was given.
          const parsed = err.bytesParsed ?? 0
          const given = err.rawPacket?.length ?? parsed
          ctx.log.emit({ type: 'unexpected-error', level: 'warn', at: ctx.clock.wallNow(), message: `Could not parse data entirely (${parsed} != ${given})` })
        }
      }
      // Unparseable HTTP: Fluentd answers nothing and resets, after answering, in order, every request
      // it had already read in full (checked against Fluentd v1.18 with 5 pipelined requests before
      // the bad bytes: 5 answers). The last of them ends the connection.
      let last: JournalEntry | undefined
      for (const [entry, state] of conn.open) if (state !== 'hung' && isComplete(entry, state)) last = entry
      // Or the last answer already decided whose bytes wait behind another (its finish then resets).
      if (last === undefined) for (const entry of conn.unsent) last = entry
      if (last !== undefined) conn.closeAfter = last
      else resetSocket(conn.raw)
    },
  }
}
