/**
 * One request and its answer: begin() journals the request on arrival, then exactly one of answer(),
 * cut() or claim() (a slow body writes its own answer) ends it. They share ONE guard: an exchange
 * that was already answered or cut (by the client leaving, the idle timeout or shutdown) is never
 * answered again.
 * @see docs/design.md "Answering as Fluentd"
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Clock } from '../clock/index.js'
import { AnswerWithdrawn, type EntryFields, type Journal, type RequestEntry } from '../journal/index.js'
import type { ParseResult } from './parse-body.js'
import { CUT_BEFORE_ANSWER, type ConnState } from './connections.js'
import { PIPELINED_BYTES, streamReads } from './socket-reads.js'
import type { FluentdLog } from './fluentd-log.js'
import { fluentdErrorBody, resetSocket, writeAnswer } from './responses.js'

export interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  conn: ConnState
  entry: RequestEntry
  keepAlive: boolean
  tag: string
  query: string | undefined
  /** Arrival as float seconds (default event time). */
  arrivalS: number
  /** Set by the guard once the exchange is answered or cut. */
  done: boolean
  /** The body decoded and parsed once (fluentd-answer), shared by the fault and the normal path. */
  parsed?: Promise<BodyOutcome>
}

/**
 * The body as Fluentd reads it: does not decode (400) or inflates beyond the limit (413), with the
 * journal's `error` and the text of Fluentd's log line; or the parse result.
 */
export type BodyOutcome = { decoded: false; status: 400 | 413; error: string; logText: string } | ({ decoded: true } & ParseResult)

export interface AnswerOpts {
  close?: boolean
  headers?: Record<string, string>
  events?: EntryFields<'request'>['events']
  /** The events are all the records of an uncut JSON body (the journal file line then leaves the body out). */
  bodyInEvents?: boolean
  error?: string
  forceBody?: boolean
  /** An answer of the request processing (see writeAnswer): Content-Type first even when closing. */
  processed?: boolean
}

export interface ExchangeContext {
  journal: Journal
  clock: Clock
  log: FluentdLog
  resetOnClose: boolean
  /** True once the receiver is closing: nothing is answered any more. */
  stopping(): boolean
  /** True when the current event-loop turn has run long (a signal may be waiting behind it). */
  loopWasBlocked(): boolean
  onError(err: unknown): void
}

/** Why an exchange that was not answered before the receiver stopped ends as 'closed'. */
export const STOPPED_BEFORE_ANSWER = 'the receiver stopped before answering'

/** Fluentd's keep-alive rule: HTTP/1.1 default on; Connection /close/i off, /keep-alive/i on. */
function wantsKeepAlive(req: IncomingMessage): boolean {
  const c = req.headers.connection
  if (c !== undefined) {
    if (/close/i.test(c)) return false
    if (/keep-alive/i.test(c)) return true
  }
  return req.httpVersion === '1.1'
}

/** The origin-form part of a request target: `scheme://authority` removed from an absolute-form one (`/` when nothing follows). */
function absoluteFormPath(url: string): string {
  // Hot path: an origin-form target (`/tag`) needs no regex.
  if (url.charCodeAt(0) === 0x2f) return url
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url)
  if (!m) return url
  const rest = url.slice(m[0].length)
  return rest === '' || rest.startsWith('?') ? '/' + rest : rest
}

export interface Exchanges {
  begin(req: IncomingMessage, res: ServerResponse, conn: ConnState): Exchange
  /** True while nothing ended the exchange (answer, cut, the client leaving, the idle timeout, shutdown). */
  isOpen(ex: Exchange): boolean
  /** The one guard: true (and the exchange is marked done) when nothing ended it yet. */
  claim(ex: Exchange): boolean
  /** Settles the entry (journal file line written first) and writes the answer. */
  answer(ex: Exchange, status: number, body: string | Buffer, opts?: AnswerOpts): void
  /** Ends the exchange without an answer (reset / close). */
  cut(ex: Exchange, outcome: 'reset' | 'closed' | 'refused', how: 'reset' | 'close', error?: string): void
  /** Records the end of the bytes (an answer fully handed to the socket). */
  ended(ex: Exchange): void
}

export function createExchanges(ctx: ExchangeContext): Exchanges {
  const { journal, clock } = ctx

  const isOpen = (ex: Exchange): boolean => !ex.done && ex.entry.outcome === 'pending'
  const claim = (ex: Exchange): boolean => {
    if (!isOpen(ex)) return false
    ex.done = true
    ex.conn.open.delete(ex.entry)
    return true
  }

  const ended = (ex: Exchange): void =>
    journal.update(ex.entry, {
      endedAt: clock.wallNow(),
      endedMono: clock.now(),
    })

  const exchanges: Exchanges = {
    isOpen,
    claim,
    ended,
    begin(req, res, conn) {
      conn.requests++
      conn.httpSocket = req.socket
      const url = req.url ?? '/'
      // An absolute-form target (`POST https://host/a.tag`): WEBrick takes the path (and query) of the URI.
      const target = absoluteFormPath(url)
      const q = target.indexOf('?')
      const path = q < 0 ? target : target.slice(0, q)
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
      conn.open.set(entry, 'reading')
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
        query: q < 0 ? undefined : target.slice(q + 1),
        arrivalS,
        done: false,
      }
    },
    answer(ex, status, body, opts = {}) {
      if (!isOpen(ex)) return
      if (ctx.loopWasBlocked()) {
        // A SIGTERM that arrived while this turn ran is only handled in the next poll phase: answer
        // after it, so that no answer leaves after the signal (one idle turn: check, poll, check).
        setImmediate(() => setImmediate(() => (ctx.stopping() ? exchanges.cut(ex, 'closed', 'close', STOPPED_BEFORE_ANSWER) : answerNow(ex, status, body, opts))))
        return
      }
      if (ctx.stopping()) return exchanges.cut(ex, 'closed', 'close', STOPPED_BEFORE_ANSWER)
      answerNow(ex, status, body, opts)
    },
    cut(ex, outcome, how, error) {
      if (!claim(ex)) return
      journal.complete(ex.entry, error === undefined ? { outcome } : { outcome, error })
      if (how === 'reset') resetSocket(ex.conn.raw)
      else ex.req.socket.destroy()
    },
  }

  return exchanges

  function answerNow(ex: Exchange, status: number, body: string | Buffer, opts: AnswerOpts): void {
    if (!claim(ex)) return
    const keepAlive = ex.keepAlive && !opts.close && ex.conn.closeAfter !== ex.entry
    const fields: EntryFields<'request'> = { status, outcome: 'answered' }
    if (opts.events) fields.events = opts.events
    if (opts.bodyInEvents === true) fields.bodyInEvents = true
    if (body.length > 0) fields.responseBody = typeof body === 'string' ? body : body.toString('utf8')
    if (opts.error !== undefined) fields.error = opts.error
    const { entry, conn } = ex
    // The entry says "answered" once the socket took the answer's bytes in full ('finish'); until then
    // it waits in conn.unsent, and a connection that ends first corrects it (connections.ts).
    const onFinish = (): void => {
      conn.unsent.delete(entry)
      ended(ex)
      // Answered before bytes that did not parse arrived behind it: the connection ends here (ingest).
      if (keepAlive && conn.closeAfter === entry) resetSocket(conn.raw)
    }
    const send = (st: number, text: string | Buffer): void => {
      if (ex.req.socket.destroyed || conn.raw.destroyed) {
        journal.correct(entry, { outcome: conn.idleReset === true ? 'reset' : 'client-aborted', error: CUT_BEFORE_ANSWER })
        return
      }
      conn.unsent.add(entry)
      // A large answer alone can make node pause the connection's parser: stream its reads first.
      if (text.length >= PIPELINED_BYTES) streamReads(conn, ex.req.socket)
      try {
        writeAnswer(ex.res, st, text, { keepAlive, headers: opts.headers, raw: conn.raw, reset: ctx.resetOnClose, forceBody: opts.forceBody, processed: opts.processed, onFinish })
      } catch (e) {
        // A fault with a header node refuses (bad name/value): cut the connection rather than crash.
        ctx.onError(e)
        conn.unsent.delete(entry)
        journal.correct(entry, { outcome: 'reset', error: `not answered: the answer failed (${(e as Error).message}); connection reset` })
        resetSocket(conn.raw)
      }
    }
    // Journal first, then the bytes: with a journal file the answer waits until its line (batched
    // with the other answers of this event-loop turn) is written.
    // Not wanted any more when the receiver stopped or the connection ended before the write.
    const wanted = (): boolean => !ctx.stopping() && !ex.req.socket.destroyed
    journal.completeThen(
      entry,
      fields,
      (err) => {
        if (err === undefined) {
          send(status, body)
          return
        }
        if (err instanceof AnswerWithdrawn) {
          // The receiver stopped, or the connection ended, between the decision and the write: nothing
          // was sent or journaled as sent.
          if (ctx.stopping()) journal.complete(entry, { outcome: 'closed', error: STOPPED_BEFORE_ANSWER })
          else journal.complete(entry, { outcome: conn.idleReset === true ? 'reset' : 'client-aborted', error: CUT_BEFORE_ANSWER })
          resetSocket(conn.raw)
          return
        }
        // The journal file could not be written (disk full, I/O error): never answer 2xx for an event
        // that is not in the file. Fluentd answers 500 when its output cannot take the event. The
        // entry was not settled (nor announced): it is settled now with what is really sent.
        ctx.onError(err)
        const why = `journal write failed: ${(err as Error).message}`
        const code = (err as { code?: unknown }).code
        ctx.log.emit({
          type: 'emit-failed',
          level: 'error',
          at: clock.wallNow(),
          errorClass: typeof code === 'string' ? `Errno::${code}` : 'IOError',
          message: why,
        })
        const text = fluentdErrorBody(500, why)
        journal.complete(entry, {
          status: 500,
          outcome: 'answered',
          error: why,
          responseBody: text,
        })
        send(500, text)
      },
      wanted,
    )
  }
}
