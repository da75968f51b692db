/**
 * The retry timeline of one delivery, expected vs observed, side by side. An interval runs from the
 * END of one attempt (endedMono: the answer left, or the connection was cut) to the START of the next
 * (the accept of its connection, or its request on a reused one). With `intervalFrom: attempt-start`
 * the profile's interval runs from the start of the failed attempt, so the expected gap after it is
 * what is left of the interval once the attempt's own duration is taken off.
 */
import type { LagSample } from '../lag-probe.js'
import type { WaitRead } from '../sender-wait.js'
import type { ExpectedInterval } from '../schedule.js'
import type { Check, Precision, Tolerance } from '../types.js'
import type { Attempt } from './handed.js'
import { atScaleOne, patternSentence } from './pattern.js'
import { discriminationMs, fitSchedule, precisionOf, SCALE_TOLERANCE, slackBetween, type Slack } from './precision.js'

/** What the judge needs besides the attempts. */
export interface TimelineContext {
  tolerance: Tolerance
  lag: readonly LagSample[]
  /** The sender shares the runner's event loop (builtin). */
  inProcess: boolean
  /** Lateness of a probe process (how late another process gets the CPU), for out-of-process senders. */
  machineLag?: readonly LagSample[]
  /** The sender's own wait for a CPU, read at the runner's stamps (command senders on Linux; sender-wait.ts). */
  senderWait?: readonly WaitRead[]
  timeScale: number
  intervalFrom: 'attempt-end' | 'attempt-start'
}

/** One row: attempt n (1-based) and the interval that led to it. */
export interface TimelineRow {
  n: number
  expected?: ExpectedInterval
  /** The gap the profile asks for between the previous attempt's end and this start, [min, max] ms. */
  gapMs?: [number, number]
  /** Observed gap, ms (undefined for the first attempt or a missing one). */
  observedMs?: number
  /** observed - nearest allowed value, ms. */
  deltaMs?: number
  slack?: Slack
  /** ok / out / unsure (within the slack, but the slack was too wide to tell); undefined: not judged. */
  verdict?: 'ok' | 'out' | 'unsure'
  attempt?: Attempt
  /** Start of the attempt relative to the first attempt, ms. */
  startOffsetMs?: number
}

/**
 * Compares attempts with the expected intervals (already scaled to real time). Rows cover the longer
 * of the two sequences: missing attempts and extra attempts both show.
 */
export function compareTimeline(attempts: readonly Attempt[], intervals: readonly ExpectedInterval[], ctx: TimelineContext, expectedAttempts: number): TimelineRow[] {
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
        const took = ctx.intervalFrom === 'attempt-start' ? prevEnd - prev.startMono : 0
        const lo = Math.max(0, e.minMs - took)
        const hi = Math.max(0, e.maxMs - took)
        row.gapMs = [lo, hi]
        const nearest = Math.min(hi, Math.max(lo, row.observedMs))
        row.deltaMs = row.observedMs - nearest
        const d = discriminationMs(e.nominalMs, ctx.timeScale)
        // The sender's next attempt cannot be due before lo (a sender 10 % fast: lo - d); what it
        // waited for a CPU from then on, or right after the answer, can have made it late.
        const sender = ctx.senderWait ? { reads: ctx.senderWait, dueFromMono: prevEnd + Math.max(0, lo - d) } : undefined
        row.slack = slackBetween(ctx.tolerance, hi, ctx.lag, prevEnd, attempt.startMono, ctx.inProcess, ctx.machineLag, sender)
        const sl = row.slack
        const inBand = (a: number, b: number): boolean => row.observedMs! >= a - sl.earlyMs && row.observedMs! <= b + sl.lateMs
        // Unsure: the observation also fits a sender 10 % off (or 1 s at scale 1 for 0 s), given the
        // slack; only then did the measured disturbance cost the verdict.
        const wrong = [Math.max(0, e.minMs - d) - took, e.maxMs + d - took].map((x) => Math.max(0, x))
        const ambiguous = wrong.some((x) => x !== lo && x !== hi && inBand(x, x))
        row.verdict = !inBand(lo, hi) ? 'out' : ambiguous ? 'unsure' : 'ok'
      }
    }
    rows.push(row)
  }
  return rows
}

const fmtMs = (ms: number | undefined): string => (ms === undefined ? '' : `${Math.round(ms)}`)

function fmtGap(r: TimelineRow): string {
  const e = r.expected
  if (!e) return ''
  const [lo, hi] = r.gapMs ?? [e.minMs, e.maxMs]
  const range = lo === hi ? fmtMs(lo) : `${fmtMs(lo)}..${fmtMs(hi)}`
  return `${range} (c${e.cycle}.${e.position})`
}

/** How an attempt ended, in a word: `500`, `201`, `timeout/aborted`, `reset`, `tls-error` ... */
export function describeOutcome(a: Attempt | undefined): string {
  if (!a) return 'missing'
  if (a.kind !== 'request') return `${a.kind}:${a.outcome}`
  if (a.outcome === 'answered') return `${a.status ?? '?'}`
  return a.status !== undefined ? `${a.status} ${a.outcome}` : a.outcome
}

/** The side-by-side table (plain text, fixed-width columns); with `scale`, intervals also at scale 1 and their pattern in words. */
export function renderTimeline(rows: readonly TimelineRow[], scale?: number): string {
  const header = ['#', 'expected interval ms', 'observed interval ms', ...(scale === undefined ? [] : ['at scale 1']), 'delta ms', 'slack ms', 'ok', 'start ms', 'duration ms', 'outcome', 'entry']
  const body = rows.map((r) => [
    String(r.n),
    r.n === 1 ? '(first)' : fmtGap(r) || (r.attempt ? '(none: extra attempt)' : ''),
    fmtMs(r.observedMs) || (r.attempt ? '' : '(no attempt)'),
    ...(scale === undefined ? [] : [r.observedMs === undefined ? '' : `${atScaleOne(r.observedMs, scale)}${r.expected ? ` (${atScaleOne(r.expected.nominalMs, scale)})` : ''}`]),
    r.deltaMs === undefined ? '' : `${r.deltaMs >= 0 ? '+' : ''}${Math.round(r.deltaMs)}`,
    r.slack ? `-${fmtMs(r.slack.earlyMs)}/+${fmtMs(r.slack.lateMs)}` : '',
    r.verdict === undefined ? (r.attempt && r.n > 1 && !r.expected ? 'EXTRA' : !r.attempt ? 'MISSING' : '') : r.verdict === 'ok' ? 'ok' : r.verdict === 'out' ? 'OUT' : '??',
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
    'slack: early 3 ms, late the base tolerance, each plus the runner event-loop lag measured at the two timestamps; ?? = within the slack, but the slack was too wide to tell',
    ...senderWaitLine(rows),
    ...(scale === undefined
      ? []
      : [
          `${patternSentence(
            rows.filter((r) => r.observedMs !== undefined).map((r) => r.observedMs!),
            rows.filter((r) => r.expected).map((r) => r.expected!.nominalMs / scale),
            scale,
          )}`,
        ]),
  ].join('\n')
}

/** The sender's measured wait for a CPU in each judged interval, when it was measured (one line). */
function senderWaitLine(rows: readonly TimelineRow[]): string[] {
  const measured = rows.filter((r) => r.slack?.senderWaitMs !== undefined)
  if (measured.length === 0) return []
  return [`sender-side lag, in the late side: the sender's processes waited for a CPU ${measured.map((r) => `${fmtMs(r.slack!.senderWaitMs)} ms before attempt ${r.n}`).join(', ')} (run queue, every thread; right after the answer and from the earliest due time on)`]
}

/** Precision of the judged rows, with the schedule fit when the profile has no jitter. */
export function rowsPrecision(rows: readonly TimelineRow[]): Precision | undefined {
  const judged = rows.filter((r) => r.verdict !== undefined && r.slack)
  if (judged.length === 0) return undefined
  const exact = judged.every((r) => r.gapMs![0] === r.gapMs![1])
  const fit = exact ? fitSchedule(judged.map((r) => ({ expectedMs: r.gapMs![1], observedMs: r.observedMs!, widthMs: r.slack!.earlyMs + r.slack!.lateMs }))) : undefined
  return { ...precisionOf(judged.map((r) => r.slack!)), ...(fit ? { fit } : {}) }
}

/** Every judged interval within its slack (evidence: the entries of the ones outside); times also at scale 1. */
export function intervalsCheck(rows: readonly TimelineRow[], name = 'retry intervals within the measured slack', scale?: number): Check {
  const judged = rows.filter((r) => r.verdict !== undefined)
  const bad = judged.filter((r) => r.verdict === 'out')
  const unsure = judged.filter((r) => r.verdict === 'unsure')
  const one = (ms: number | undefined): string => (scale === undefined || ms === undefined ? '' : ` (${atScaleOne(ms, scale)} at scale 1)`)
  const describe = (r: TimelineRow): string =>
    `attempt ${r.n} (#${r.attempt?.entryId ?? '?'}): ${fmtMs(r.observedMs)} ms${one(r.observedMs)} after the previous attempt ended, expected ${fmtGap(r)} ms${one(r.expected?.nominalMs)} (-${fmtMs(r.slack?.earlyMs)}/+${fmtMs(r.slack?.lateMs)})`
  const withIntervals = rows.filter((r) => r.observedMs !== undefined)
  const pattern =
    bad.length === 0 || scale === undefined
      ? ''
      : `. In all: ${patternSentence(
          withIntervals.map((r) => r.observedMs!),
          rows.filter((r) => r.expected).map((r) => r.expected!.nominalMs / scale),
          scale,
        )}`
  return {
    name,
    passed: bad.length === 0,
    expected: `${judged.length} intervals as in the profile`,
    observed: bad.length === 0 ? `${judged.length} intervals within their slack` : bad.map(describe).join('; ') + pattern,
    evidence: (bad.length ? bad : judged).flatMap((r) => (r.attempt ? [r.attempt.entryId] : [])),
    ...(bad.length === 0 && unsure.length > 0 ? { inconclusive: `${widenedBy(unsure)} widened the slack of ${unsure.map((r) => `attempt ${r.n} (#${r.attempt?.entryId ?? '?'}, ${fmtMs(r.observedMs)} ms)`).join(', ')} so far that a sender 10 % off would pass too` } : {}),
  }
}

/**
 * What widened the slack of the unsure rows, in words: the runner's event-loop lag, or the sender's
 * own wait for a CPU within the interval when that is what made the slack that wide.
 */
function widenedBy(unsure: readonly TimelineRow[]): string {
  const lag = Math.max(...unsure.map((r) => r.slack!.lagMs))
  const wait = Math.max(0, ...unsure.map((r) => r.slack!.senderWaitMs ?? 0))
  // lagMs holds the sender's wait when that was the larger figure: it then made most of it.
  if (wait > 0 && wait >= lag - wait) return `sender-side lag (the sender's processes waited ${fmtMs(wait)} ms for a CPU within the interval: machine load, measured in the run queue)`
  return `runner event-loop lag up to ${fmtMs(lag)} ms${wait >= 1 ? ` (the sender's processes also waited ${fmtMs(wait)} ms for a CPU within the interval)` : ''}`
}

/**
 * The schedule as a whole, fitted as observed = k x expected + c: the intervals are the profile's
 * stretched by a factor k (within 3 % of 1) plus a constant delay c per interval (within the slack).
 */
export function scheduleFitCheck(rows: readonly TimelineRow[]): Check | undefined {
  const p = rowsPrecision(rows)
  if (!p?.fit) return undefined
  const { k, kErr, c, n } = p.fit
  const evidence = rows.filter((r) => r.verdict !== undefined).flatMap((r) => (r.attempt ? [r.attempt.entryId] : []))
  const kOk = Math.abs(k - 1) <= SCALE_TOLERANCE
  const cOk = c >= -p.earlyMs && c <= p.lateMs
  return {
    name: 'schedule as a whole: the profile\'s intervals, neither stretched nor shifted (fit observed = k x expected + c)',
    passed: kOk && cOk,
    expected: `intervals ${100 - SCALE_TOLERANCE * 100}-${100 + SCALE_TOLERANCE * 100} % of the profile's (k), plus a constant delay of -${fmtMs(p.earlyMs)} to +${fmtMs(p.lateMs)} ms (c)`,
    observed: p.fit.sloped === false
      ? `constant delay ${c >= 0 ? '+' : ''}${c.toFixed(1)} ms (c) over ${n} intervals (k taken as 1: the intervals are equal, or too close together to tell a scale from a delay)`
      : `intervals ${(k * 100).toFixed(1)} % of the profile's (k = ${k.toFixed(4)} ± ${kErr.toFixed(4)}), constant delay ${c >= 0 ? '+' : ''}${c.toFixed(1)} ms (c), over ${n} intervals`,
    evidence,
    ...(kOk && cOk && kErr >= SCALE_TOLERANCE ? { inconclusive: `the fit's k is only known to ± ${kErr.toFixed(3)}` } : {}),
  }
}
