/**
 * `GET /api/stream`: server-sent events of journal changes, bounded whatever the subscribers do.
 * - Each change is serialized once, as a summary (summary.ts), and the same text is written to every
 *   subscriber; details are fetched on demand from `GET /api/requests/:id`.
 * - A subscriber whose unsent bytes pass `bufferBytes` (it reads too slowly, or not at all) is dropped:
 *   it gets a final `dropped` event and its connection is destroyed if that has not left within
 *   DROP_GRACE_MS.
 * - At most `maxSubscribers` streams are open; one more gets 503.
 * - A `Last-Event-ID` (or `?since=ID`) replay sends at most `replayMax` summaries, in batches that
 *   wait for the socket to drain, after a `gap` event when older ones were left out.
 * Events: `added` and `completed` (id = entry id, data = summary), `cleared`, `gap`, `dropped`; a
 * comment every SSE_HEARTBEAT_MS keeps proxies from closing an idle stream.
 * @see docs/design.md "Admin API"
 */
import type { Request, Response } from 'express'
import type { Journal, JournalChange, JournalEntry } from '../journal/index.js'
import { sendProblem } from './problem.js'
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from './limits.js'
import { summarize } from './summary.js'

export { DEFAULT_STREAM_LIMITS, type StreamLimits } from './limits.js'

/** Interval of keep-alive comments on the stream. */
export const SSE_HEARTBEAT_MS = 15_000

/** After a drop, how long the final event may take to leave before the connection is destroyed. */
export const DROP_GRACE_MS = 5_000

/** Summaries per write during a replay. */
const REPLAY_BATCH = 50

interface Subscriber {
  res: Response
  /** Chunks that arrived while the replay was being written, and their size. */
  pending: string[] | undefined
  pendingBytes: number
  lastId: number
}

export interface StreamHub {
  /** Answers `GET /api/stream` (after its query was checked): `since` is the id to replay after. */
  attach(req: Request, res: Response, since: number | undefined): void
  readonly subscribers: number
  /** Subscribers dropped for being too slow since start. */
  readonly dropped: number
  /** Ends every stream (shutdown). */
  closeAll(): void
}

function chunkOf(type: string, entry: Readonly<JournalEntry>): string {
  return `event: ${type}\nid: ${entry.id}\ndata: ${JSON.stringify(summarize(entry))}\n\n`
}

/** Creates the hub of one admin server; `tracked` receives every open stream (for shutdown). */
export function createStreamHub(journal: Journal, limits: Partial<StreamLimits> = {}, tracked = new Set<Response>()): StreamHub {
  const { bufferBytes, maxSubscribers, replayMax } = { ...DEFAULT_STREAM_LIMITS, ...limits }
  const subs = new Set<Subscriber>()
  let dropped = 0
  let unsubscribe: (() => void) | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined

  function remove(sub: Subscriber): void {
    if (!subs.delete(sub)) return
    tracked.delete(sub.res)
    if (subs.size === 0) {
      unsubscribe?.()
      unsubscribe = undefined
      if (heartbeat) clearInterval(heartbeat)
      heartbeat = undefined
    }
  }

  function drop(sub: Subscriber, why: string): void {
    remove(sub)
    dropped++
    const { res } = sub
    res.write(`event: dropped\ndata: ${JSON.stringify({ reason: why, bufferBytes, lastEventId: sub.lastId })}\n\n`)
    res.end()
    const kill = setTimeout(() => res.destroy(), DROP_GRACE_MS)
    kill.unref()
    res.once('close', () => clearTimeout(kill))
  }

  function deliver(sub: Subscriber, chunk: string, id?: number): void {
    if (sub.pending) {
      sub.pending.push(chunk)
      sub.pendingBytes += chunk.length
      if (sub.pendingBytes > bufferBytes) drop(sub, 'the replay was not read fast enough')
      return
    }
    sub.res.write(chunk)
    if (id !== undefined) sub.lastId = id
    if (sub.res.writableLength > bufferBytes) drop(sub, `more than ${bufferBytes} bytes were waiting to be read`)
  }

  function broadcast(change: JournalChange): void {
    const chunk = change.type === 'cleared' || !change.entry ? 'event: cleared\ndata: {}\n\n' : chunkOf(change.type, change.entry)
    const id = change.entry?.id
    for (const sub of [...subs]) deliver(sub, chunk, id)
  }

  function start(): void {
    unsubscribe ??= journal.subscribe(broadcast)
    if (!heartbeat) {
      heartbeat = setInterval(() => {
        for (const sub of [...subs]) deliver(sub, ': keep-alive\n\n')
      }, SSE_HEARTBEAT_MS)
      heartbeat.unref()
    }
  }

  async function replay(sub: Subscriber, since: number): Promise<void> {
    const after = journal.entries().filter((e) => e.id > since)
    const skipped = Math.max(0, after.length - replayMax)
    const { res } = sub
    if (skipped > 0) res.write(`event: gap\ndata: ${JSON.stringify({ skipped, reason: `at most ${replayMax} entries are replayed; load the rest from /api/requests` })}\n\n`)
    for (let i = skipped; i < after.length && subs.has(sub); i += REPLAY_BATCH) {
      let text = ''
      for (const e of after.slice(i, i + REPLAY_BATCH)) {
        text += chunkOf(e.outcome === 'pending' ? 'added' : 'completed', e)
        sub.lastId = e.id
      }
      if (!res.write(text)) await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done)
          res.off('close', done)
          resolve()
        }
        res.on('drain', done)
        res.on('close', done)
      })
    }
    const pending = sub.pending ?? []
    sub.pending = undefined
    if (!subs.has(sub)) return
    for (const chunk of pending) {
      deliver(sub, chunk)
      if (!subs.has(sub)) return
    }
  }

  return {
    attach(req, res, since) {
      if (subs.size >= maxSubscribers) {
        res.setHeader('Retry-After', '5')
        sendProblem(res, 503, 'Too many streams', `At most ${maxSubscribers} streams may be open at once (--admin-max-streams); close one, or poll /api/requests.`)
        return
      }
      res.status(200)
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8')
      res.setHeader('Cache-Control', 'no-store')
      res.setHeader('Connection', 'keep-alive')
      res.setHeader('X-Accel-Buffering', 'no')
      res.flushHeaders()
      res.write('retry: 1000\n\n')
      const sub: Subscriber = { res, pending: since === undefined ? undefined : [], pendingBytes: 0, lastId: since ?? 0 }
      subs.add(sub)
      tracked.add(res)
      start()
      const stop = (): void => remove(sub)
      req.on('close', stop)
      res.on('close', stop)
      if (since !== undefined) void replay(sub, since).catch(() => res.destroy())
    },
    get subscribers() {
      return subs.size
    },
    get dropped() {
      return dropped
    },
    closeAll() {
      for (const sub of [...subs]) {
        remove(sub)
        sub.res.end()
      }
    },
  }
}
