/**
 * A JSON array answered in slices: the entries are serialized one by one, the response yields to the
 * event loop after every SLICE_BYTES of text and waits for the client to drain, so a large page of
 * `GET /api/requests` never holds up ingest (one `res.json` of a 54 MB page held every client up
 * to 560 ms). An entry with many events is serialized in slices of its events too.
 * @see docs/design.md "Admin API"
 */
import type { Response } from 'express'

/** Text written between two yields to the event loop. */
const SLICE_BYTES = 256 * 1024
/** Events serialized at once within one entry. */
const EVENTS_PER_SLICE = 256

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Streams `items` (each mapped by `view`) as one JSON array, the same text `res.json(items.map(view))` sends. */
export async function sendJsonArray<T>(res: Response, items: readonly T[], view: (item: T) => unknown): Promise<void> {
  res.status(200).type('application/json')
  let pending = 0
  let gone = false
  res.once('close', () => (gone = true))
  const write = async (text: string): Promise<void> => {
    pending += text.length
    const ok = res.write(text)
    if (pending < SLICE_BYTES && ok) return
    pending = 0
    if (!ok && !gone) await new Promise<void>((resolve) => {
      const done = (): void => {
        res.off('drain', done)
        res.off('close', done)
        resolve()
      }
      res.on('drain', done)
      res.on('close', done)
    })
    await nextTurn()
  }
  await write('[')
  for (let i = 0; i < items.length && !gone; i++) {
    if (i > 0) await write(',')
    await writeValue(view(items[i]!), write, () => gone)
  }
  if (!gone) res.end(']')
}

/** One value; an object with a long `events` array is written in slices of its events. */
async function writeValue(value: unknown, write: (text: string) => Promise<void>, gone: () => boolean): Promise<void> {
  const events = (value as { events?: unknown } | null)?.events
  if (!Array.isArray(events) || events.length <= EVENTS_PER_SLICE) {
    await write(JSON.stringify(value) ?? 'null')
    return
  }
  // `events` goes last; everything else as JSON.stringify writes it.
  const head = JSON.stringify({ ...(value as object), events: undefined })
  await write(`${head.slice(0, -1)}${head === '{}' ? '' : ','}"events":[`)
  for (let i = 0; i < events.length && !gone(); i += EVENTS_PER_SLICE) {
    const slice = JSON.stringify(events.slice(i, i + EVENTS_PER_SLICE))
    await write((i > 0 ? ',' : '') + slice.slice(1, -1))
  }
  await write(']}')
}
