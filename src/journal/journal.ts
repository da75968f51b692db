/**
 * The journal: every request (and failed/stalled connection) the receiver saw, recorded on arrival
 * and completed when answered or cut. A bounded in-memory ring plus an optional NDJSON file.
 *
 * File guarantee: each entry is appended to the file exactly once, when it is *settled*:
 * - for an answered request, synchronously (fs.writeSync on an open fd) before the first byte of
 *   the answer is written (completeThen: one write for the answers of an event-loop turn, each
 *   released after it), so an event answered 2xx is in the file (the kernel's page cache) before the
 *   client can see the 2xx, and survives kill -9 of this process (test/integration/robustness);
 * - for everything else (hung, reset, closed, client-aborted, tls-error, stalled, refused), when the
 *   connection or exchange ends, or when the journal is closed (pending entries are then written
 *   with their outcome still 'pending').
 * In memory, an answered entry's `endedAt` is updated again when the answer has been fully sent
 * (it differs from the file only for slow-body answers).
 * @see ../../../shared/SPEC.md "Admin API"
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import type { Clock } from '../clock/index.js'
import { systemClock } from '../clock/index.js'
import { FakeFluentdError } from '../errors.js'
import { filterEntries, type JournalQuery } from './filter.js'
import type { JournalEntry } from './types.js'

/** Default number of entries kept in memory. */
export const DEFAULT_JOURNAL_MAX = 10_000

/**
 * Default memory budget of the in-memory journal, in estimated bytes (256 MiB). Counting entries
 * alone does not bound memory: 10,000 entries of 32 MiB bodies would be 320 GiB. Entries with a body
 * of 16 KiB or more are charged about 3x their body size (the parsed events plus the kept text); the
 * oldest entries are dropped from memory (never from the file) while the total is over the budget.
 */
export const DEFAULT_JOURNAL_MAX_BYTES = 256 * 1024 * 1024

/** Bodies below this are covered by the entry count; only larger ones are charged to maxBytes. */
const CHARGE_FROM_BYTES = 16 * 1024

/** What subscribers receive: a new entry (`added`) or a finished one (`completed`). */
export interface JournalChange {
  type: 'added' | 'completed' | 'cleared'
  entry?: JournalEntry
}

export type JournalListener = (change: JournalChange) => void

export interface JournalOptions {
  /** Entries kept in memory; older ones are dropped first. Default 10000. */
  max?: number
  /** Memory budget of large entries, estimated bytes; older entries are dropped first. Default 256 MiB. */
  maxBytes?: number
  /** Append settled entries to this NDJSON file (created if missing). */
  file?: string
  clock?: Clock
}

/** Fields a new entry needs; id, times and outcome are filled in by the journal. */
export type NewJournalEntry = Omit<JournalEntry, 'id' | 'receivedAt' | 'receivedMono' | 'outcome'> &
  Partial<Pick<JournalEntry, 'receivedAt' | 'receivedMono' | 'outcome'>>

export interface Journal {
  /** Records a new entry (outcome 'pending' unless given) and notifies subscribers. */
  add(fields: NewJournalEntry): JournalEntry
  /**
   * Marks an entry as answered or cut: sets endedAt/endedMono (now unless given), merges `fields`,
   * writes the file line (once) and notifies subscribers.
   */
  complete(entry: JournalEntry, fields: Partial<JournalEntry>): void
  /**
   * complete(), but with a journal file the line is written together with the other lines of the same
   * event-loop turn (one write for all of them), and `then` runs once it is written (with the error
   * when the write failed). Without a file `then` runs at once. The receiver answers in `then`, so a
   * 2xx still goes out only after its line is in the file, at a fraction of the syscalls under load.
   */
  completeThen(entry: JournalEntry, fields: Partial<JournalEntry>, then: (err?: unknown) => void): void
  /** Writes the entry's file line now (once) without completing it in memory: used right before an answer. */
  persist(entry: JournalEntry): void
  /** Updates the in-memory entry without notifying or writing (e.g. endedAt after the body was sent). */
  touch(entry: JournalEntry, fields: Partial<JournalEntry>): void
  /** Entries in id order, filtered. */
  entries(query?: JournalQuery): JournalEntry[]
  /** Number of entries in memory. */
  readonly size: number
  /** Drops every in-memory entry (the file is kept). */
  clear(): void
  /** Calls `listener` for every change; returns the unsubscribe function. */
  subscribe(listener: JournalListener): () => void
  /** Writes still-pending entries to the file and closes it. */
  close(): void
}

/** Creates a journal. Throws FakeFluentdError FF_ERR_OPTION when the file cannot be opened. */
export function createJournal(options: JournalOptions = {}): Journal {
  const max = options.max ?? DEFAULT_JOURNAL_MAX
  if (!Number.isInteger(max) || max < 1) {
    throw new FakeFluentdError('FF_ERR_OPTION', `Invalid journal size ${String(max)}: use a whole number >= 1.`)
  }
  const maxBytes = options.maxBytes ?? DEFAULT_JOURNAL_MAX_BYTES
  if (!(maxBytes > 0)) throw new FakeFluentdError('FF_ERR_OPTION', `Invalid journal memory budget ${String(maxBytes)}: use bytes > 0.`)
  const clock = options.clock ?? systemClock
  let fd: number | undefined
  if (options.file) {
    try {
      fd = openSync(options.file, 'a')
    } catch (err) {
      throw new FakeFluentdError('FF_ERR_OPTION', `Cannot open journal file ${options.file}: ${(err as Error).message}.`, {
        cause: err,
      })
    }
  }
  // Ring buffer: `ring[(start + i) % max]` for i < count.
  const ring: (JournalEntry | undefined)[] = new Array<JournalEntry | undefined>(max)
  let start = 0
  let count = 0
  // Estimated bytes of the large entries in memory (see DEFAULT_JOURNAL_MAX_BYTES).
  const charged = new WeakMap<JournalEntry, number>()
  let bytes = 0
  const dropOldest = (): void => {
    const old = ring[start]
    if (old) {
      const cost = charged.get(old)
      if (cost === undefined) charged.set(old, 0) // out of memory now: never charge it later
      else bytes -= cost
    }
    ring[start] = undefined
    start = (start + 1) % max
    count--
  }
  let nextId = 1
  const written = new WeakSet<JournalEntry>()
  const pending = new Set<JournalEntry>()
  const listeners = new Set<JournalListener>()

  function emit(change: JournalChange): void {
    for (const l of listeners) {
      try {
        l(change)
      } catch {
        // A faulty subscriber must never break the ingest path.
      }
    }
  }

  // Lines waiting for the end of this event-loop turn, and the answers waiting for them.
  let queued = ''
  let waiting: ((err?: unknown) => void)[] = []
  let flushScheduled = false

  /** Writes every queued line in one write, then releases the waiting answers. Throws a write error. */
  function flush(): void {
    flushScheduled = false
    if (queued === '' && waiting.length === 0) return
    const text = queued
    const then = waiting
    queued = ''
    waiting = []
    let error: unknown
    try {
      if (text !== '' && fd !== undefined) writeSync(fd, text)
    } catch (err) {
      error = err
    }
    for (const t of then) t(error)
    if (error !== undefined) throw error
  }

  function flushLater(): void {
    try {
      flush()
    } catch {
      // Reported to every waiting answer through its callback.
    }
  }

  /** Appends the entry's line (once) to the queue; false when there is no file or it was written. */
  function queueLine(entry: JournalEntry): boolean {
    if (fd === undefined || written.has(entry)) return false
    written.add(entry)
    let line: string
    try {
      line = JSON.stringify(entry)
    } catch (err) {
      // Never throw out of the hot path for an entry that cannot be serialized (a cycle, or nesting
      // too deep for JSON.stringify): write what identifies it and why.
      const { id, kind, receivedAt, outcome, status, connectionId, method, url, tag } = entry
      line = JSON.stringify({ id, kind, receivedAt, outcome, status, connectionId, method, url, tag, error: `entry not serializable: ${(err as Error).message}` })
    }
    queued += line + '\n'
    return true
  }

  /** Writes the entry's line now, after any queued ones (order is kept). */
  function writeLine(entry: JournalEntry): void {
    if (queueLine(entry)) flush()
  }

  /** The in-memory part of completing: fields, end times, the memory budget. */
  function settle(entry: JournalEntry, fields: Partial<JournalEntry>): void {
    Object.assign(entry, fields)
    const size = entry.bodySize ?? 0
    if (size >= CHARGE_FROM_BYTES && !charged.has(entry)) {
      const cost = size * 3
      charged.set(entry, cost)
      bytes += cost
      while (bytes > maxBytes && count > 1) dropOldest()
    }
    if (entry.endedAt === undefined) entry.endedAt = clock.wallNow()
    if (entry.endedMono === undefined) entry.endedMono = clock.now()
    pending.delete(entry)
  }

  const journal: Journal = {
    add(fields) {
      // Object.assign, not an object spread: on Node 20 spreading this ~14-key literal cost ~6 us and
      // left a dictionary-mode object that made every later write slow (~20 us per request in all,
      // measured in bench/results.md). Same keys, same order as the spread.
      const entry = Object.assign({}, fields) as JournalEntry
      entry.id = nextId++
      entry.receivedAt = fields.receivedAt ?? clock.wallNow()
      entry.receivedMono = fields.receivedMono ?? clock.now()
      entry.outcome = fields.outcome ?? 'pending'
      if (count >= max) dropOldest()
      ring[(start + count) % max] = entry
      count++
      if (entry.outcome === 'pending') pending.add(entry)
      emit({ type: 'added', entry })
      return entry
    },
    complete(entry, fields) {
      settle(entry, fields)
      writeLine(entry)
      emit({ type: 'completed', entry })
    },
    completeThen(entry, fields, then) {
      settle(entry, fields)
      const queuedNow = queueLine(entry)
      emit({ type: 'completed', entry })
      if (!queuedNow) {
        then()
        return
      }
      waiting.push(then)
      if (!flushScheduled) {
        flushScheduled = true
        setImmediate(flushLater)
      }
    },
    persist(entry) {
      writeLine(entry)
    },
    touch(entry, fields) {
      Object.assign(entry, fields)
    },
    entries(query) {
      const out: JournalEntry[] = []
      for (let i = 0; i < count; i++) {
        const e = ring[(start + i) % max]
        if (e) out.push(e)
      }
      return query ? filterEntries(out, query) : out
    },
    get size() {
      return count
    },
    clear() {
      ring.fill(undefined)
      start = 0
      count = 0
      bytes = 0
      emit({ type: 'cleared' })
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      flushLater()
      for (const e of pending) writeLine(e)
      pending.clear()
      if (fd !== undefined) {
        closeSync(fd)
        fd = undefined
      }
      listeners.clear()
    },
  }
  return journal
}
