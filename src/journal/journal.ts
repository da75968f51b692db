/**
 * The journal: every request (and failed/stalled connection) the receiver saw, recorded on arrival
 * and completed when answered or cut. A bounded in-memory ring plus an optional NDJSON file.
 *
 * File guarantee: each entry is appended to the file exactly once, when it is *settled*:
 * - for an answered request, before the first byte of the answer is written (completeThen: one
 *   synchronous write for the answers of an event-loop turn, each released once the kernel took
 *   all of its line, batch.ts), so an event answered 2xx is in the file (the kernel's page cache)
 *   before the client can see the 2xx, and survives kill -9 of this process
 *   (test/integration/robustness); a write the kernel takes only in part is cut back to the last
 *   whole line and those answers get the error (500), so no line is ever partial;
 * - for everything else (hung, reset, closed, client-aborted, tls-error, stalled, refused), when the
 *   connection or exchange ends (with the lines queued before it), or when
 *   the journal is closed (pending entries are then written with their outcome still 'pending',
 *   also an answer whose line was still being prepared: it never went out).
 * The journal is the only writer of entries: consumers get read-only entries, and the receiver
 * changes one through update() (re-charged against the memory budget, announced as 'updated') and
 * settles it through complete()/completeThen() (announced as 'completed' once final: with a file,
 * only after its line is written). In memory, an answered entry's `endedAt` is updated again when
 * the answer has been fully sent (it differs from the file only for slow-body answers).
 * @see docs/design.md "Admin API"
 */
import { openSync } from 'node:fs'
import type { Clock } from '../clock/index.js'
import { systemClock } from '../clock/index.js'
import { FakeFluentdError } from '../errors.js'
import { AnswerWithdrawn, createLineWriter, type LineWriter } from './batch.js'
import { DEFAULT_JOURNAL_MAX, DEFAULT_JOURNAL_MAX_BYTES } from './budget.js'
import { createEntryRing } from './ring.js'
import { blankEntry } from './shape.js'
import { correctionLine, entryLinesSliced, entryPieces, LineStopped, settledEntryText, SYNC_LINE_BYTES, type Correction } from './file-line.js'
import { filterEntries, type JournalQuery } from './filter.js'
import type { EntryFields, JournalEntry, JournalEntryData, JournalEntryKind } from './types.js'

export { DEFAULT_JOURNAL_MAX, DEFAULT_JOURNAL_MAX_BYTES, estimateEntryBytes } from './budget.js'
export { AnswerWithdrawn } from './batch.js'
export type { Correction } from './file-line.js'

/**
 * What subscribers receive: a new entry (`added`), a change to an entry still in flight or to its
 * end time (`updated`), a settled one (`completed`, once, when its answer is final), or `cleared`.
 */
export interface JournalChange {
  type: 'added' | 'updated' | 'completed' | 'cleared'
  entry?: JournalEntry
  /** On 'updated': the entry was settled as answered and has been corrected (journal.correct). */
  corrected?: boolean
}

export type JournalListener = (change: JournalChange) => void

export interface JournalOptions {
  /** Entries kept in memory; older ones are dropped first. Default 10000. */
  max?: number
  /** Memory budget of the entries in memory, estimated bytes (estimateEntryBytes); older entries are dropped first. Default 64 MiB. */
  maxBytes?: number
  /** Append settled entries to this NDJSON file (created if missing). */
  file?: string
  /**
   * Where the lines go instead of a file of this process's own: a writer that hands them to another
   * process (a `--workers` worker hands them to the primary, src/cluster). Not with `file`.
   */
  writer?: LineWriter
  /**
   * Lines keep the body text even when the events carry it (`bodyInEvents`), for a `--workers`
   * worker's writer: the primary keeps it in memory for the page and takes it out of the file's line.
   */
  linesKeepBody?: boolean
  clock?: Clock
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

/** Fields a new entry needs; id, times and outcome are filled in by the journal. */
export type NewJournalEntry = DistributiveOmit<JournalEntryData, 'id' | 'receivedAt' | 'receivedMono' | 'outcome'> &
  Partial<Pick<JournalEntryData, 'receivedAt' | 'receivedMono' | 'outcome'>>

/** The read-only entry type of a kind. */
export type EntryOfKind<K extends JournalEntryKind> = Extract<JournalEntry, { kind: K }>

export interface Journal {
  /** Records a new entry (outcome 'pending' unless given) and notifies subscribers ('added'). */
  add<F extends NewJournalEntry>(fields: F): EntryOfKind<F['kind']>
  /**
   * Changes an entry (in flight, or its end time after the answer was sent): merges `fields`,
   * re-charges its memory estimate and notifies subscribers ('updated'). Never writes the file.
   */
  update<E extends JournalEntry>(entry: E, fields: EntryFields<E['kind']>): void
  /**
   * Settles an entry (answered or cut): sets endedAt/endedMono (now unless given), merges `fields`,
   * writes the file line (once) and notifies subscribers ('completed').
   */
  complete<E extends JournalEntry>(entry: E, fields: EntryFields<E['kind']>): void
  /**
   * complete() for an answer that must not go out before its line is in the file. With a journal file
   * the line is written together with the other lines of the same event-loop turn (one write), and
   * only once it is written is the entry settled, announced and `then()` called. When the write fails,
   * the entry is left unsettled (nothing was announced) and `then(err)` is called: the caller settles
   * it with what it answers instead. Without a file it settles and calls `then()` at once. When
   * `wanted()` says false at write time (the receiver stopped meanwhile), nothing is written or
   * announced and `then` gets an AnswerWithdrawn.
   */
  completeThen<E extends JournalEntry>(entry: E, fields: EntryFields<E['kind']>, then: (err?: unknown) => void, wanted?: () => boolean): void
  /**
   * Corrects an entry settled as answered whose answer was never handed to the socket (the connection
   * ended first, or writing it failed): `outcome` and `error` change and `status` is removed, in
   * memory ('updated') and, when its line is in the file, by a correction line appended after it
   * (`{"kind":"correction","corrects":<id>,...}`, correctionLine). Does nothing for an entry that is
   * not settled as answered.
   */
  correct(entry: JournalEntry, fields: Correction): void
  /** Entries in id order, filtered. */
  entries(query?: JournalQuery): JournalEntry[]
  /** Number of entries in memory. */
  readonly size: number
  /** True while settled entries are written somewhere (a file, or the primary of `--workers`). */
  readonly writesFile: boolean
  /** Drops every in-memory entry (the file is kept). */
  clear(): void
  /** Calls `listener` for every change; returns the unsubscribe function. */
  subscribe(listener: JournalListener): () => void
  /** Writes still-pending entries to the file and closes it. */
  close(): void
  /**
   * Takes the id the next entry gets, for an entry settled in another process (adopt): its text
   * must carry this id before it is adopted. Ids taken and never adopted leave a gap.
   */
  takeId(): number
  /**
   * Adopts an entry that another process recorded and settled (a `--workers` worker, src/cluster),
   * under an id from takeId(): `text` (its lines, each ending with '\n') is written to the file in
   * order with this journal's own lines; once the kernel took it, the entry joins memory and is
   * announced ('added', then 'completed') and `then()` is called. When the write fails nothing is
   * announced and `then(err)` is called. Without a file both happen at once.
   */
  adopt(entry: JournalEntryData, text: string, then: (err?: unknown) => void): void
}

/** Events of more entries than this are serialized in slices that yield to the event loop (entryLinesSliced). */
const SLICED_EVENTS = 256

/** Creates a journal. Throws FakeFluentdError FF_ERR_OPTION when the file cannot be opened. */
export function createJournal(options: JournalOptions = {}): Journal {
  const max = options.max ?? DEFAULT_JOURNAL_MAX
  if (!Number.isInteger(max) || max < 1) {
    throw new FakeFluentdError('FF_ERR_OPTION', `Invalid journal size ${String(max)}: use a whole number >= 1.`)
  }
  const maxBytes = options.maxBytes ?? DEFAULT_JOURNAL_MAX_BYTES
  if (!(maxBytes > 0)) throw new FakeFluentdError('FF_ERR_OPTION', `Invalid journal memory budget ${String(maxBytes)}: use bytes > 0.`)
  const clock = options.clock ?? systemClock
  const keepBody = options.linesKeepBody === true
  let writer: LineWriter | undefined = options.writer
  if (options.file && writer) throw new FakeFluentdError('FF_ERR_OPTION', 'A journal takes a file or a writer, not both.')
  if (options.file) {
    try {
      writer = createLineWriter(openSync(options.file, 'a'))
    } catch (err) {
      throw new FakeFluentdError('FF_ERR_OPTION', `Cannot open journal file ${options.file}: ${(err as Error).message}.`, {
        cause: err,
      })
    }
  }
  const memory = createEntryRing(max, maxBytes)
  let nextId = 1
  const written = new WeakSet<JournalEntry>()
  const pending = new Set<JournalEntryData>()
  /** Answers whose line is being prepared in slices: close() writes them as they are (they never went out). */
  const preparing = new Set<JournalEntryData>()
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

  /**
   * Writes the entry's line now (once), after any queued ones (order is kept). A failed write is reported to the answers waiting in the batch;
   * this entry has no answer to hold back, so the failure never escapes into the receiver.
   */
  function writeLine(entry: JournalEntry): void {
    if (writer === undefined || written.has(entry)) return
    written.add(entry)
    writer.push({ line: settledEntryText(entry, keepBody) })
    writer.flushSync()
  }

  /** The in-memory part of completing: fields, end times, the memory budget. */
  function settle(entry: JournalEntryData, fields: object): void {
    Object.assign(entry, fields)
    if (entry.endedAt === undefined) entry.endedAt = clock.wallNow()
    if (entry.endedMono === undefined) entry.endedMono = clock.now()
    memory.charge(entry)
    pending.delete(entry)
  }

  // Entries handed out are the journal's own objects, typed read-only for everyone else.
  const own = (entry: JournalEntry): JournalEntryData => entry as JournalEntryData

  const journal: Journal = {
    add<F extends NewJournalEntry>(fields: F) {
      // One fixed shape for every entry (shape.ts): an object built up key by key became a dictionary.
      const entry = Object.assign(blankEntry(), fields) as JournalEntryData
      entry.id = nextId++
      entry.receivedAt = fields.receivedAt ?? clock.wallNow()
      entry.receivedMono = fields.receivedMono ?? clock.now()
      entry.outcome = fields.outcome ?? 'pending'
      memory.keep(entry)
      if (entry.outcome === 'pending') pending.add(entry)
      emit({ type: 'added', entry })
      return entry as EntryOfKind<F['kind']>
    },
    update(entry, fields) {
      Object.assign(own(entry), fields)
      // Times and counters do not change the estimate: no re-estimate for them (the end time after
      // every answer is the common case).
      if (!('endedAt' in fields)) memory.charge(entry)
      emit({ type: 'updated', entry })
    },
    complete(entry, fields) {
      settle(own(entry), fields)
      writeLine(entry)
      emit({ type: 'completed', entry })
    },
    completeThen(entry, fields, then, wanted) {
      if (writer === undefined || written.has(entry)) {
        if (wanted && !wanted()) return then(new AnswerWithdrawn())
        settle(own(entry), fields)
        emit({ type: 'completed', entry })
        then()
        return
      }
      // The line is what the entry will be once settled; the entry itself changes only once it is written.
      const ended = { endedAt: entry.endedAt ?? clock.wallNow(), endedMono: entry.endedMono ?? clock.now() }
      const final = Object.assign(ended, fields)
      written.add(entry)
      const release = (err?: unknown): void => {
        preparing.delete(own(entry))
        if (err !== undefined) {
          written.delete(entry)
          then(err)
          return
        }
        settle(own(entry), final)
        emit({ type: 'completed', entry })
        then()
      }
      // The line is bounded (file-line.ts); an event that cannot be serialized is a failed write: no 2xx.
      const queue = (line: string | readonly string[]): void => {
        if (writer === undefined) return release(new AnswerWithdrawn())
        writer.push({ line, release, wanted })
      }
      const events = final.events ?? entry.events
      if ((events?.length ?? 0) <= SLICED_EVENTS && (entry.bodySize ?? 0) <= SYNC_LINE_BYTES) {
        let pieces: readonly string[]
        try {
          pieces = entryPieces(entry, final, keepBody)
        } catch (err) {
          return release(err)
        }
        queue(pieces)
      } else {
        // Prepared in slices; stopped between two slices once the answer is no longer wanted.
        preparing.add(own(entry))
        const stop = (): boolean => writer === undefined || (wanted !== undefined && !wanted())
        entryLinesSliced(entry, final, stop, keepBody).then(
          (lines) => (stop() ? release(new AnswerWithdrawn()) : queue(lines.join('\n') + '\n')),
          (err: unknown) => release(err instanceof LineStopped ? new AnswerWithdrawn() : err),
        )
      }
    },
    correct(entry, fields) {
      if (entry.outcome !== 'answered') return
      const e = own(entry)
      e.outcome = fields.outcome
      e.error = fields.error
      e.status = undefined
      memory.charge(e)
      if (writer !== undefined && written.has(entry)) {
        writer.push({ line: correctionLine(entry.id, fields) })
        writer.flushSync()
      }
      emit({ type: 'updated', entry, corrected: true })
    },
    entries(query) {
      const out = memory.list()
      return query ? filterEntries(out, query) : out
    },
    get size() {
      return memory.size
    },
    get writesFile() {
      return writer !== undefined
    },
    clear() {
      memory.clear()
      emit({ type: 'cleared' })
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    takeId() {
      return nextId++
    },
    adopt(entry, text, then) {
      const join = (err?: unknown): void => {
        if (err !== undefined) return then(err)
        memory.keep(entry)
        memory.charge(entry)
        if (writer !== undefined) written.add(entry)
        emit({ type: 'added', entry })
        emit({ type: 'completed', entry })
        then()
      }
      if (writer === undefined) return join()
      writer.push({ line: text, release: join })
    },
    close() {
      if (writer) {
        writer.flushSync()
        // An answer still being prepared never went out: its entry is written as it is (pending).
        for (const e of preparing) written.delete(e)
        preparing.clear()
        for (const e of pending) writeLine(e)
        writer.close()
        writer = undefined
      }
      pending.clear()
      listeners.clear()
    },
  }
  return journal
}
