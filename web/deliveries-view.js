// Deliveries, the failure-ratio gauge and the profile line, drawn from /api/deliveries and
// /api/profile as the server computed them; this file decides nothing about success or schedules.
import { $, fetchJson } from './api.js'
import { fmtClock, fmtMs, h, setChildren, setText } from './dom.js'
import { drawDeliveryTimeline, drawGauge } from './timeline.js'

/** @typedef {import('../src/deliveries/types.js').DeliveriesView} DeliveriesView */
/** @typedef {import('../src/deliveries/types.js').Delivery} Delivery */
/** @typedef {import('../src/web/profile-view.js').ProfileView} ProfileView */
/** @typedef {import('../src/web/mount.js').WebSenderState} WebSenderState */

const MAX_DELIVERIES = 12

const state = {
  /** @type {ProfileView | null} */
  profile: null,
  /** @type {WebSenderState | null} */
  sender: null,
  /** @type {DeliveriesView | null} */
  view: null,
  /** Server clock minus this browser's, ms (the countdowns use the server's times). */
  skew: 0,
}

/** True while a delivery is retrying or in flight (its state may change with time alone). */
export function anyLive() {
  return state.view?.deliveries.some((d) => d.state === 'retrying' || d.state === 'in-flight') ?? false
}

export async function loadProfile() {
  try {
    const r = await fetchJson('/api/profile')
    if (r.ok && r.body) {
      state.profile = r.body.profile ?? null
      if (r.body.caption) setText($('caption'), r.body.caption)
    }
  } catch {
    state.profile = null
  }
  renderProfile()
  scheduleDeliveries()
}

export async function loadSender() {
  try {
    const r = await fetchJson('/api/sender')
    const next = r.ok && r.body ? r.body.sender ?? null : null
    const changed = JSON.stringify(next) !== JSON.stringify(state.sender)
    state.sender = next
    if (changed) { renderSender(); scheduleDeliveries() }
  } catch {
    // Optional information: the page works without it.
  }
}

let deliveriesTimer = 0
let deliveriesBusy = false
/** Fetches /api/deliveries soon (changes come in bursts: one fetch for a burst). */
export function scheduleDeliveries() {
  if (deliveriesTimer) return
  deliveriesTimer = window.setTimeout(() => {
    deliveriesTimer = 0
    void loadDeliveries()
  }, 150)
}

async function loadDeliveries() {
  if (deliveriesBusy) { scheduleDeliveries(); return }
  deliveriesBusy = true
  try {
    const r = await fetchJson(`/api/deliveries?limit=${MAX_DELIVERIES}`)
    if (r.ok && r.body) {
      state.view = r.body
      state.skew = r.body.now - Date.now()
      renderTimelines()
      renderGauge()
    }
  } catch {
    // Retried on the next change or tick.
  } finally {
    deliveriesBusy = false
  }
}

function renderSender() {
  const node = $('sender')
  const snd = state.sender
  node.hidden = !snd
  if (!snd) return
  node.dataset.state = snd.disabled ? 'disabled' : 'active'
  const w = snd.window
  const windowText = w ? `${w.failed} of ${w.attempts} attempts in its window failed (${Math.round(w.failureRatio * 100)} %)` : ''
  setText(node, snd.disabled
    ? `Integration disabled by the auto-disable rule: ${windowText}; every pending retry was cancelled.`
    : `Reference sender (this demo): active${windowText ? ` · ${windowText}` : ''}`)
}


/** @type {Record<Delivery['state'], string>} */
const STATUS_TEXT = {
  delivered: 'delivered',
  retrying: 'retrying',
  'in-flight': 'attempt in flight',
  dropped: 'dropped after the last cycle',
  stopped: 'stopped retrying',
  'one-off': 'one attempt, not retried',
  cancelled: 'cancelled: integration disabled',
  failed: 'failed',
}

/** The server's "now" as this browser sees it. */
const serverNow = () => Date.now() + state.skew

function renderTimelines() {
  const view = state.view
  if (!view) return
  const now = serverNow()
  drawnWidth = $('deliveries').clientWidth
  const cards = [...view.deliveries].reverse().map((d) => deliveryCard(d, now))
  setChildren($('deliveries'), cards.length ? cards : h('p', { class: 'muted' }, 'No delivery yet. Attempts of the same notification (same tag, same body) are grouped here.'))
  updateCountdowns()
}

/**
 * @param {Delivery} d
 * @param {number} now
 */
function deliveryCard(d, now) {
  const rows = d.attempts.map((a) =>
    h('tr', { 'data-state': a.state },
      h('td', null, String(a.attempt)),
      h('td', null, String(a.cycle)),
      h('td', null, fmtMs(a.plannedIntervalMs)),
      h('td', null, fmtMs(a.actualIntervalMs)),
      h('td', null, fmtMs(a.deviationMs)),
      h('td', { class: a.state }, a.status !== null ? String(a.status) : a.outcome),
      h('td', null, a.fault ?? '')))
  const countdown = h('span', { class: 'countdown' })
  if (d.next) {
    countdown.dataset.at = String(d.next.at)
    countdown.dataset.n = String(d.next.attempt)
    countdown.dataset.cycle = String(d.next.cycle)
  }
  const first = d.attempts[0]
  return h('article', { class: 'delivery', 'data-key': d.id, 'data-state': d.state, 'data-testid': 'delivery' },
    h('header', null,
      h('strong', { class: 'delivery-tag' }, d.tag ?? '(no tag)'),
      h('span', { class: 'muted' }, ` · ${d.attempts.length} attempt${d.attempts.length === 1 ? '' : 's'} · first at ${first ? fmtClock(first.startedAt) : '—'}`),
      h('span', { class: `delivery-status ${d.state}` }, STATUS_TEXT[d.state] ?? d.state),
      countdown),
    drawDeliveryTimeline(d, state.profile, now, $('deliveries').clientWidth),
    h('details', { class: 'attempts' },
      h('summary', null, 'attempts: planned vs actual interval'),
      h('table', null,
        h('thead', null, h('tr', null, ['#', 'cycle', 'planned', 'actual', 'deviation', 'status', 'fault'].map((t) => h('th', null, t)))),
        h('tbody', null, rows))))
}

// The timelines are drawn at the width they are shown (their text is never scaled): draw them again
// when that width changes (a resized window, the browser's zoom).
let drawnWidth = 0
let resizeTimer = 0
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer)
  resizeTimer = window.setTimeout(() => {
    const width = $('deliveries').clientWidth
    if (width !== drawnWidth) renderTimelines()
  }, 100)
})

export function updateCountdowns() {
  const now = serverNow()
  for (const node of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.countdown'))) {
    const at = Number(node.dataset.at)
    if (!node.dataset.at || !Number.isFinite(at)) { setText(node, ''); continue }
    const left = at - now
    setText(node, left >= 0
      ? `next: attempt ${node.dataset.n} (cycle ${node.dataset.cycle}) in ${fmtMs(left)}`
      : `attempt ${node.dataset.n} overdue by ${fmtMs(-left)}`)
  }
}

// ---------------------------------------------------------------- gauge and profile

function renderGauge() {
  const info = state.view?.failure
  if (!info) return
  setChildren($('gauge'), drawGauge(info))
  const pct = Math.round(info.ratio * 100)
  const windowText = info.windowMs !== null ? `in the last ${fmtMs(info.windowMs)}` : 'so far'
  const judged = info.minAttempts ? ` · the disable rule applies once the window holds ${info.minAttempts} attempts` : ''
  setText($('gauge-text'), `${info.failed} of ${info.attempts} attempts failed (${pct} %) ${windowText}${judged}`)
  const verdict = $('gauge-verdict')
  verdict.dataset.state = info.tripped ? 'tripped' : 'ok'
  setText(verdict, info.threshold === null
    ? 'the profile never disables the integration'
    : info.tripped
      ? `≥ ${Math.round(info.threshold * 100)} %: the integration would be disabled`
      : info.attemptsNeeded > 0 ? `${info.attemptsNeeded} more attempts before the rule applies` : 'below the disable line')
}

function renderProfile() {
  const p = state.profile
  const node = $('profile')
  if (!p) { setText(node, 'No retry profile: attempts are shown without an expected schedule.'); return }
  setChildren(node,
    h('strong', null, p.name),
    p.timeScale !== 1 ? ` at time scale ${p.timeScale}` : '',
    ' · ',
    p.cycles.map((c, i) => `cycle ${i + 1}: ${c.map(fmtMs).join(', ')}`).join(' · '),
    ` · request timeout ${fmtMs(p.requestTimeoutMs)}`,
    p.autoDisable ? ` · disables at ${Math.round(p.autoDisable.failureRatio * 100)} % over ${fmtMs(p.autoDisable.windowMs)} (≥ ${p.autoDisable.minAttempts} attempts)` : '')
}
