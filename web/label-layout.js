// Where the timeline's labels go so that none overlaps another and none is dropped, however close
// the attempts they name (a sender retrying at once, a burst of connection resets): each label
// keeps its mark's x when it can, is pushed sideways (with a leader line drawn to its mark) when it
// cannot, and rows of labels (lanes) are added until every label fits within the plot. Pure layout
// in CSS pixels: the timeline is drawn at the width it is shown, so the font is never scaled.

/** Width of one character of a timeline label (10.5 px monospace, 0.6 em advance, rounded up). */
export const LABEL_CHAR_W = 6.6
/** Free space between two labels in one lane. */
export const LABEL_GAP = 4
/** Height of one lane of labels. */
export const LANE_H = 13
/** A label moved further than this from its mark asks for another lane (up to PREFERRED_LANES). */
const MAX_SHIFT = 10
const PREFERRED_LANES = 3

/**
 * @typedef {object} LabelItem
 * @property {number} x    where the mark is
 * @property {string} text
 */

/** @typedef {{ cx: number, lane: number, w: number }} Placement  the label's centre, its lane (0 = top) and width */

/** @param {string} text */
export function labelWidth(text) {
  return text.length * LABEL_CHAR_W + 2
}

/**
 * Centres for labels in one lane, in the order given (sorted by x), within [minX, maxX]: pushed
 * right past their left neighbour, then pulled back left from the right edge. Null when they
 * cannot all fit side by side.
 * @param {Array<{ x: number, w: number }>} items
 * @param {number} minX
 * @param {number} maxX
 * @returns {number[] | null}
 */
function dodge(items, minX, maxX) {
  const total = items.reduce((sum, it) => sum + it.w, 0) + Math.max(0, items.length - 1) * LABEL_GAP
  if (total > maxX - minX) return null
  const cx = []
  let right = minX - LABEL_GAP
  for (const it of items) {
    const c = Math.max(it.x, right + LABEL_GAP + it.w / 2, minX + it.w / 2)
    cx.push(c)
    right = c + it.w / 2
  }
  let left = maxX + LABEL_GAP
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]
    const c = Math.min(cx[i], left - LABEL_GAP - it.w / 2)
    cx[i] = c
    left = c - it.w / 2
  }
  return cx
}

/**
 * Lays `labels` out in as few lanes as keep every label within MAX_SHIFT of its mark (at most
 * PREFERRED_LANES), or, when that many lanes cannot, in the fewest lanes where they all fit
 * (more lanes when even PREFERRED_LANES cannot hold them side by side): no label is ever dropped.
 * @template {LabelItem} T
 * @param {T[]} labels
 * @param {number} minX
 * @param {number} maxX
 * @returns {{ lanes: number, placed: Array<T & Placement> }}
 */
export function placeLabels(labels, minX, maxX) {
  const items = labels.map((l) => ({ ...l, w: labelWidth(l.text) })).sort((a, b) => a.x - b.x)
  if (items.length === 0) return { lanes: 1, placed: [] }
  /** @type {{ lanes: number, placed: Array<T & Placement>, shift: number } | null} */
  let best = null
  for (let lanes = 1; lanes <= items.length; lanes++) {
    const placed = tryLanes(items, lanes, minX, maxX)
    if (!placed) continue
    const shift = Math.max(...placed.map((p) => Math.abs(p.cx - p.x)))
    if (!best || shift < best.shift - 0.5) best = { lanes, placed, shift }
    if (shift <= MAX_SHIFT || lanes >= PREFERRED_LANES) break
  }
  // Wider than the plot even one label per lane: the plot is narrower than one label.
  if (!best) return { lanes: items.length, placed: items.map((it, i) => ({ ...it, cx: minX + it.w / 2, lane: i })) }
  return { lanes: best.lanes, placed: best.placed }
}

/**
 * Item i (in x order) goes to lane i mod `lanes`; null when a lane cannot hold its labels.
 * @template {LabelItem & { w: number }} T
 * @param {T[]} items
 * @param {number} lanes
 * @param {number} minX
 * @param {number} maxX
 * @returns {Array<T & Placement> | null}
 */
function tryLanes(items, lanes, minX, maxX) {
  /** @type {Array<T & Placement>} */
  const placed = []
  for (let lane = 0; lane < lanes; lane++) {
    const mine = items.filter((_, i) => i % lanes === lane)
    const cx = dodge(mine, minX, maxX)
    if (!cx) return null
    mine.forEach((it, i) => placed.push({ ...it, cx: cx[i], lane }))
  }
  return placed
}
