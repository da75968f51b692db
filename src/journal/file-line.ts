/**
 * The journal file's text for one entry. An ordinary entry is one line, the entry's JSON. A large one
 * stays bounded instead of growing with what a client sent (a 204 KB gzip body once made a 209 MB
 * line, and an entry longer than V8's string limit lost its events):
 * - verdicts beyond LINE_VERDICTS_LISTED are summarised: `verdictSummary` counts them and `verdicts`
 *   lists the first invalid ones (each with at most LINE_VERDICT_ERRORS errors);
 * - `responseBody` and `error` longer than LINE_TEXT_MAX are cut (`responseBodyTruncated`,
 *   `errorTruncated`); the body is already cut in memory (`--journal-body-max`);
 * - events are never dropped: when their JSON is longer than LINE_EVENTS_MAX the entry's line holds
 *   the first of them and says `eventsContinued: { lines, total }`, and that many continuation lines
 *   follow at once, each `{"kind":"events","continues":<id>,"part":<1..lines>,"events":[...]}`
 *   (one event per line at most when a single event is larger).
 * @see README.md "Limits"
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Verdict } from '../validation/index.js'
import { blankEntry } from './shape.js'
import type { JournalEvent } from './types.js'

/** Most characters of events' JSON in one line (several events; one larger event gets a line of its own). */
export const LINE_EVENTS_MAX = 1024 * 1024

/** Verdicts written as they are; beyond, they are summarised. */
export const LINE_VERDICTS_LISTED = 20

/** Errors kept per listed verdict when verdicts are summarised. */
export const LINE_VERDICT_ERRORS = 5

/** Most characters of `responseBody` and of `error` in a line. */
export const LINE_TEXT_MAX = 64 * 1024

/** What entryLine reads; any journal entry kind fits (fields a kind lacks are simply absent). */
export interface LineEntry {
  readonly id: number
  readonly events?: readonly JournalEvent[]
  readonly verdicts?: readonly Verdict[]
  readonly responseBody?: string
  readonly error?: string
  readonly body?: string
  readonly bodyInEvents?: boolean
}

/** Entries whose body is at most this many bytes (and with at most 256 events) get their line in one go; larger ones in slices. */
export const SYNC_LINE_BYTES = 64 * 1024

/** Characters of event JSON serialized between two yields by entryLinesSliced (about 1 ms of JSON.stringify). */
export const SLICE_CHARS = 256 * 1024

/** Counts of the verdicts of a summarised entry. */
export interface VerdictSummary {
  total: number
  valid: number
  invalid: number
  /** Invalid verdicts listed in the line's `verdicts`. */
  listed: number
}

/** Thrown when an event cannot be written at all; the caller must not answer 2xx (treat it as a failed write). */
export class EntryLineError extends Error {
  override name = 'EntryLineError'
}

/** Verdicts for a line: the same array when small, else the first invalid ones and a summary. */
export function summariseVerdicts(verdicts: readonly Verdict[]): { verdicts: readonly Verdict[]; summary?: VerdictSummary } {
  if (verdicts.length <= LINE_VERDICTS_LISTED && verdicts.every((v) => v.errors.length <= LINE_VERDICT_ERRORS)) return { verdicts }
  let valid = 0
  const listed: Verdict[] = []
  for (const v of verdicts) {
    if (v.valid) valid++
    else if (listed.length < LINE_VERDICTS_LISTED) {
      listed.push(v.errors.length <= LINE_VERDICT_ERRORS ? v : { ...v, errors: v.errors.slice(0, LINE_VERDICT_ERRORS) })
    }
  }
  return { verdicts: listed, summary: { total: verdicts.length, valid, invalid: verdicts.length - valid, listed: listed.length } }
}

/** What a correction changes: an entry settled as answered whose answer never reached the socket. */
export interface Correction {
  outcome: 'client-aborted' | 'reset' | 'closed'
  error: string
}

/**
 * The line that corrects an earlier entry's line: `{"kind":"correction","corrects":<id>,"outcome":...,
 * "status":null,"error":...}`. A reader applies its fields to entry `corrects` (null removes the field).
 */
export function correctionLine(id: number, c: Correction): string {
  return JSON.stringify({ kind: 'correction', corrects: id, outcome: c.outcome, status: null, error: c.error }) + '\n'
}

/** Thrown by entryLinesSliced when `stop()` said so between two slices. */
export class LineStopped extends Error {
  override name = 'LineStopped'
}

/** Each event's JSON, grouped into chunks of at most LINE_EVENTS_MAX characters (a larger event alone). */
function eventChunks(events: readonly JournalEvent[]): string[] {
  // Hot path: an ordinary entry's events fit one line, so one JSON.stringify of them all (the same
  // text as joining each event's). An event that cannot be serialized fails again below, by index.
  let all: string | undefined
  try {
    all = JSON.stringify(events)
  } catch {
    all = undefined
  }
  if (all !== undefined && all.length <= LINE_EVENTS_MAX) return [all]
  const acc = { chunks: [] as string[], parts: [] as string[], size: 0 }
  chunkEvents(events, 0, events.length, acc, Infinity)
  return acc.chunks
}

/** eventChunks yielding to the event loop after every SLICE_CHARS characters of JSON; throws LineStopped once `stop()` is true. */
async function eventChunksSliced(events: readonly JournalEvent[], stop: () => boolean): Promise<string[]> {
  const acc = { chunks: [] as string[], parts: [] as string[], size: 0 }
  for (let from = 0; from < events.length; ) {
    if (from > 0) {
      await yieldToLoop()
      if (stop()) throw new LineStopped('stopped while preparing the line')
    }
    from = chunkEvents(events, from, events.length, acc, SLICE_CHARS)
  }
  acc.chunks.push(`[${acc.parts.join(',')}]`)
  return acc.chunks
}

/** Serializes events from `from` on until `budget` characters are done or the end; returns where it stopped (the end closes the last chunk). */
function chunkEvents(events: readonly JournalEvent[], from: number, to: number, acc: { chunks: string[]; parts: string[]; size: number }, budget: number): number {
  const { chunks } = acc
  let { parts, size } = acc
  let done = 0
  let i = from
  for (; i < to && done < budget; i++) {
    let json: string
    try {
      json = JSON.stringify(events[i])
    } catch (err) {
      throw new EntryLineError(`event ${i} cannot be written to the journal: ${(err as Error).message}`, { cause: err })
    }
    if (parts.length > 0 && size + json.length + 1 > LINE_EVENTS_MAX) {
      chunks.push(`[${parts.join(',')}]`)
      parts = []
      size = 0
    }
    parts.push(json)
    size += json.length + 1
    done += json.length
  }
  acc.parts = parts
  acc.size = size
  if (budget === Infinity) chunks.push(`[${parts.join(',')}]`)
  return i
}

/**
 * The journal file text of an entry, without the final newline: one line, or (for events longer
 * than LINE_EVENTS_MAX) the entry's line and its continuation lines joined by '\n'. Throws
 * EntryLineError only when an event cannot be serialized (then it would be in no line: the caller
 * must not answer 2xx).
 */
export function entryLine(entry: LineEntry, final?: object): string {
  const lines = entryLines(entry, final)
  return lines.length === 1 ? lines[0]! : lines.join('\n')
}

/**
 * entryLine's lines one by one (write them in order, each followed by '\n'), for a writer that does
 * not want to hold all of a huge entry's text in one string. Each line is bounded by the limits above
 * (or one event), far below V8's string limit. `final`: fields that override the entry's (what it
 * will be once settled), without copying the entry twice.
 */
export function entryLines(entry: LineEntry, final?: object, keepBody = false): string[] {
  const { copy, events } = lineCopy(entry, final, keepBody)
  const head = headLine(copy, events)
  if (typeof head !== 'string') return head.lines
  return events === undefined ? [head] : assemble(copy.id, events.length, head, eventChunks(events))
}

/**
 * entryLines' text with a newline after each line, in pieces for the batched write (batch.ts): an
 * entry whose events fit one line is its head, a comma and its events, each a flat string, so that
 * the line is encoded once, straight into the write's buffer, never concatenated on the heap.
 */
export function entryPieces(entry: LineEntry, final?: object, keepBody = false): readonly string[] {
  const { copy, events } = lineCopy(entry, final, keepBody)
  const head = headLine(copy, events)
  if (typeof head !== 'string') return [head.lines.join('\n'), '\n']
  if (events === undefined) return [head, '\n']
  const chunks = eventChunks(events)
  if (chunks.length > 1) return [assemble(copy.id, events.length, head, chunks).join('\n'), '\n']
  return [head.slice(0, -1), head.length > 2 ? ',"events":' : '"events":', chunks[0]!, '}\n']
}

/**
 * entryLines, yielding to the event loop after every SLICE_CHARS characters of event JSON: for a
 * writer that prepares a large entry's lines before writing them (10,000 events are about 20-60 ms
 * of JSON.stringify in one go, and one msgpack record can become megabytes of JSON). Same lines, same
 * EntryLineError; LineStopped once `stop()` says so between two slices.
 */
export async function entryLinesSliced(entry: LineEntry, final?: object, stop: () => boolean = () => false, keepBody = false): Promise<string[]> {
  const { copy, events } = lineCopy(entry, final, keepBody)
  const head = headLine(copy, events)
  if (typeof head !== 'string') return head.lines
  return events === undefined ? [head] : assemble(copy.id, events.length, head, await eventChunksSliced(events, stop))
}

/**
 * One shallow copy of the entry for its line (with `final` merged in), events taken out. A body whose
 * records are all in the events (`bodyInEvents`, set by the receiver for an uncut JSON body with
 * nothing dropped) is left out of the line: the events carry it, and the line stays about the size
 * of the body instead of twice it. `keepBody` keeps it all the same (a `--workers` worker: the
 * primary keeps it in memory and takes it out of the file's line).
 */
function lineCopy(entry: LineEntry, final: object | undefined, keepBody: boolean): { copy: Record<string, unknown> & { id: number }; events: readonly JournalEvent[] | undefined } {
  const copy = Object.assign(blankEntry(), entry, final) as unknown as Record<string, unknown> & { id: number }
  const events = copy['events'] as readonly JournalEvent[] | undefined
  copy['events'] = undefined
  if (copy['bodyInEvents'] === true && events !== undefined && events.length > 0) {
    if (!keepBody) copy['body'] = undefined
  } else copy['bodyInEvents'] = undefined
  return { copy, events }
}

/**
 * The journal file text of an entry that holds back no answer: its lines, each with its newline.
 * Never throws: an event that cannot be serialized leaves the events out and says so in `error`
 * (nothing was answered 2xx on the strength of this text).
 */
export function settledEntryText(entry: LineEntry, keepBody = false): string {
  try {
    return entryLines(entry, undefined, keepBody).join('\n') + '\n'
  } catch (err) {
    const error = `${entry.error === undefined ? '' : entry.error + '; '}events not written: ${(err as Error).message}`
    return entryLines({ ...entry, events: undefined, error }).join('\n') + '\n'
  }
}

/** The entry's line without its events (a string), or the final lines when the entry cannot be serialized. */
function headLine(copy: Record<string, unknown> & { id: number }, events: readonly JournalEvent[] | undefined): string | { lines: string[] } {
  const verdicts = copy['verdicts'] as readonly Verdict[] | undefined
  const responseBody = copy['responseBody'] as string | undefined
  const error = copy['error'] as string | undefined
  if (verdicts) {
    const s = summariseVerdicts(verdicts)
    copy['verdicts'] = s.verdicts
    if (s.summary) copy['verdictSummary'] = s.summary
  }
  if (responseBody !== undefined && responseBody.length > LINE_TEXT_MAX) {
    copy['responseBody'] = responseBody.slice(0, LINE_TEXT_MAX)
    copy['responseBodyTruncated'] = true
  }
  if (error !== undefined && error.length > LINE_TEXT_MAX) {
    copy['error'] = error.slice(0, LINE_TEXT_MAX)
    copy['errorTruncated'] = true
  }
  try {
    return JSON.stringify(copy)
  } catch (err) {
    // Only a cycle could do this (headers, tls, fault are plain data): identify the entry and why.
    if (events !== undefined) throw new EntryLineError(`entry ${copy.id} cannot be written to the journal: ${(err as Error).message}`, { cause: err })
    const { id, kind, receivedAt, outcome, status, connectionId, method, url, tag } = copy
    return { lines: [JSON.stringify({ id, kind, receivedAt, outcome, status, connectionId, method, url, tag, error: `entry not serializable: ${(err as Error).message}` })] }
  }
}

/** The entry's line with its first chunk of events, then the continuation lines. */
function assemble(id: number, total: number, head: string, chunks: string[]): string[] {
  const body = head.slice(0, -1) + (head.length > 2 ? ',' : '')
  if (chunks.length === 1) return [`${body}"events":${chunks[0]}}`]
  const lines = [`${body}"events":${chunks[0]},"eventsContinued":{"lines":${chunks.length - 1},"total":${total}}}`]
  for (let i = 1; i < chunks.length; i++) lines.push(`{"kind":"events","continues":${id},"part":${i},"events":${chunks[i]}}`)
  return lines
}
