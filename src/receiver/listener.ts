/**
 * The raw TCP layer: a `net.Server` accepts every connection (so close() never waits for a hung or
 * mid-handshake one), asks the fault engine about it, carries out a connection-level fault (delay,
 * stall the handshake, reset, refuse for a while) and hands the rest to the HTTP(S) layer.
 * Refusing closes the listening socket (clients see ECONNREFUSED) and reopens it on the clock.
 * @see docs/design.md "Fault plans"
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { Clock } from '../clock/index.js'
import type { ConnectionDecision, FaultEngine } from '../faults/index.js'
import type { Journal } from '../journal/index.js'
import type { Connections, ConnState } from './connections.js'
import { resetSocket } from './responses.js'
import { observing, publishObservation } from './observations.js'

export interface ListenerContext {
  host: string
  /** Share the port with other processes of a node:cluster (`serve --workers`), not bind it alone. */
  sharedPort?: boolean
  journal: Journal
  clock: Clock
  connections: Connections
  faults?: FaultEngine
  /** Client connections open at once; beyond it new ones are reset (and journaled). */
  maxConnections: number
  /** Hands an accepted socket to the HTTP(S) layer. */
  handOver(raw: Socket): void
  /** Schedules on the receiver's clock (cancelled when the receiver closes). */
  setTimer(fn: () => void, ms: number): void
  onError(err: unknown): void
}

export interface Listener {
  /** Binds the port (0 = any free one); rejects when it cannot. */
  start(port: number): Promise<number>
  /** Stops accepting for `durationMs` (extends a refusal under way). */
  refuseFor(durationMs: number): void
  readonly refusing: boolean
  /** Stops accepting for good; resolves once the listening sockets are closed. */
  close(): Promise<void>
}

export function createListener(ctx: ListenerContext): Listener {
  const { journal, clock, connections } = ctx
  const netServers = new Set<NetServer>()
  let listener: NetServer | undefined
  let boundPort = 0
  let connSeq = 0
  let closing = false
  let refusedUntil = 0

  /** Hands over to the HTTP(S) layer; a plain HTTP socket has its parser now (a TLS one after the handshake). */
  const handOver = (conn: ConnState): void => {
    ctx.handOver(conn.raw)
    connections.watchHeads(conn.raw)
  }

  const runConnectionAction = (conn: ConnState, d: ConnectionDecision): void => {
    if (conn.raw.destroyed) return
    const base = {
      kind: 'connection' as const,
      connectionId: conn.id,
      remoteAddress: conn.remoteAddress,
      remotePort: conn.remotePort,
      receivedAt: conn.receivedAt,
      receivedMono: conn.receivedMono,
      fault: d.applied,
    }
    const action = d.action
    conn.journaled = action.type !== 'accept'
    switch (action.type) {
      case 'accept':
        conn.raw.resume()
        handOver(conn)
        return
      case 'stall-tls': {
        // Answer nothing: the ClientHello is read and dropped, so the client's connect timeout fires
        // while we still notice when it gives up (a paused socket would never see the FIN).
        conn.raw.on('data', () => {})
        conn.raw.resume()
        conn.open.set(journal.add(base), 'stalled')
        return
      }
      case 'reset':
        journal.complete(journal.add(base), { outcome: 'reset' })
        resetSocket(conn.raw)
        return
      case 'refuse':
        journal.complete(journal.add(base), { outcome: 'refused' })
        resetSocket(conn.raw)
        refuseFor(action.durationMs)
        return
      default: {
        const never: never = action
        ctx.onError(new Error(`unknown connection action ${JSON.stringify(never)}`))
        handOver(conn)
      }
    }
  }

  const accept = (raw: Socket): void => {
    if (closing) {
      resetSocket(raw)
      return
    }
    raw.setNoDelay(true)
    const full = connections.sockets.size >= ctx.maxConnections
    const conn = connections.register(raw, ++connSeq)
    if (observing()) publishObservation({ type: 'accepted', port: raw.localPort ?? 0, mono: ctx.clock.now(), connectionId: conn.id })
    if (full) {
      connections.noRequest(conn, {
        outcome: 'refused',
        error: `connection cap: ${ctx.maxConnections} client connections already open; reset (--max-connections)`,
      })
      resetSocket(raw)
      return
    }
    let decision: ConnectionDecision | undefined
    if (ctx.faults) {
      try {
        decision = ctx.faults.decideConnection({ remoteAddress: conn.remoteAddress, connectionId: conn.id })
      } catch (err) {
        ctx.onError(err)
      }
    }
    if (!decision || (decision.action.type === 'accept' && !(decision.delayMs > 0))) {
      handOver(conn)
      return
    }
    const d = decision
    if (d.delayMs > 0) {
      // Hold the bytes in the kernel until the delay is over.
      raw.pause()
      ctx.setTimer(() => runConnectionAction(conn, d), d.delayMs)
    } else runConnectionAction(conn, d)
  }

  const listen = (port: number): Promise<NetServer> =>
    new Promise<NetServer>((resolve, reject) => {
      const ns = createNetServer({ noDelay: true }, accept)
      const onListenError = (err: Error): void => reject(err)
      ns.once('error', onListenError)
      ns.listen({ port, host: ctx.host, exclusive: ctx.sharedPort !== true }, () => {
        ns.off('error', onListenError)
        ns.on('error', ctx.onError)
        netServers.add(ns)
        ns.once('close', () => netServers.delete(ns))
        resolve(ns)
      })
    })

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
        ctx.setTimer(() => reopen(attempt), wait)
        return
      }
      listen(boundPort).then(
        (ns) => {
          if (closing) ns.close()
          else listener = ns
        },
        (err: unknown) => {
          // The port may be briefly busy; try again, then give up loudly.
          if (attempt < 50) ctx.setTimer(() => reopen(attempt + 1), 100)
          else ctx.onError(err)
        },
      )
    }
    ctx.setTimer(() => reopen(0), Math.max(0, durationMs))
  }

  return {
    async start(port) {
      listener = await listen(port)
      const addr = listener.address()
      boundPort = typeof addr === 'object' && addr ? addr.port : port
      return boundPort
    },
    refuseFor,
    get refusing() {
      return listener === undefined
    },
    close() {
      closing = true
      const waits: Promise<void>[] = []
      for (const ns of netServers) waits.push(new Promise<void>((r) => ns.close(() => r())))
      return Promise.all(waits).then(() => undefined)
    },
  }
}
