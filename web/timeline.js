// Deliveries, their attempts against the expected schedule, and the failure-ratio gauge.
// Pure analysis first (no DOM), drawing after. All times are wall-clock ms from journal entries.
import { fmtMs, s } from './dom.js'

// ---------------------------------------------------------------- analysis

/** Intervals of the profile, flattened: the interval that precedes attempt n is flat[n - 2]. */
export function flatIntervals(profile) {
  const out = []
  if (!profile) return out
  profile.cycles.forEach((cycle, c) => {
    cycle.forEach((ms, i) => out.push({ ms, cycle: c + 1, index: i }))
  })
  return out
}

/** The cycle an attempt belongs to: attempt 1 and the retries of cycle 1 are cycle 1. */
export function cycleOf(profile, attempt) {
  if (attempt <= 1) return 1
  const flat = flatIntervals(profile)
  const iv = flat[attempt - 2]
  return iv ? iv.cycle : flat.length ? flat[flat.length - 1].cycle : 1
}

/** True when the exchange ended with a status the profile counts as success. */
export function isSuccess(entry, profile) {
  if (entry.outcome !== 'answered' || typeof entry.status !== 'number') return false
  const ranges = profile ? profile.successStatus : [[200, 299]]
  return ranges.some(([lo, hi]) => entry.status >= lo && entry.status <= hi)
}

/** `ok`, `fail` or `pending` for one journal entry. */
export function entryState(entry, profile) {
  if (entry.outcome === 'pending') return 'pending'
  return isSuccess(entry, profile) ? 'ok' : 'fail'
}

/**
 * Groups request entries into deliveries: same tag and same body bytes, a new delivery whenever the
 * receiver counts attempt 1 again. Returns deliveries oldest first.
 */
export function groupDeliveries(entries) {
  const open = new Map()
  const deliveries = []
  const sorted = [...entries].filter((e) => e.kind === 'request' && typeof e.tag === 'string')
  sorted.sort((a, b) => a.id - b.id)
  for (const entry of sorted) {
    const key = `${entry.tag}\u0000${entry.bodySize ?? ''}\u0000${entry.body ?? ''}`
    let delivery = open.get(key)
    if (!delivery || entry.attempt === 1) {
      delivery = { key: `${key}\u0000${entry.id}`, firstId: entry.id, tag: entry.tag, attempts: [] }
      open.set(key, delivery)
      deliveries.push(delivery)
    }
    delivery.attempts.push(entry)
  }
  return deliveries
}

/**
 * Compares one delivery's attempts with the profile. Each row: attempt number, cycle, planned
 * interval (from the end of the previous attempt), actual interval, the time it was expected at.
 * `next` is the attempt the schedule expects after a failed one (for the countdown).
 */
export function analyseDelivery(delivery, profile, nowMs) {
  const flat = flatIntervals(profile)
  const attempts = [...delivery.attempts].sort((a, b) => a.receivedAt - b.receivedAt)
  const rows = []
  let prev
  attempts.forEach((entry, i) => {
    const n = typeof entry.attempt === 'number' ? entry.attempt : i + 1
    const iv = n >= 2 ? flat[n - 2] : undefined
    const prevEnd = prev && typeof prev.endedAt === 'number' ? prev.endedAt : undefined
    const row = {
      n,
      cycle: profile ? cycleOf(profile, n) : 1,
      entry,
      state: entryState(entry, profile),
      start: entry.receivedAt,
      end: typeof entry.endedAt === 'number' ? entry.endedAt : undefined,
      plannedMs: iv ? iv.ms : undefined,
      actualMs: prevEnd !== undefined ? entry.receivedAt - prevEnd : undefined,
      expectedAt: iv && prevEnd !== undefined ? prevEnd + iv.ms : undefined,
    }
    rows.push(row)
    prev = entry
  })
  const last = rows[rows.length - 1]
  let status = 'pending'
  let next
  if (last) {
    if (last.state === 'ok') status = 'delivered'
    else if (last.state === 'pending') status = 'in-flight'
    else if (profile && last.n >= profile.maxAttempts) status = 'dropped'
    else if (!profile) status = 'failed'
    else {
      status = 'retrying'
      const iv = flat[last.n - 1]
      if (iv && last.end !== undefined) {
        next = { n: last.n + 1, cycle: iv.cycle, plannedMs: iv.ms, at: last.end + iv.ms }
        // Long overdue: the sender stopped (given up, disabled, or gone).
        const graceMs = Math.max(2000, iv.ms * 0.5, profile.requestTimeoutMs)
        if (nowMs - next.at > graceMs) status = 'stopped'
      }
    }
  }
  return { delivery, rows, status, next, tag: delivery.tag }
}

/**
 * The integration's failure ratio over the profile's auto-disable window (or every attempt seen when
 * the profile has none). Pending exchanges are not counted yet.
 */
export function failureRatio(entries, profile, nowMs) {
  const rule = profile ? profile.autoDisable : null
  const since = rule ? nowMs - rule.windowMs : -Infinity
  let attempts = 0
  let failed = 0
  for (const entry of entries) {
    if (entry.outcome === 'pending') continue
    if (entry.receivedAt < since) continue
    attempts++
    if (!isSuccess(entry, profile)) failed++
  }
  const threshold = rule ? rule.failureRatio : 0.6
  const minAttempts = rule ? rule.minAttempts : 0
  const ratio = attempts ? failed / attempts : 0
  return {
    attempts,
    failed,
    ratio,
    threshold,
    minAttempts,
    windowMs: rule ? rule.windowMs : undefined,
    tripped: attempts >= minAttempts && attempts > 0 && ratio >= threshold,
  }
}

// ---------------------------------------------------------------- drawing

const W = 960
const LEFT = 78
const RIGHT = 16
const ROW_H = 64

function niceStep(spanMs, maxTicks) {
  const raw = spanMs / maxTicks
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000,
    60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 7_200_000]
  return steps.find((st) => st >= raw) ?? steps[steps.length - 1]
}

function fmtTick(ms) {
  if (ms === 0) return '0'
  if (ms < 1000) return `${ms} ms`
  if (ms < 60_000) return `${+(ms / 1000).toFixed(2)} s`
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} min`
  return `${+(ms / 3_600_000).toFixed(1)} h`
}

/**
 * One row per cycle reached: the cycle's attempts (filled marks: green delivered, red failed, grey
 * in flight) on a time axis that starts where the cycle's first interval starts, the expected time of
 * each attempt (hollow ticks: end of the previous attempt + planned interval), and the remaining
 * attempts of the cycle projected as faint ticks (assuming each fails at once).
 */
export function drawDeliveryTimeline(analysis, profile, nowMs) {
  const { rows, next } = analysis
  const flat = flatIntervals(profile)
  const cycleCount = profile ? profile.cycles.length : 1
  const lines = []
  for (let c = 1; c <= cycleCount; c++) {
    const inCycle = rows.filter((r) => r.cycle === c)
    const nextHere = next && next.cycle === c ? next : undefined
    if (!inCycle.length && !nextHere) continue
    // Origin: cycle 1 starts at attempt 1; later cycles at the end of the previous cycle's last attempt.
    let origin
    if (c === 1) origin = rows[0] ? rows[0].start : nowMs
    else {
      const before = rows.filter((r) => r.cycle === c - 1)
      const lastBefore = before[before.length - 1]
      origin = lastBefore ? (lastBefore.end ?? lastBefore.start) : (inCycle[0] ? inCycle[0].start : nowMs)
    }
    // Projected expected times for the rest of the cycle, from the latest known end.
    const ghosts = []
    const lastRow = rows[rows.length - 1]
    if (profile && lastRow && (analysis.status === 'retrying' || analysis.status === 'in-flight')) {
      let t = lastRow.end ?? nowMs
      for (let n = lastRow.n + 1; n <= profile.maxAttempts; n++) {
        const iv = flat[n - 2]
        if (!iv) break
        t += iv.ms
        if (iv.cycle === c) ghosts.push({ n, at: t, isNext: next !== undefined && n === next.n })
        if (iv.cycle > c) break
      }
    }
    const plannedSpan = profile && profile.cycles[c - 1] ? profile.cycles[c - 1].reduce((a, b) => a + b, 0) : 0
    let endT = origin + plannedSpan
    for (const r of inCycle) endT = Math.max(endT, r.end ?? nowMs, r.start)
    for (const g of ghosts) endT = Math.max(endT, g.at)
    if (analysis.status === 'retrying' || analysis.status === 'in-flight') {
      if (inCycle.length || nextHere) endT = Math.max(endT, Math.min(nowMs, endT + plannedSpan))
    }
    const span = Math.max(1, endT - origin) * 1.04
    lines.push({ c, origin, span, inCycle, ghosts })
  }

  const height = lines.length * ROW_H + 8
  const svg = s('svg', {
    class: 'timeline',
    viewBox: `0 0 ${W} ${height}`,
    width: '100%',
    height,
    role: 'img',
    'aria-label': `timeline of ${rows.length} attempts`,
  })
  const plotW = W - LEFT - RIGHT
  lines.forEach((line, li) => {
    const y0 = li * ROW_H + 6
    const axisY = y0 + 40
    const x = (t) => LEFT + ((t - line.origin) / line.span) * plotW
    const g = s('g', { class: `cycle-row cycle-${line.c}`, 'data-key': String(line.c) })
    g.appendChild(s('rect', { class: `band band-${line.c % 2}`, x: LEFT, y: y0, width: plotW, height: ROW_H - 10, rx: 3 }))
    g.appendChild(s('text', { class: 'cycle-label', x: 6, y: y0 + 18 }, `cycle ${line.c}`))
    const planned = profile && profile.cycles[line.c - 1] ? profile.cycles[line.c - 1].map(fmtMs).join(', ') : ''
    g.appendChild(s('text', { class: 'cycle-sub', x: 6, y: y0 + 32 }, planned ? `${profile.cycles[line.c - 1].length} retries` : ''))
    g.appendChild(s('title', null, planned ? `cycle ${line.c}: intervals ${planned}` : `cycle ${line.c}`))
    // axis
    g.appendChild(s('line', { class: 'axis', x1: LEFT, x2: LEFT + plotW, y1: axisY, y2: axisY }))
    const step = niceStep(line.span, 8)
    for (let t = 0; t <= line.span; t += step) {
      const tx = x(line.origin + t)
      g.appendChild(s('line', { class: 'tick', x1: tx, x2: tx, y1: axisY, y2: axisY + 4 }))
      g.appendChild(s('text', { class: 'tick-label', x: tx, y: axisY + 14, 'text-anchor': 'middle' }, fmtTick(t)))
    }
    // now
    if (nowMs >= line.origin && nowMs <= line.origin + line.span) {
      const nx = x(nowMs)
      g.appendChild(s('line', { class: 'now', x1: nx, x2: nx, y1: y0 + 2, y2: axisY }))
    }
    // ghosts (projected expected attempts not made yet)
    for (const ghost of line.ghosts) {
      const gx = x(ghost.at)
      g.appendChild(s('line', { class: ghost.isNext ? 'expected next' : 'expected ghost', x1: gx, x2: gx, y1: y0 + 8, y2: axisY - 2 },
        s('title', null, `attempt ${ghost.n} expected ${ghost.isNext ? '' : '(projected) '}at +${fmtMs(ghost.at - line.origin)}`)))
      if (ghost.isNext) g.appendChild(s('text', { class: 'next-label', x: gx + 3, y: y0 + 14 }, `#${ghost.n}?`))
    }
    // observed attempts with their expected time
    let lastLabelX = -Infinity
    for (const r of line.inCycle) {
      const sx = x(r.start)
      if (r.expectedAt !== undefined) {
        const ex = x(r.expectedAt)
        g.appendChild(s('line', { class: 'deviation', x1: ex, x2: sx, y1: axisY - 14, y2: axisY - 14 }))
        g.appendChild(s('line', { class: 'expected', x1: ex, x2: ex, y1: y0 + 8, y2: axisY - 2 },
          s('title', null, `attempt ${r.n} expected at +${fmtMs(r.expectedAt - line.origin)} (planned interval ${fmtMs(r.plannedMs)})`)))
      }
      const endX = x(r.end ?? Math.max(r.start, nowMs))
      const mark = s('g', { class: `mark-observed ${r.state}`, 'data-attempt': String(r.n) })
      mark.appendChild(s('rect', { class: 'duration', x: sx, y: axisY - 19, width: Math.max(1.5, endX - sx), height: 10, rx: 2 }))
      mark.appendChild(s('circle', { cx: sx, cy: axisY - 14, r: 5 }))
      const statusText = r.entry.status !== undefined ? String(r.entry.status) : r.entry.outcome
      mark.appendChild(s('title', null,
        `attempt ${r.n} (cycle ${r.cycle}) → ${statusText}` +
        (r.plannedMs !== undefined ? `; planned interval ${fmtMs(r.plannedMs)}, actual ${fmtMs(r.actualMs)}` : '') +
        (r.entry.fault ? `; fault: ${r.entry.fault.explain}` : '')))
      g.appendChild(mark)
      if (sx - lastLabelX >= 16) {
        g.appendChild(s('text', { class: 'attempt-label', x: sx, y: y0 + 14, 'text-anchor': 'middle' }, String(r.n)))
        lastLabelX = sx
      }
    }
    svg.appendChild(g)
  })
  return svg
}

/** A horizontal gauge of the failure ratio with the auto-disable line. */
export function drawGauge(info) {
  const w = 420
  const hgt = 46
  const left = 10
  const barW = w - 2 * left
  const svg = s('svg', { class: 'gauge', viewBox: `0 0 ${w} ${hgt}`, width: w, height: hgt, role: 'img',
    'aria-label': `failure ratio ${Math.round(info.ratio * 100)} percent` })
  const state = info.tripped ? 'tripped' : info.ratio >= info.threshold ? 'high' : 'low'
  svg.appendChild(s('rect', { class: 'gauge-track', x: left, y: 8, width: barW, height: 16, rx: 3 }))
  svg.appendChild(s('rect', { class: `gauge-fill ${state}`, x: left, y: 8, width: Math.max(0, barW * Math.min(1, info.ratio)), height: 16, rx: 3 }))
  const tx = left + barW * info.threshold
  svg.appendChild(s('line', { class: 'gauge-threshold', x1: tx, x2: tx, y1: 3, y2: 29 }))
  svg.appendChild(s('text', { class: 'gauge-label', x: tx, y: 42, 'text-anchor': 'middle' }, `${Math.round(info.threshold * 100)} %`))
  svg.appendChild(s('text', { class: 'gauge-label', x: left, y: 42 }, '0'))
  svg.appendChild(s('text', { class: 'gauge-label', x: left + barW, y: 42, 'text-anchor': 'end' }, '100 %'))
  return svg
}
