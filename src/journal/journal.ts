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
 * @see docs/design.md "Admin API"
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
 * Default memory budget of the in-memory journal, in estimated bytes (64 MiB). Counting entries
 * alone does not bound memory: 10,000 entries of 32 MiB bodies would be 320 GiB, and even 10,000
 * entries of 13 KB bodies (20 notifications each: the text, the parsed events and the verdicts,
 * ~34 KiB of heap per entry) are 340 MiB of long-lived heap that V8 fragments under churn (RSS about
 * twice that, bench/results.md). Every settled entry is charged its estimated heap size (see
 * estimateEntryBytes); the oldest entries are dropped from memory (never from the file) while the
 * total is over the budget. Small requests (one notification, ~3 KiB) still keep 10,000 entries.
 */
export const DEFAULT_JOURNAL_MAX_BYTES = 64 * 1024 * 1024

/** The entry object, its header strings and times, bytes (measured: ~1 KiB for an undici POST). */
const ENTRY_BASE_BYTES = 1024

/** Heap bytes of parsed events per byte of their JSON text (measured on Node 20: 17.1 KiB for 13.3 KiB). */
const EVENT_HEAP_PER_JSON_BYTE = 1.3

/** Events sampled (JSON.stringify'd) to estimate the size of all of them. */
const EVENT_SAMPLES = 3

/**
 * Estimated heap bytes an entry holds: a base, its strings (body, response body, error) and its
 * events and verdicts. Events are estimated from the body's size, except for gzip/deflate bodies,
 * where a few events are sampled so that a body that decoded to much more than its wire size is
 * charged for what it decoded to.
 */
export function estimateEntryBytes(entry: JournalEntry): number {
  let bytes = ENTRY_BASE_BYTES + (entry.body?.length ?? 0) + (entry.responseBody?.length ?? 0) + (entry.error?.length ?? 0)
  const events = entry.events
  const encoding = entry.headers?.['content-encoding']
  if (events && events.length > 0 && entry.bodySize !== undefined && encoding !== 'gzip' && encoding !== 'deflate') {
    // The events were parsed from the body as it came (JSON, NDJSON, a form field, msgpack): their
    // JSON is about the body's size. No stringify on the hot path (it cost ~5 % of a request).
    bytes += entry.bodySize * EVENT_HEAP_PER_JSON_BYTE
  } else if (events && events.length > 0) {
    const step = Math.max(1, Math.floor(events.length / EVENT_SAMPLES))
    let sampled = 0
    let sampledBytes = 0
    for (let i = 0; i < events.length && sampled < EVENT_SAMPLES; i += step) {
      try {
        sampledBytes += JSON.stringify(events[i])?.length ?? 0
      } catch {
        // Nesting too deep for JSON.stringify: fall back to the body size.
        sampledBytes += (entry.bodySize ?? 0) / events.length
      }
      sampled++
    }
    bytes += (sampledBytes / sampled) * events.length * EVENT_HEAP_PER_JSON_BYTE
  }
  const verdicts = entry.verdicts
  if (verdicts) {
    for (const v of verdicts) {
      bytes += 100
      for (const e of v.errors) bytes += 100 + e.message.length + e.pointer.length
    }
  }
  return Math.ceil(bytes)
}

/** What subscribers receive: a new entry (`added`) or a finished one (`completed`). */
export interface JournalChange {
  type: 'added' | 'completed' | 'cleared'
  entry?: JournalEntry
}

export type JournalListener = (change: JournalChange) => void

export interface JournalOptions {
  /** Entries kept in memory; older ones are dropped first. Default 10000. */
  max?: number
  /** Memory budget of the entries in memory, estimated bytes (estimateEntryBytes); older entries are dropped first. Default 64 MiB. */
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
  // Estimated bytes of the settled entries in memory (see DEFAULT_JOURNAL_MAX_BYTES); `held` = in the ring.
  const charged = new WeakMap<JournalEntry, number>()
  const held = new WeakSet<JournalEntry>()
  let bytes = 0
  const dropOldest = (): void => {
    const old = ring[start]
    if (old) {
      held.delete(old)
      bytes -= charged.get(old) ?? 0
      charged.delete(old)
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
    if (held.has(entry)) {
      // Re-estimated on every completion (an entry completed twice is charged once, for what it holds now).
      const cost = estimateEntryBytes(entry)
      bytes += cost - (charged.get(entry) ?? 0)
      charged.set(entry, cost)
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
      held.add(entry)
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
      for (const e of ring) if (e) held.delete(e)
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
