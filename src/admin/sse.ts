/**
 * `GET /api/stream`: server-sent events of journal changes, written plainly (the protocol is tiny).
 * Events: `added` and `completed` with the entry as JSON (id = entry id), `cleared`; a comment
 * every 15 s keeps proxies from closing an idle stream.
 */
import type { Request, Response } from 'express'
import type { Journal, JournalChange } from '../journal/journal.js'

/** Interval of keep-alive comments on the stream. */
export const SSE_HEARTBEAT_MS = 15_000

/** Streams journal changes until the client disconnects; `replay` first sends entries after an id. */
export function streamJournal(journal: Journal, req: Request, res: Response, streams: Set<Response>): void {
  res.status(200)
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Connection', 'keep-alive')
  res.setHeader('X-Accel-Buffering', 'no')
  res.flushHeaders()
  res.write('retry: 1000\n\n')
  const lastId = req.header('last-event-id') ?? (typeof req.query.since === 'string' ? req.query.since : undefined)
  if (lastId !== undefined && /^\d+$/.test(lastId)) {
    for (const e of journal.entries({ since: Number(lastId), limit: 100_000 })) {
      res.write(`event: ${e.outcome === 'pending' ? 'added' : 'completed'}\nid: ${e.id}\ndata: ${JSON.stringify(e)}\n\n`)
    }
  }
  const send = (change: JournalChange): void => {
    if (change.type === 'cleared') res.write('event: cleared\ndata: {}\n\n')
    else if (change.entry) res.write(`event: ${change.type}\nid: ${change.entry.id}\ndata: ${JSON.stringify(change.entry)}\n\n`)
  }
  const unsubscribe = journal.subscribe(send)
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS)
  heartbeat.unref()
  streams.add(res)
  const stop = (): void => {
    clearInterval(heartbeat)
    unsubscribe()
    streams.delete(res)
  }
  req.on('close', stop)
  res.on('close', stop)
}
