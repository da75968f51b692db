/**
 * Per-connection state: every accepted TCP socket gets a ConnState (id, peer, TLS facts, the entries
 * still open on it). This module settles what a connection leaves behind: open entries when it
 * closes, the idle reset of a connection that waits on the client, a failed TLS handshake, and a
 * connection that never became a request.
 * @see docs/design.md "Answering as Fluentd"
 */
import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { Clock } from '../clock/index.js'
import type { ConnectionEntry, Correction, Journal, JournalEntry, JournalOutcome, RequestEntry } from '../journal/index.js'
import { resetSocket } from './responses.js'
import { watchParserHeads } from './socket-reads.js'

/**
 * Why an entry is still open on its connection: the client is still sending the body (`reading`),
 * the receiver is working on it or a fault delays it (`handling`), a fault never answers (`hung`),
 * or a connection-level fault holds the handshake (`stalled`).
 */
export type OpenState = 'reading' | 'handling' | 'hung' | 'stalled'

/** Per-connection state, keyed by the raw TCP socket. */
export interface ConnState {
  id: number
  raw: Socket
  remoteAddress: string
  remotePort: number
  receivedAt: number
  receivedMono: number
  tls?: RequestEntry['tls']
  /** Entries on this connection that are not settled yet, and why. */
  open: Map<JournalEntry, OpenState>
  /** Requests seen on this connection (a TLS connection that closes with none is journaled). */
  requests: number
  /** Set once the connection is journaled as a whole (a TLS error, an idle reset, a parser reset, a fault). */
  journaled?: boolean
  /** Set when the idle timeout reset this connection (the journal says so instead of 'client-aborted'). */
  idleReset?: boolean
  /**
   * Set when the bytes after the complete requests did not parse: the last of those requests, whose
   * answer ends the connection (the answers before it go out first, in order, as Fluentd's do).
   */
  closeAfter?: JournalEntry
  /**
   * Entries settled as answered whose answer's bytes the socket has not taken in full yet. One still
   * here when the connection ends never reached the client: the journal is corrected (journal.correct).
   */
  unsent: Set<JournalEntry>
  /** Set once the listener handed the socket to the HTTP(S) layer (only then do deadlines apply). */
  handedOver?: boolean
  /** Set once the TLS socket is read through its stream (socket-reads.ts: the client pipelines). */
  streamed?: boolean
  /** The HTTP layer's socket (the TLS socket over `raw`), once a request arrived on it. */
  httpSocket?: Socket
  /** Request heads whose first byte the HTTP parser has seen (one more than `requests` while a head is incomplete). */
  headsBegun: number
  /**
   * When the bytes of the latest request head began, on the receiver's clock: the parser's
   * message-begin callback, as the bytes are parsed (the first head: when the connection was accepted,
   * so the TLS handshake counts). The header deadline is measured from it.
   */
  headStartedMono: number
}

export interface ConnectionsContext {
  journal: Journal
  clock: Clock
  /** Idle timeout of a connection waiting on the client (for the journal's wording), ms; 0 = off. */
  idleTimeoutMs: number
  /** Idle timeout between requests on a keep-alive connection, ms. */
  keepAliveTimeoutMs: number
}

export interface Connections {
  /** Registers a freshly accepted raw socket. */
  register(raw: Socket, id: number): ConnState
  /** The state of a raw or TLS socket (the TLS socket's `_parent` is the raw one). */
  connOf(sock: Socket): ConnState | undefined
  /** Journals a connection that never became a request (once: marks it journaled). */
  noRequest(conn: ConnState, fields: Pick<ConnectionEntry, 'outcome' | 'error' | 'noBytes'>): void
  /** Raw sockets still open. */
  readonly sockets: ReadonlySet<Socket>
  /** Records the TLS facts once the handshake completed (and watches its request heads). */
  onSecure(sock: TLSSocket): void
  /** Watches the request heads the HTTP layer parses on this socket (its first byte of each). */
  watchHeads(sock: Socket): void
  /**
   * True while the receiver owes this connection bytes: an answer decided, or being written (node's
   * current response not finished), and no request body being read from the client. Deadlines never
   * cut such a connection: its wait is ours, not the client's.
   */
  owesAnswer(conn: ConnState): boolean
  /** A failed handshake: one 'tls-error' entry for the connection, then a reset (as Fluentd). */
  onTlsError(err: Error & { code?: string }, sock: Socket): void
  /** Connections handed to the HTTP layer, for the deadlines. */
  watched(): Iterable<ConnState>
  /**
   * The connection saw no bytes for the idle timeout (`between`: for the keep-alive timeout between
   * requests): reset unless a fault holds an exchange or an answer is being written.
   */
  onIdle(conn: ConnState, between: boolean): void
  /** The handshake and request head did not complete within the header deadline: reset. */
  cutSlowHead(conn: ConnState, limitMs: number): void
  /** A request body did not complete within the request deadline: reset. */
  cutSlowBody(conn: ConnState, limitMs: number): void
  /** Settles open entries as the connection ends (client-aborted, hung, stalled). */
  closeAll(): void
}

/** Why an answer decided but never handed to the socket is not 'answered': the connection ended first. */
export const CUT_BEFORE_ANSWER = 'not answered: the connection ended before the answer was handed to the socket'

/** Outcome of an entry that was still open when its connection ended. */
function settleOutcome(state: OpenState): JournalOutcome {
  return state === 'stalled' ? 'stalled' : state === 'hung' ? 'hung' : 'client-aborted'
}

/** The same when the receiver stops: what was being read or handled was closed by us, not the client. */
function stopOutcome(state: OpenState): { outcome: JournalOutcome; error?: string } {
  if (state === 'stalled' || state === 'hung') return { outcome: state }
  return { outcome: 'closed', error: 'the receiver stopped before answering' }
}

export function createConnections(ctx: ConnectionsContext): Connections {
  const { journal, clock } = ctx
  const sockets = new Set<Socket>()
  const stateByRaw = new WeakMap<Socket, ConnState>()

  const connOf = (sock: Socket): ConnState | undefined => {
    const raw = (sock as Socket & { _parent?: Socket })._parent ?? sock
    return stateByRaw.get(raw)
  }

  const settleOpen = (conn: ConnState): void => {
    for (const [entry, state] of conn.open) {
      if (entry.outcome === 'pending') journal.complete(entry, { outcome: settleOutcome(state) })
    }
    conn.open.clear()
  }

  /** A connection that never became a request is still something a judge needs to see. */
  const noRequest = (conn: ConnState, fields: Pick<ConnectionEntry, 'outcome' | 'error' | 'noBytes'>): void => {
    conn.journaled = true
    journal.complete(
      journal.add({
        kind: 'connection',
        connectionId: conn.id,
        remoteAddress: conn.remoteAddress,
        remotePort: conn.remotePort,
        receivedAt: conn.receivedAt,
        receivedMono: conn.receivedMono,
        tls: conn.tls,
        error: fields.error,
        ...(fields.noBytes ? { noBytes: true } : {}),
      }),
      { outcome: fields.outcome },
    )
  }

  /** A TCP connection that closed before its first byte: a port probe (health check, `nc -z`). */
  const probe = (conn: ConnState): void =>
    noRequest(conn, { outcome: 'closed', noBytes: true, error: 'closed before its first byte (a port probe): not a delivery attempt' })

  /** Answers decided, journaled as answered, that the socket never took: say what really happened. */
  const correctUnsent = (conn: ConnState, fields: Correction): void => {
    for (const entry of conn.unsent) journal.correct(entry, fields)
    conn.unsent.clear()
  }

  const onClosed = (conn: ConnState): void => {
    settleOpen(conn)
    correctUnsent(conn, {
      outcome: conn.idleReset === true ? 'reset' : 'client-aborted',
      error: CUT_BEFORE_ANSWER,
    })
    if (conn.requests > 0 || conn.journaled) return
    if (conn.raw.bytesRead === 0 && !conn.idleReset) {
      probe(conn)
    } else if (conn.idleReset) {
      // Slowloris or a silent client: connected (and maybe shook hands), never completed a request.
      // A connection that never sent a byte is no delivery attempt either (noBytes), reset or not.
      noRequest(conn, {
        outcome: 'reset',
        error: `idle timeout: no complete request and no bytes for ${ctx.idleTimeoutMs} ms; connection reset (as Fluentd's keepalive_timeout)`,
        noBytes: conn.raw.bytesRead === 0,
      })
    } else if (conn.tls) {
      // The handshake completed but no request followed: typically a client that checked the
      // certificate after the handshake (Node, undici) and rejected it.
      noRequest(conn, { outcome: 'closed', error: 'TLS handshake completed, then the client closed without sending a request (did it reject the certificate?)' })
    }
  }

  const watchHeads = (sock: Socket): void => {
    const conn = connOf(sock)
    if (conn) watchParserHeads(conn, sock, clock)
  }

  const owesAnswer = (conn: ConnState): boolean => {
    const res = (conn.httpSocket as (Socket & { _httpMessage?: { writableFinished: boolean } | null }) | undefined)?._httpMessage
    if (!res || res.writableFinished) return false
    for (const state of conn.open.values()) if (state === 'reading') return false
    return true
  }

  return {
    sockets,
    connOf,
    noRequest,
    watchHeads,
    owesAnswer,
    register(raw, id) {
      sockets.add(raw)
      const conn: ConnState = {
        id,
        raw,
        remoteAddress: raw.remoteAddress ?? '',
        remotePort: raw.remotePort ?? 0,
        receivedAt: clock.wallNow(),
        receivedMono: clock.now(),
        open: new Map(),
        unsent: new Set(),
        requests: 0,
        headsBegun: 0,
        headStartedMono: clock.now(),
      }
      stateByRaw.set(raw, conn)
      raw.on('error', () => {
        // Resets and aborted handshakes are normal here; the http/tls layers report what matters.
      })
      raw.once('close', () => {
        sockets.delete(raw)
        onClosed(conn)
      })
      return conn
    },
    onSecure(sock) {
      const conn = connOf(sock)
      if (!conn) return
      const cipher = sock.getCipher()
      const servername = (sock as TLSSocket & { servername?: unknown }).servername
      conn.tls = {
        protocol: sock.getProtocol() ?? undefined,
        cipher: cipher?.name,
        servername: typeof servername === 'string' ? servername : undefined,
        alpn: sock.alpnProtocol ?? undefined,
      }
      watchHeads(sock)
    },
    onTlsError(err, sock) {
      const conn = connOf(sock)
      if (conn?.journaled) {
        resetSocket(conn.raw)
        return
      }
      if (conn && conn.raw.bytesRead === 0) {
        // Not a handshake at all: the client closed before sending a byte.
        probe(conn)
        resetSocket(conn.raw)
        return
      }
      if (conn) conn.journaled = true
      journal.complete(
        journal.add({
          kind: 'tls-error',
          connectionId: conn?.id ?? 0,
          remoteAddress: conn?.remoteAddress ?? '',
          remotePort: conn?.remotePort ?? 0,
          receivedAt: conn?.receivedAt,
          receivedMono: conn?.receivedMono,
          tls: { error: err.message, code: err.code },
          error: err.message,
        }),
        { outcome: 'tls-error' },
      )
      // Fluentd answers a failed handshake (e.g. plain HTTP on the TLS port) with a reset.
      if (conn) resetSocket(conn.raw)
    },
    *watched() {
      for (const raw of sockets) {
        const conn = stateByRaw.get(raw)
        if (conn?.handedOver) yield conn
      }
    },
    onIdle(conn, between) {
      // A fault holds an exchange (hang, delay): the client decides when to give up, as with a
      // stalled real server. Only a connection that waits on the client is reset.
      for (const state of conn.open.values()) if (state !== 'reading') return
      // An answer decided (its journal line may still be being written) or being written: never cut it.
      if (owesAnswer(conn)) return
      conn.idleReset = true
      const limitMs = between ? ctx.keepAliveTimeoutMs : ctx.idleTimeoutMs
      for (const entry of conn.open.keys()) {
        journal.complete(entry, {
          outcome: 'reset',
          error: `idle timeout: no bytes for ${limitMs} ms while the request was incomplete; connection reset`,
        })
      }
      conn.open.clear()
      resetSocket(conn.raw)
    },
    cutSlowHead(conn, limitMs) {
      noRequest(conn, {
        outcome: 'reset',
        error: `header timeout: ${conn.requests > 0 ? 'the next request' : 'the TLS handshake and request'} not complete ${limitMs} ms after its first byte (a client sending too slowly); connection reset`,
      })
      resetSocket(conn.raw)
    },
    cutSlowBody(conn, limitMs) {
      conn.journaled = true
      for (const [entry, state] of conn.open) {
        if (state !== 'reading') continue
        journal.complete(entry, { outcome: 'reset', error: `request timeout: body not complete ${limitMs} ms after the request headers; connection reset` })
        conn.open.delete(entry)
      }
      resetSocket(conn.raw)
    },
    closeAll() {
      for (const raw of sockets) {
        const conn = stateByRaw.get(raw)
        if (!conn) continue
        conn.journaled = true
        for (const [entry, state] of conn.open) {
          if (entry.outcome === 'pending') journal.complete(entry, stopOutcome(state))
        }
        conn.open.clear()
        correctUnsent(conn, { outcome: 'closed', error: 'not answered: the receiver stopped before the answer was handed to the socket' })
      }
    },
  }
}
