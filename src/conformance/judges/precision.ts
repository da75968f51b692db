/**
 * How precisely a run could judge its times, from what was measured rather than guessed:
 * - per interval, a slack made of a small base (the sender's timer and connection setup; the
 *   tolerance) plus the runner's own event-loop lateness around the two timestamps (lag probe);
 * - per schedule, a least-squares fit observed = k x expected + c: k is the sender's time scale as
 *   the receiver saw it, c the constant overhead (connection setup, >= 0); a schedule whose
 *   intervals are all equal cannot tell k from c, and is judged on c alone (k = 1).
 * A judgement is inconclusive when the slack reaches what a sender 10 % off would move (or 1 s at
 * scale 1 for a 0 s interval): then passing would prove nothing.
 * @see docs/design.md "Conformance"
 */
import { lagAt, maxLag, type LagSample } from '../lag-probe.js'
import { waitedMoving, type WaitRead } from '../sender-wait.js'
import type { Precision, Tolerance } from '../types.js'

/** Early side of every slack, ms: a timer never fires early; the two stamps are each good to ~1 ms. */
export const EARLY_BASE_MS = 3

/** Stretch of the probe process's record that bounds an out-of-process sender's lateness, ms. */
export const MACHINE_WINDOW_MS = 500

/** Largest |k - 1| a schedule fit may show. */
export const SCALE_TOLERANCE = 0.03

/** The error of the smallest wrong sender a judge must catch (10 % of the value, or 1 s at scale 1 for 0). */
export function discriminationMs(expectedMs: number, timeScale: number): number {
  return expectedMs > 0 ? 0.1 * expectedMs : 1000 * timeScale
}

export interface Slack {
  /** How much earlier than expected still passes, ms. */
  earlyMs: number
  /** How much later than expected still passes, ms. */
  lateMs: number
  /** The runner's measured lateness that went into it, ms. */
  lagMs: number
  /**
   * The sender's own wait for a CPU within the interval, ms (its processes' run-queue wait, read on
   * Linux for a command sender; sender-wait.ts); absent when not measured.
   */
  senderWaitMs?: number
}

/** The sender's own wait for a CPU (sender-wait.ts), and the earliest its next action can be due (runner mono ms). */
export interface SenderWaitAt {
  reads: readonly WaitRead[]
  dueFromMono: number
}

/**
 * Slack of a time measured from a runner stamp at `fromMono` to one at `toMono`: a late `from` stamp
 * shortens it (early side); a late `to` stamp lengthens it (late side). When the sender runs in the
 * runner's process, a block just after `from` also delays the sender learning of the answer, and
 * its whole timer-connect-accept chain shares the loop: late side, both, summed. A sender in its own
 * process: its late side also takes the larger of a probe process's lateness and the sender's own
 * wait for a CPU (`sender`, where measured).
 */
export function slackBetween(tol: Tolerance, expectedMs: number, lag: readonly LagSample[], fromMono: number, toMono: number, inProcess = false, machineLag: readonly LagSample[] = [], sender?: SenderWaitAt): Slack {
  const combine = inProcess ? 'sum' : 'max'
  const lagFrom = lagAt(lag, fromMono, combine)
  const lagTo = lagAt(lag, toMono, combine)
  const rel = tol.rel * expectedMs
  // A sender in its own process is late when the machine is: the worst lateness of a probe process
  // just after the answer reached the sender and just before its next attempt was due (late side
  // only). Another process is not descheduled at the same instants, so this is a bound over a
  // stretch (MACHINE_WINDOW_MS), not a per-stamp figure.
  const probe = inProcess ? 0 : maxLag(machineLag, fromMono - 5, fromMono + MACHINE_WINDOW_MS) + maxLag(machineLag, toMono - MACHINE_WINDOW_MS, toMono + 5)
  // Measured on the sender itself, where it can be: how long its threads waited for a CPU where
  // that can have moved `to`. Both figures bound the same delay (the machine holding the sender
  // back), so the larger counts, not their sum.
  const senderWaitMs = inProcess || !sender ? undefined : waitedMoving(sender.reads, fromMono, toMono, sender.dueFromMono)
  const machine = Math.max(probe, senderWaitMs ?? 0)
  const lateLag = (inProcess ? lagFrom + lagTo : lagTo) + machine
  return { earlyMs: EARLY_BASE_MS + rel + lagFrom, lateMs: tol.absMs + rel + lateLag, lagMs: Math.max(lagFrom, lateLag), ...(senderWaitMs !== undefined ? { senderWaitMs } : {}) }
}

/** A least-squares line through (expected, observed). */
export interface ScheduleFit {
  k: number
  /** Standard error of k (0 when k was not fitted). */
  kErr: number
  /** Intercept, ms. */
  c: number
  n: number
  /**
   * False when the expected values do not spread enough to tell a scale from an offset (every
   * interval equal, as in a periodic schedule, or nearly so): k is then taken as 1, not measured,
   * and c is the weighted mean of observed - expected.
   */
  sloped: boolean
}

/**
 * Fits observed = k x expected + c by weighted least squares; undefined with fewer than 3 points. A
 * point's weight is 1 / (its slack width)², when given: an interval whose timestamps the runner's
 * event-loop lag made uncertain (seen: one 300 ms interval measured 80 ms late behind 94 ms of lag)
 * counts for little, and cannot drag k and c for the ones measured sharply. Without weights this is
 * the ordinary least-squares line (each point then weighs as one of slack width 1 ms).
 *
 * The slope is fitted only when the schedule can tell it: with residuals the size of each point's
 * slack width, k would be known to 1 / sqrt(Sxx) (Sxx the weighted spread of the expected values),
 * and that must be within SCALE_TOLERANCE. Otherwise (a periodic schedule: every interval equal,
 * Sxx a floating-point leftover; or intervals too close together for their slack) the fit keeps
 * k = 1 and judges the offset alone: a sender 10 % slow then shows as c = 10 % of the interval.
 */
export function fitSchedule(points: ReadonlyArray<{ expectedMs: number; observedMs: number; widthMs?: number }>): ScheduleFit | undefined {
  const usable = points.filter((p) => Number.isFinite(p.expectedMs) && Number.isFinite(p.observedMs))
  const w = usable.map((p) => (p.widthMs !== undefined && p.widthMs > 0 && Number.isFinite(p.widthMs) ? 1 / p.widthMs ** 2 : 1))
  const n = usable.length
  if (n < 3) return undefined
  const sw = w.reduce((s, x) => s + x, 0)
  const mx = usable.reduce((s, p, i) => s + w[i]! * p.expectedMs, 0) / sw
  const my = usable.reduce((s, p, i) => s + w[i]! * p.observedMs, 0) / sw
  let sxx = 0
  let sxy = 0
  usable.forEach((p, i) => {
    sxx += w[i]! * (p.expectedMs - mx) ** 2
    sxy += w[i]! * (p.expectedMs - mx) * (p.observedMs - my)
  })
  if (!(sxx * SCALE_TOLERANCE ** 2 >= 1)) return { k: 1, kErr: 0, c: my - mx, n, sloped: false }
  const k = sxy / sxx
  const c = my - k * mx
  const rss = usable.reduce((s, p, i) => s + w[i]! * (p.observedMs - (k * p.expectedMs + c)) ** 2, 0)
  const kErr = Math.sqrt(rss / Math.max(1, n - 2) / sxx)
  return { k, kErr, c, n, sloped: true }
}

const median = (xs: readonly number[]): number => {
  const a = [...xs].sort((x, y) => x - y)
  const m = Math.floor(a.length / 2)
  return a.length === 0 ? 0 : a.length % 2 ? a[m]! : (a[m - 1]! + a[m]!) / 2
}

/** The precision of a set of judged times. */
export function precisionOf(slacks: readonly Slack[]): Precision {
  return {
    judged: slacks.length,
    earlyMs: median(slacks.map((x) => x.earlyMs)),
    lateMs: median(slacks.map((x) => x.lateMs)),
    worstEarlyMs: Math.max(...slacks.map((x) => x.earlyMs)),
    worstLateMs: Math.max(...slacks.map((x) => x.lateMs)),
    lagMs: Math.max(...slacks.map((x) => x.lagMs)),
  }
}

/**
 * One line, e.g. "28 times judged to -3/+6 ms (median; worst -9/+14 ms with runner lag up to 8 ms),
 * schedule scale 1.003 ± 0.002, offset +1.1 ms over 5 intervals".
 */
export function describePrecision(p: Precision): string {
  const parts = [`${p.judged} time(s) judged to -${round1(p.earlyMs)}/+${round1(p.lateMs)} ms (median; worst -${round1(p.worstEarlyMs)}/+${round1(p.worstLateMs)} ms with runner lag up to ${round1(p.lagMs)} ms)`]
  if (p.fit) {
    const offset = `offset ${p.fit.c >= 0 ? '+' : ''}${round1(p.fit.c)} ms over ${p.fit.n} intervals`
    parts.push(p.fit.sloped === false ? `schedule ${offset} (no scale fitted: the intervals are equal, or too close together to tell a scale from an offset)` : `schedule scale ${p.fit.k.toFixed(3)} ± ${p.fit.kErr.toFixed(3)}, ${offset}`)
  }
  return parts.join(', ')
}

const round1 = (x: number): string => (Math.round(x * 10) / 10).toString()

/**
 * Merges the precision of several judgements: medians weighted by count, worst of the worst, and the
 * fit with the most intervals.
 */
export function mergePrecision(list: ReadonlyArray<Precision | undefined>): Precision | undefined {
  const ps = list.filter((p): p is Precision => p !== undefined && p.judged > 0)
  if (ps.length === 0) return undefined
  const weighted = (f: (p: Precision) => number): number => ps.reduce((s, p) => s + f(p) * p.judged, 0) / ps.reduce((s, p) => s + p.judged, 0)
  const fits = ps.flatMap((p) => (p.fit ? [p.fit] : [])).sort((a, b) => b.n - a.n)
  return {
    judged: ps.reduce((s, p) => s + p.judged, 0),
    earlyMs: weighted((p) => p.earlyMs),
    lateMs: weighted((p) => p.lateMs),
    worstEarlyMs: Math.max(...ps.map((p) => p.worstEarlyMs)),
    worstLateMs: Math.max(...ps.map((p) => p.worstLateMs)),
    lagMs: Math.max(...ps.map((p) => p.lagMs)),
    ...(fits[0] ? { fit: fits[0] } : {}),
  }
}
