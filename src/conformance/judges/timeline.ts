/**
 * The retry timeline of one delivery, expected vs observed, side by side. An interval
 * runs from the END of one attempt (endedMono) to the START of the next (receivedMono).
 */
import type { ExpectedInterval } from '../schedule.js'
import type { Check, Tolerance } from '../types.js'
import type { Attempt } from './attempts.js'

/** One row: attempt n (1-based) and the interval that led to it. */
export interface TimelineRow {
  n: number
  expected?: ExpectedInterval
  /** Observed interval, ms (undefined for the first attempt or a missing one). */
  observedMs?: number
  /** observed - nearest allowed value, ms. */
  deltaMs?: number
  /** deltaMs relative to the expected nominal value (undefined when nominal is 0). */
  deltaRel?: number
  withinTolerance?: boolean
  attempt?: Attempt
  /** Start of the attempt relative to the first attempt, ms. */
  startOffsetMs?: number
}

/** True when `observed` is within tolerance of the range [minMs, maxMs]. */
export function withinTolerance(observedMs: number, minMs: number, maxMs: number, tol: Tolerance): boolean {
  return observedMs >= minMs - (tol.absMs + tol.rel * minMs) && observedMs <= maxMs + tol.absMs + tol.rel * maxMs
}

/**
 * Compares attempts with the expected intervals (already scaled to real time). Rows cover the longer
 * of the two sequences: missing attempts and extra attempts both show.
 */
export function compareTimeline(attempts: readonly Attempt[], intervals: readonly ExpectedInterval[], tol: Tolerance, expectedAttempts: number): TimelineRow[] {
  const rows: TimelineRow[] = []
  const first = attempts[0]
  const count = Math.max(attempts.length, expectedAttempts)
  for (let i = 0; i < count; i++) {
    const attempt = attempts[i]
    const row: TimelineRow = { n: i + 1, attempt, expected: i > 0 && i < expectedAttempts ? intervals[i - 1] : undefined }
    if (attempt && first) row.startOffsetMs = attempt.startMono - first.startMono
    const prev = attempts[i - 1]
    if (attempt && prev) {
      const prevEnd = prev.endMono ?? prev.startMono
      row.observedMs = attempt.startMono - prevEnd
      if (row.expected) {
        const e = row.expected
        const nearest = row.observedMs < e.minMs ? e.minMs : row.observedMs > e.maxMs ? e.maxMs : row.observedMs
        row.deltaMs = row.observedMs - nearest
        row.deltaRel = e.nominalMs > 0 ? row.deltaMs / e.nominalMs : undefined
        row.withinTolerance = withinTolerance(row.observedMs, e.minMs, e.maxMs, tol)
      }
    }
    rows.push(row)
  }
  return rows
}

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return ''
  return `${Math.round(ms)}`
}

function fmtExpected(e: ExpectedInterval | undefined): string {
  if (!e) return ''
  const range = e.minMs === e.maxMs ? fmtMs(e.nominalMs) : `${fmtMs(e.minMs)}..${fmtMs(e.maxMs)}`
  return `${range} (c${e.cycle}.${e.position})`
}

/** How an attempt ended, in a word: `500`, `201`, `timeout/aborted`, `reset`, `tls-error` ... */
export function describeOutcome(a: Attempt | undefined): string {
  if (!a) return 'missing'
  if (a.kind !== 'request') return `${a.kind}:${a.outcome}`
  if (a.outcome === 'answered') return `${a.status ?? '?'}`
  return a.status !== undefined ? `${a.status} ${a.outcome}` : a.outcome
}

/** The side-by-side table (plain text, fixed-width columns). */
export function renderTimeline(rows: readonly TimelineRow[], tol: Tolerance): string {
  const header = ['#', 'expected interval ms', 'observed interval ms', 'delta ms', 'delta %', 'ok', 'start ms', 'duration ms', 'outcome', 'entry']
  const body = rows.map((r) => [
    String(r.n),
    r.n === 1 ? '(first)' : fmtExpected(r.expected) || (r.attempt ? '(none: extra attempt)' : ''),
    fmtMs(r.observedMs) || (r.attempt ? '' : '(no attempt)'),
    r.deltaMs === undefined ? '' : `${r.deltaMs >= 0 ? '+' : ''}${Math.round(r.deltaMs)}`,
    r.deltaRel === undefined ? '' : `${r.deltaRel >= 0 ? '+' : ''}${Math.round(r.deltaRel * 100)}%`,
    r.withinTolerance === undefined ? (r.attempt && r.n > 1 && !r.expected ? 'EXTRA' : !r.attempt ? 'MISSING' : '') : r.withinTolerance ? 'ok' : 'OUT',
    fmtMs(r.startOffsetMs),
    r.attempt?.endMono !== undefined ? fmtMs(r.attempt.endMono - r.attempt.startMono) : '',
    r.attempt ? describeOutcome(r.attempt) : '',
    r.attempt ? `#${r.attempt.entryId}` : '',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)))
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd()
  return [
    line(header),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...body.map(line),
    `tolerance: +/- (${tol.absMs} ms + ${Math.round(tol.rel * 100)} % of the expected interval)`,
  ].join('\n')
}

/** A check over the intervals of the rows: every observed interval within tolerance. */
export function intervalsCheck(rows: readonly TimelineRow[], name = 'retry intervals within tolerance'): Check {
  const judged = rows.filter((r) => r.withinTolerance !== undefined)
  const bad = judged.filter((r) => !r.withinTolerance)
  return {
    name,
    passed: bad.length === 0,
    expected: `${judged.length} intervals as in the profile`,
    observed:
      bad.length === 0
        ? `${judged.length} intervals within tolerance`
        : bad
            .map((r) => `attempt ${r.n}: ${fmtMs(r.observedMs)} ms after the previous attempt ended, expected ${fmtExpected(r.expected)} ms`)
            .join('; '),
    evidence: bad.flatMap((r) => (r.attempt ? [r.attempt.entryId] : [])),
  }
}
