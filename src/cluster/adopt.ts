/**
 * The primary's side of a worker's journal lines (`serve --workers N`): each item of a batch (an
 * entry's line with its continuation lines, or a correction line) becomes an entry of the primary's
 * journal, the one that the file, the admin API, the page and the printer read.
 * - Ids: a worker numbers its entries on its own; the primary gives each one the next id of its
 *   journal and writes that id into the line, so ids are unique and in file order.
 * - Deliveries: which delivery and attempt a request is must be counted across workers (a retry
 *   may come on a connection another worker accepted). The worker's own count is replaced by the
 *   primary's tracker, fed in file order, in the line and in memory.
 * - Corrections name the worker's id: it is mapped to the primary's (a bounded map per worker).
 * @see docs/design.md "Beyond one core"
 */
import { createDeliveryTracker, ticketOf, type DeliveryTracker } from '../deliveries/index.js'
import { blankEntry, type Journal, type JournalEntry, type JournalEntryData, type JournalEvent } from '../journal/index.js'

/** Worker ids remembered per worker for corrections (a correction follows its entry within moments). */
const REMEMBERED_IDS = 65_536

export interface Adopter {
  /** Adopts one item of worker `worker`'s batch; `then(err?)` once its line is written (or not). */
  adopt(worker: number, text: string, then: (err?: unknown) => void): void
  /** Forgets a worker that exited. */
  forget(worker: number): void
}

export interface AdopterOptions {
  journal: Journal
  /** What ends a delivery: default any 2xx. */
  isDeliverySuccess?: (status: number) => boolean
  /** Memory budget of the delivery tracker, bytes. */
  deliveryStateBytes?: number
}

/** `text` with the first `old` replaced by `now` (a field of the line, found by its exact JSON). */
function spliceOnce(text: string, old: string, now: string): string {
  const at = text.indexOf(old)
  return at < 0 ? text : text.slice(0, at) + now + text.slice(at + old.length)
}

export function createAdopter(options: AdopterOptions): Adopter {
  const { journal } = options
  const tracker: DeliveryTracker = createDeliveryTracker({ maxBytes: options.deliveryStateBytes })
  const isSuccess = options.isDeliverySuccess ?? ((status: number) => status >= 200 && status <= 299)
  /** Per worker: its entry ids → the primary's entries (insertion order = age; the oldest forgotten first). */
  const ids = new Map<number, Map<number, JournalEntry>>()

  const remember = (worker: number, localId: number, entry: JournalEntry): void => {
    let m = ids.get(worker)
    if (!m) ids.set(worker, (m = new Map()))
    m.set(localId, entry)
    if (m.size > REMEMBERED_IDS) m.delete(m.keys().next().value!)
  }

  function correct(worker: number, line: Record<string, unknown>): void {
    const entry = ids.get(worker)?.get(line['corrects'] as number)
    if (!entry) return
    const wasSuccess = entry.kind === 'request' && entry.outcome === 'answered' && entry.status !== undefined && isSuccess(entry.status)
    journal.correct(entry, { outcome: line['outcome'] as 'client-aborted' | 'reset' | 'closed', error: line['error'] as string })
    if (wasSuccess && entry.deliveryKey !== undefined && entry.attempt !== undefined) tracker.reopen(ticketOf(entry.deliveryKey, entry.attempt))
  }

  return {
    adopt(worker, text, then) {
      const lines = text.split('\n')
      lines.pop() // the text ends with '\n'
      let head: Record<string, unknown>
      try {
        head = JSON.parse(lines[0]!) as Record<string, unknown>
      } catch (err) {
        return then(err)
      }
      if (head['kind'] === 'correction') {
        correct(worker, head)
        return then()
      }
      const localId = head['id'] as number
      const id = journal.takeId()
      lines[0] = spliceOnce(lines[0]!, `"id":${localId},`, `"id":${id},`)
      const entry = Object.assign(blankEntry(), head) as JournalEntryData
      entry.id = id
      // Continuation lines carry the rest of the events.
      for (let i = 1; i < lines.length; i++) {
        lines[i] = spliceOnce(lines[i]!, `"continues":${localId},`, `"continues":${id},`)
        try {
          const part = JSON.parse(lines[i]!) as { events?: JournalEvent[] }
          if (entry.events && part.events) for (const ev of part.events) entry.events.push(ev)
        } catch {
          // A continuation line the worker wrote is JSON; the file keeps it as it is either way.
        }
      }
      if (entry.kind === 'request' && entry.deliveryKey !== undefined && entry.attempt !== undefined) {
        const contentKey = entry.deliveryKey.slice(0, entry.deliveryKey.lastIndexOf('#'))
        const ticket = tracker.begin(contentKey)
        tracker.end(ticket, entry.outcome === 'answered' && entry.status !== undefined && isSuccess(entry.status))
        const delivery = (attempt: number, key: string): string => `"attempt":${attempt},"deliveryKey":${JSON.stringify(key)}`
        lines[0] = spliceOnce(lines[0]!, delivery(entry.attempt, entry.deliveryKey), delivery(ticket.attempt, ticket.deliveryKey))
        entry.attempt = ticket.attempt
        entry.deliveryKey = ticket.deliveryKey
      }
      // The worker's line keeps the body that the events carry (the page shows it): memory keeps it,
      // the file's line leaves it out, as a single process writes it.
      if (entry.bodyInEvents === true && typeof entry.body === 'string') {
        const size = `"bodySize":${entry.bodySize ?? 0}`
        lines[0] = spliceOnce(lines[0]!, `${size},"body":${JSON.stringify(entry.body)}`, size)
      }
      remember(worker, localId, entry)
      journal.adopt(entry, lines.join('\n') + '\n', then)
    },
    forget(worker) {
      ids.delete(worker)
    },
  }
}
