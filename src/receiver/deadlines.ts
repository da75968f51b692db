/**
 * Deadlines of connections that wait on the client, all on the receiver's clock (so tests drive
 * them with a ManualClock): one sweep looks at every connection handed to the HTTP layer.
 * - idle: no byte in either direction for `idleTimeoutMs` while the handshake, headers or body are
 *   awaited (silent clients, slowloris), or for `keepAliveTimeoutMs` between requests;
 * - header deadline: the handshake and headers of a request not complete `headerTimeoutMs` after
 *   its first byte (byte dribblers that never stay silent long enough for the idle timeout);
 * - request deadline: the body not complete `requestTimeoutMs` after the headers.
 * Exchanges held by a fault (hang, delay, slow body) are never cut: the client decides.
 * @see docs/design.md "Answering as Fluentd"
 */
import type { Clock } from '../clock/index.js'
import type { Connections, ConnState } from './connections.js'

export interface DeadlineOptions {
  clock: Clock
  connections: Connections
  /** 0 = off for each. */
  idleTimeoutMs: number
  keepAliveTimeoutMs: number
  headerTimeoutMs: number
  requestTimeoutMs: number
  setTimer(fn: () => void, ms: number): void
}

/** What the sweep keeps per connection. */
interface Watch {
  bytes: number
  /** When the sweep last saw the byte count move (at or after the bytes moved: never early). */
  quietSince: number
}

const bytesOf = (conn: ConnState): number => conn.raw.bytesRead + conn.raw.bytesWritten

/**
 * True while a request head is incomplete: before the first request (the handshake and first head,
 * from the accept), or once the parser saw the first byte of a head that did not complete yet.
 */
const headOpen = (conn: ConnState): boolean => conn.requests === 0 || conn.headsBegun > conn.requests

/** Starts the sweep; it stops by itself when the receiver's timers are cancelled. */
export function startDeadlines(o: DeadlineOptions): void {
  const limits = [o.idleTimeoutMs, o.keepAliveTimeoutMs, o.headerTimeoutMs, o.requestTimeoutMs].filter((ms) => ms > 0)
  if (limits.length === 0) return
  // A quarter of the shortest limit: each deadline fires at most 25 % late.
  const tickMs = Math.min(1000, Math.max(5, Math.floor(Math.min(...limits) / 4)))
  const watches = new WeakMap<ConnState, Watch>()

  const check = (conn: ConnState, now: number): void => {
    const bytes = bytesOf(conn)
    let w = watches.get(conn)
    if (!w) {
      w = { bytes: 0, quietSince: conn.receivedMono }
      watches.set(conn, w)
    }
    if (bytes !== w.bytes) {
      w.bytes = bytes
      w.quietSince = now
    }
    // A request the receiver holds (handling, a fault, an answer not written yet): the next head may wait on it.
    const open = conn.open.size > 0 || o.connections.owesAnswer(conn)
    const head = headOpen(conn)
    // Measured from the first byte of this request's head (the parser's timestamp, not the sweep's).
    if (o.headerTimeoutMs > 0 && !open && head && now - conn.headStartedMono >= o.headerTimeoutMs) {
      o.connections.cutSlowHead(conn, o.headerTimeoutMs)
      return
    }
    if (o.requestTimeoutMs > 0) {
      for (const [entry, state] of conn.open) {
        if (state === 'reading' && now - entry.receivedMono >= o.requestTimeoutMs) {
          o.connections.cutSlowBody(conn, o.requestTimeoutMs)
          return
        }
      }
    }
    const between = !open && !head
    const idleLimit = between ? o.keepAliveTimeoutMs : o.idleTimeoutMs
    if (idleLimit > 0 && now - w.quietSince >= idleLimit) o.connections.onIdle(conn, between)
  }

  const sweep = (): void => {
    const now = o.clock.now()
    for (const conn of o.connections.watched()) {
      if (!conn.raw.destroyed) check(conn, now)
    }
    o.setTimer(sweep, tickMs)
  }
  o.setTimer(sweep, tickMs)
}
