// Drawing only: a delivery's attempts on a time axis per cycle, and the failure-ratio gauge. Every
// number drawn (states, cycles, planned and expected times, the ratio) comes from GET /api/deliveries,
// computed once on the server (src/deliveries); nothing here decides what succeeded or what is due.
import { fmtMs, s } from './dom.js'
import { LANE_H, placeLabels } from './label-layout.js'

/** @typedef {import('../src/deliveries/types.js').Delivery} Delivery */
/** @typedef {import('../src/deliveries/types.js').DeliveryAttempt} DeliveryAttempt */
/** @typedef {import('../src/deliveries/types.js').ExpectedNext} ExpectedNext */
/** @typedef {import('../src/deliveries/types.js').FailureSummary} FailureSummary */
/** @typedef {import('../src/web/profile-view.js').ProfileView} ProfileView */

const LEFT = 78
const RIGHT = 16
/** Height of a row with one lane of labels; each further lane adds LANE_H. */
const ROW_H = 64
/** Narrowest drawing: below it the timeline scrolls sideways rather than squeeze its labels. */
export const MIN_TIMELINE_W = 320

/**
 * @param {number} spanMs
 * @param {number} maxTicks
 * @returns {number}
 */
function niceStep(spanMs, maxTicks) {
  const raw = spanMs / maxTicks
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000,
    60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000]
  return steps.find((st) => st >= raw) ?? 7_200_000
}

/**
 * @param {number} ms
 * @returns {string}
 */
function fmtTick(ms) {
  if (ms === 0) return '0'
  if (ms < 1000) return `${ms} ms`
  if (ms < 60_000) return `${+(ms / 1000).toFixed(2)} s`
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} min`
  return `${+(ms / 3_600_000).toFixed(1)} h`
}

/**
 * @typedef {object} CycleLine
 * @property {number} c
 * @property {number} origin
 * @property {number} span
 * @property {DeliveryAttempt[]} inCycle
 * @property {ExpectedNext[]} expected
 */

/**
 * The rows to draw: one per cycle with an attempt made or expected. The axis of cycle 1 starts at
 * attempt 1, a later one at the end of the previous cycle's last attempt; it is wide enough for the
 * cycle's planned intervals and everything observed or expected in it.
 * @param {Delivery} d
 * @param {ProfileView | null} profile
 * @param {number} nowMs
 * @returns {CycleLine[]}
 */
function layout(d, profile, nowMs) {
  const expected = [...(d.next ? [d.next] : []), ...d.projected]
  const cycles = new Set([...d.attempts.map((a) => a.cycle), ...expected.map((e) => e.cycle)])
  const live = d.state === 'retrying' || d.state === 'in-flight'
  /** @type {CycleLine[]} */
  const lines = []
  for (const c of [...cycles].sort((a, b) => a - b)) {
    const inCycle = d.attempts.filter((a) => a.cycle === c)
    const before = d.attempts.filter((a) => a.cycle < c)
    const lastBefore = before[before.length - 1]
    const origin = lastBefore ? (lastBefore.endedAt ?? lastBefore.startedAt) : (inCycle[0]?.startedAt ?? nowMs)
    const plannedSpan = (profile?.cycles[c - 1] ?? []).reduce((a, b) => a + b, 0)
    let endT = origin + plannedSpan
    for (const a of inCycle) endT = Math.max(endT, a.endedAt ?? nowMs, a.startedAt)
    const here = expected.filter((e) => e.cycle === c)
    for (const e of here) endT = Math.max(endT, e.at)
    if (live) endT = Math.max(endT, Math.min(nowMs, endT + plannedSpan))
    lines.push({ c, origin, span: Math.max(1, endT - origin) * 1.04, inCycle, expected: here })
  }
  return lines
}

/**
 * The labels of one row: every attempt's number at its mark, and the next expected attempt
 * (`#N?`), placed so that none overlaps another (label-layout.js).
 * @param {CycleLine} line
 * @param {Delivery} d
 * @param {(t: number) => number} x
 * @param {number} plotRight
 */
function rowLabels(line, d, x, plotRight) {
  const labels = line.inCycle.map((a) => ({ x: x(a.startedAt), text: String(a.attempt), cls: 'attempt-label', attempt: a.attempt }))
  for (const e of line.expected) {
    if (d.next !== null && e.attempt === d.next.attempt) labels.push({ x: x(e.at), text: `#${e.attempt}?`, cls: 'next-label', attempt: e.attempt })
  }
  return placeLabels(labels, LEFT + 1, plotRight - 1)
}

/**
 * One row per cycle reached: the cycle's attempts (filled marks: green ok, red failed, grey in
 * flight), the expected time of each (hollow ticks) and the attempts still expected (faint ticks,
 * the next one labelled). Drawn at `width` CSS pixels (the width it is shown at), so its text is
 * never scaled down; every attempt keeps its label, in as many lanes as they need.
 * @param {Delivery} d
 * @param {ProfileView | null} profile
 * @param {number} nowMs
 * @param {number} [width]
 * @returns {SVGElement}
 */
export function drawDeliveryTimeline(d, profile, nowMs, width = 960) {
  const W = Math.max(MIN_TIMELINE_W, Math.floor(width))
  const plotW = W - LEFT - RIGHT
  const lines = layout(d, profile, nowMs)
  const rows = lines.map((line) => {
    /** @param {number} t */
    const x = (t) => LEFT + ((t - line.origin) / line.span) * plotW
    return { line, x, labels: rowLabels(line, d, x, LEFT + plotW) }
  })
  const height = rows.reduce((sum, r) => sum + ROW_H + (r.labels.lanes - 1) * LANE_H, 0) + 8
  const svg = s('svg', {
    class: 'timeline',
    viewBox: `0 0 ${W} ${height}`,
    width: W,
    height,
    role: 'img',
    'aria-label': `timeline of ${d.attempts.length} attempts`,
  })
  let y0 = 6
  for (const { line, x, labels } of rows) {
    const rowH = ROW_H + (labels.lanes - 1) * LANE_H
    const axisY = y0 + rowH - 24
    const markY = axisY - 14
    const g = s('g', { class: `cycle-row cycle-${line.c}`, 'data-key': String(line.c) })
    g.appendChild(s('rect', { class: `band band-${line.c % 2}`, x: LEFT, y: y0, width: plotW, height: rowH - 10, rx: 3 }))
    g.appendChild(s('text', { class: 'cycle-label', x: 6, y: y0 + 18 }, `cycle ${line.c}`))
    const intervals = profile?.cycles[line.c - 1]
    const planned = intervals ? intervals.map(fmtMs).join(', ') : ''
    g.appendChild(s('text', { class: 'cycle-sub', x: 6, y: y0 + 32 }, intervals ? `${intervals.length} retries` : ''))
    g.appendChild(s('title', null, planned ? `cycle ${line.c}: intervals ${planned}` : `cycle ${line.c}`))
    g.appendChild(s('line', { class: 'axis', x1: LEFT, x2: LEFT + plotW, y1: axisY, y2: axisY }))
    const step = niceStep(line.span, Math.max(2, Math.floor(plotW / 110)))
    for (let t = 0; t <= line.span; t += step) {
      const tx = x(line.origin + t)
      g.appendChild(s('line', { class: 'tick', x1: tx, x2: tx, y1: axisY, y2: axisY + 4 }))
      g.appendChild(s('text', { class: 'tick-label', x: tx, y: axisY + 14, 'text-anchor': 'middle' }, fmtTick(t)))
    }
    if (nowMs >= line.origin && nowMs <= line.origin + line.span) {
      const nx = x(nowMs)
      g.appendChild(s('line', { class: 'now', x1: nx, x2: nx, y1: y0 + 2, y2: axisY }))
    }
    for (const e of line.expected) {
      const isNext = d.next !== null && e.attempt === d.next.attempt
      const gx = x(e.at)
      g.appendChild(s('line', { class: isNext ? 'expected next' : 'expected ghost', x1: gx, x2: gx, y1: y0 + 8, y2: axisY - 2 },
        s('title', null, `attempt ${e.attempt} expected ${isNext ? '' : '(projected) '}at +${fmtMs(e.at - line.origin)}`)))
    }
    for (const a of line.inCycle) {
      const sx = x(a.startedAt)
      if (a.expectedAt !== null) {
        const ex = x(a.expectedAt)
        g.appendChild(s('line', { class: 'deviation', x1: ex, x2: sx, y1: markY, y2: markY }))
        g.appendChild(s('line', { class: 'expected', x1: ex, x2: ex, y1: y0 + 8, y2: axisY - 2 },
          s('title', null, `attempt ${a.attempt} expected at +${fmtMs(a.expectedAt - line.origin)} (planned interval ${fmtMs(a.plannedIntervalMs)})`)))
      }
      const endX = x(a.endedAt ?? Math.max(a.startedAt, nowMs))
      const mark = s('g', { class: `mark-observed ${a.state}`, 'data-attempt': String(a.attempt) })
      mark.appendChild(s('rect', { class: 'duration', x: sx, y: markY - 5, width: Math.max(1.5, endX - sx), height: 10, rx: 2 }))
      mark.appendChild(s('circle', { cx: sx, cy: markY, r: 5 }))
      mark.appendChild(s('title', null,
        `attempt ${a.attempt} (cycle ${a.cycle}) → ${a.status ?? a.outcome}` +
        (a.plannedIntervalMs !== null ? `; planned interval ${fmtMs(a.plannedIntervalMs)}, actual ${fmtMs(a.actualIntervalMs)}` : '') +
        (a.fault ? `; fault: ${a.fault}` : '')))
      g.appendChild(mark)
    }
    for (const p of labels.placed) {
      const baseline = y0 + 12 + p.lane * LANE_H
      // A label moved off its mark, or lifted above other lanes, points at it.
      if (Math.abs(p.cx - p.x) > 1.5 || p.lane < labels.lanes - 1) {
        g.appendChild(s('line', { class: 'leader', x1: p.cx, x2: p.x, y1: baseline + 2, y2: markY - 6 }))
      }
      g.appendChild(s('text', { class: p.cls, x: p.cx, y: baseline, 'text-anchor': 'middle', 'data-attempt': String(p.attempt) }, p.text))
    }
    svg.appendChild(g)
    y0 += rowH
  }
  return svg
}

/**
 * A horizontal gauge of the failure ratio with the auto-disable line (when the profile has one).
 * @param {FailureSummary} info
 * @returns {SVGElement}
 */
export function drawGauge(info) {
  const w = 420
  const hgt = 46
  const left = 10
  const barW = w - 2 * left
  const svg = s('svg', { class: 'gauge', viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, role: 'img',
    'aria-label': `failure ratio ${Math.round(info.ratio * 100)} percent` })
  const level = info.tripped ? 'tripped' : info.atLine ? 'high' : 'low'
  svg.appendChild(s('rect', { class: 'gauge-track', x: left, y: 8, width: barW, height: 16, rx: 3 }))
  svg.appendChild(s('rect', { class: `gauge-fill ${level}`, x: left, y: 8, width: Math.max(0, barW * Math.min(1, info.ratio)), height: 16, rx: 3 }))
  if (info.threshold !== null) {
    const tx = left + barW * info.threshold
    svg.appendChild(s('line', { class: 'gauge-threshold', x1: tx, x2: tx, y1: 3, y2: 29 }))
    svg.appendChild(s('text', { class: 'gauge-label', x: tx, y: 42, 'text-anchor': 'middle' }, `${Math.round(info.threshold * 100)} %`))
  }
  svg.appendChild(s('text', { class: 'gauge-label', x: left, y: 42 }, '0'))
  svg.appendChild(s('text', { class: 'gauge-label', x: left + barW, y: 42, 'text-anchor': 'end' }, '100 %'))
  return svg
}
