/**
 * How node reads a connection's requests: the parser's message-begin slot, which times each request
 * head from its first byte (deadlines.ts), and the switch of a TLS socket to reading through its
 * stream once its client pipelines.
 * @see docs/design.md "Data flow", step 2
 */
import type { Socket } from 'node:net'
import type { Clock } from '../clock/index.js'
import type { ConnState } from './connections.js'

/** The 'data' listener that keeps a TLS socket read through its stream (see streamIfPipelined). */
const keepStreamed = (): void => {}

/** Unsent answer bytes on a TLS socket from which on its reads go through the stream (see streamIfPipelined). */
export const PIPELINED_BYTES = 4096

/**
 * node's HTTP parser calls its message-begin slot (`kOnMessageBegin`, an index on the parser's
 * class) when it parses the first byte of a request: the time of the bytes, not of a sweep.
 * node clears the slot when it frees the parser.
 */
export function watchParserHeads(conn: ConnState, sock: Socket, clock: Clock): void {
  const parser = (sock as Socket & { parser?: (Record<number, unknown> & { constructor: { kOnMessageBegin?: number } }) | null }).parser
  const slot = parser?.constructor.kOnMessageBegin
  if (!parser || typeof slot !== 'number') return
  parser[slot] = () => {
    conn.headsBegun++
    // The first head's clock started at the accept (handshake included).
    if (conn.headsBegun > 1) conn.headStartedMono = clock.now()
  }
}

/** Reads of this TLS socket go through its stream from now on (see streamIfPipelined); once. */
export function streamReads(conn: ConnState, sock: Socket): void {
  if (conn.streamed === true || conn.raw === sock) return
  conn.streamed = true
  sock.on('data', keepStreamed)
}

/**
 * Called as a request arrives on `sock`, before it is counted open. TLS: node's parser reads the
 * TLS stream's handle directly, and a TLS read can carry several records; when pipelined answers
 * back up, node pauses the parser after the first and the next record of the same read reaches
 * the paused parser ("HPE_PAUSED": 1,500 pipelined requests were cut after ~600 answers). A 'data'
 * listener makes node read through the stream instead, whose pause() holds the rest until the
 * answers drain. That path costs every read (~4 % of the CPU of a request, bench/results.md), so
 * it is taken once a client pipelines: a request arrives while an earlier one is still open, or
 * while answers pile up unsent (two or more not finished, or 4 KiB waiting; one answer of the
 * previous request may still be in flight for any keep-alive client). node pauses only once 16 KiB
 * of answers wait; a large answer streams at once (exchange.ts). Synchronously: the listener takes
 * effect for the next TLS record, even of the same read (a deferred one came too late when answers
 * go out at once, without a journal file).
 */
export function streamIfPipelined(conn: ConnState, sock: Socket): void {
  if (conn.open.size === 0 && conn.unsent.size < 2 && sock.writableLength < PIPELINED_BYTES) return
  streamReads(conn, sock)
}
