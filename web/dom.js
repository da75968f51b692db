// DOM helpers for the fake-fluentd page. Data from requests is attacker-controlled by design, so it
// only ever reaches the document as text nodes or as values of a fixed set of harmless attributes.
// Nothing in this page assigns innerHTML/outerHTML, calls insertAdjacentHTML or document.write, or
// builds URLs from data; the CSP (script-src 'self', Trusted Types) backs this up.

const SVG_NS = 'http://www.w3.org/2000/svg'

// Attributes the page sets. Event handlers (on*), href/src/style and the like are refused outright.
const SAFE_ATTRIBUTES = new Set([
  'class', 'id', 'title', 'role', 'type', 'value', 'placeholder', 'for', 'name', 'rows', 'cols',
  'spellcheck', 'disabled', 'hidden', 'colspan', 'tabindex', 'open', 'datetime', 'lang',
  'aria-label', 'aria-expanded', 'aria-live', 'aria-controls', 'aria-hidden', 'data-id', 'data-state',
  'data-key', 'data-attempt', 'data-preset', 'data-testid',
  // SVG geometry and presentation
  'viewBox', 'width', 'height', 'x', 'y', 'x1', 'x2', 'y1', 'y2', 'cx', 'cy', 'r', 'rx', 'ry',
  'points', 'd', 'text-anchor', 'dominant-baseline', 'preserveAspectRatio', 'transform',
])

/** @typedef {Record<string, string | number | boolean | null | undefined> | null | undefined} Attrs */
/** @typedef {Node | string | number | boolean | null | undefined | ReadonlyArray<unknown>} Child */

/**
 * @param {Element} node
 * @param {Attrs} attrs
 */
function setAttributes(node, attrs) {
  if (!attrs) return
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue
    if (!SAFE_ATTRIBUTES.has(name)) throw new Error(`refusing to set attribute ${name}`)
    node.setAttribute(name, value === true ? '' : String(value))
  }
}

/**
 * @param {Node} node
 * @param {Child[]} children
 */
function append(node, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue
    if (Array.isArray(child)) append(node, child)
    else if (child instanceof Node) node.appendChild(child)
    else node.appendChild(document.createTextNode(String(child)))
  }
}

/**
 * An HTML element; strings among the children become text nodes, never markup.
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag)
  setAttributes(node, attrs)
  append(node, children)
  return node
}

/**
 * An SVG element, same rules as h().
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...Child} children
 * @returns {SVGElement}
 */
export function s(tag, attrs, ...children) {
  const node = /** @type {SVGElement} */ (document.createElementNS(SVG_NS, tag))
  setAttributes(node, attrs)
  append(node, children)
  return node
}

/**
 * Replaces the children of `node` (text only for strings).
 * @param {Element} node
 * @param {...Child} children
 */
export function setChildren(node, ...children) {
  node.replaceChildren()
  append(node, children)
}

/**
 * Sets the text of `node` (no markup is ever parsed).
 * @param {Node | undefined} node
 * @param {unknown} value
 */
export function setText(node, value) {
  if (!node) return
  const text = value === undefined || value === null ? '' : String(value)
  if (node.textContent !== text) node.textContent = text
}

/**
 * A duration for people: `850 ms`, `3.2 s`, `1 min 30 s`, `2 h 5 min`.
 * @param {number | null | undefined} ms
 * @returns {string}
 */
export function fmtMs(ms) {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '—'
  const sign = ms < 0 ? '−' : ''
  const a = Math.abs(ms)
  if (a < 1000) return `${sign}${Math.round(a)} ms`
  if (a < 10_000) return `${sign}${(a / 1000).toFixed(2)} s`
  if (a < 60_000) return `${sign}${(a / 1000).toFixed(1)} s`
  if (a < 3_600_000) {
    const m = Math.floor(a / 60_000)
    const sec = Math.round((a - m * 60_000) / 1000)
    return sec ? `${sign}${m} min ${sec} s` : `${sign}${m} min`
  }
  const hr = Math.floor(a / 3_600_000)
  const min = Math.round((a - hr * 3_600_000) / 60_000)
  return min ? `${sign}${hr} h ${min} min` : `${sign}${hr} h`
}

/**
 * Wall-clock time of day with milliseconds, local time.
 * @param {number} wallMs
 * @returns {string}
 */
export function fmtClock(wallMs) {
  if (!Number.isFinite(wallMs)) return '—'
  const d = new Date(wallMs)
  /** @type {(n: number, w?: number) => string} */
  const p = (n, w = 2) => String(n).padStart(w, '0')
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
}
