// fake-fluentd web page: the live journal (summaries from /api/requests?view=summary and the SSE
// stream, details from /api/requests/:id on demand), the fault plan controls (/api/faults), the
// deliveries and the failure-ratio gauge (/api/deliveries). It only draws: every rule (success, the
// schedule, the ratio, which attempt is late) is computed by the server (src/deliveries). Plain ES
// module, no build step, type-checked with JSDoc (tsconfig.web.json). Request data is text only.
import { fmtClock, fmtMs, h, setChildren, setText } from './dom.js'
import { drawDeliveryTimeline, drawGauge } from './timeline.js'

/** @typedef {import('../src/admin/summary.js').EntrySummary} EntrySummary */
/** @typedef {import('../src/journal/types.js').JournalEntry} JournalEntry */
/** @typedef {import('../src/deliveries/types.js').DeliveriesView} DeliveriesView */
/** @typedef {import('../src/deliveries/types.js').Delivery} Delivery */
/** @typedef {import('../src/web/profile-view.js').ProfileView} ProfileView */
/** @typedef {import('../src/web/mount.js').WebSenderState} WebSenderState */
/** @typedef {{ ok: boolean, status: number, body: any }} ApiResult */
/** @typedef {{ row: HTMLTableRowElement, cells: Record<string, HTMLElement>, detail: HTMLElement | null, detailFor: string }} Row */

const MAX_ROWS = 500
const MAX_DELIVERIES = 12

/** @type {Record<string, unknown>} */
const PRESETS = {
  // `then` applies once the steps are used up and is never used up itself: "always".
  '503': { rules: [{ then: { status: 503 } }] },
  // Without `then`, a used-up rule stops matching: plain Fluentd behaviour (200) afterwards.
  '500x3': { rules: [{ steps: [{ status: 500, times: 3 }] }] },
  hang: { rules: [{ then: { action: 'hang' } }] },
  reset: { rules: [{ then: { action: 'reset' } }] },
  'stall-tls': { rules: [{ then: { action: 'stall-tls' } }] },
}

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
const $ = (id) => {
  const node = document.getElementById(id)
  if (!node) throw new Error(`missing #${id}`)
  return node
}

// The admin token (when the server needs one) comes in the URL fragment, which no server ever sees;
// it is kept in this tab's sessionStorage (readable by this origin only) and the fragment is removed.
const TOKEN_KEY = 'fake-fluentd-admin-token'
function takeToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash)
  if (m && m[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]))
    history.replaceState(null, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY)
}
const token = takeToken()

function showAuthProblem() {
  const live = $('live')
  live.dataset.state = 'down'
  setText(live, 'admin token needed: open the page with the URL fake-fluentd printed at start-up (…/#token=…)')
}

const state = {
  /** @type {Map<number, EntrySummary>} */
  entries: new Map(),
  /** @type {Map<number, JournalEntry>} */
  details: new Map(),
  /** @type {ProfileView | null} */
  profile: null,
  /** @type {WebSenderState | null} */
  sender: null,
  /** @type {DeliveriesView | null} */
  view: null,
  /** Server clock minus this browser's, ms (the countdowns use the server's times). */
  skew: 0,
  /** @type {Map<number, Row>} */
  rows: new Map(),
  /** @type {Set<number>} */
  expanded: new Set(),
  dirty: false,
}

// ---------------------------------------------------------------- data in

/** @param {unknown} value */
function isSummary(value) {
  return typeof value === 'object' && value !== null && typeof (/** @type {{ id?: unknown }} */ (value).id) === 'number'
}

/** @param {EntrySummary} entry */
function upsert(entry) {
  state.entries.set(entry.id, entry)
  if (state.entries.size > MAX_ROWS * 4) {
    const ids = [...state.entries.keys()].sort((a, b) => a - b)
    for (const id of ids.slice(0, ids.length - MAX_ROWS * 4)) state.entries.delete(id)
  }
  scheduleRender()
}

/**
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<ApiResult>}
 */
async function fetchJson(url, init = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json', .../** @type {Record<string, string>} */ (init.headers ?? {}) }
  if (token) headers.authorization = `Bearer ${token}`
  const res = await fetch(url, { ...init, headers })
  if (res.status === 401) showAuthProblem()
  const text = await res.text()
  /** @type {any} */
  let body = null
  try { body = text ? JSON.parse(text) : null } catch { body = text }
  return { ok: res.ok, status: res.status, body }
}

async function loadJournal() {
  try {
    const r = await fetchJson('/api/requests?view=summary')
    if (r.ok && Array.isArray(r.body)) for (const e of r.body) if (isSummary(e)) upsert(e)
  } catch {
    // The stream reconnects and reloads; a failed load only delays the list.
  }
}

async function loadProfile() {
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

async function loadSender() {
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
function scheduleDeliveries() {
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

function connectStream() {
  // EventSource cannot send headers: the stream takes the token as a query parameter.
  const es = new EventSource(token ? `/api/stream?token=${encodeURIComponent(token)}` : '/api/stream')
  const live = $('live')
  /** @param {MessageEvent} ev */
  const onEntry = (ev) => {
    let data
    try { data = JSON.parse(ev.data) } catch { return }
    if (isSummary(data)) upsert(data)
    scheduleDeliveries()
  }
  es.addEventListener('added', onEntry)
  es.addEventListener('completed', onEntry)
  es.addEventListener('cleared', () => clearLocal())
  // Older entries were left out of the replay, or this page was too slow and was dropped: reload.
  es.addEventListener('gap', () => void loadJournal())
  es.addEventListener('dropped', () => {
    es.close()
    setTimeout(connectStream, 1000)
  })
  es.onopen = () => {
    live.dataset.state = 'live'
    setText(live, 'live')
    void loadJournal()
    scheduleDeliveries()
  }
  es.onerror = () => {
    live.dataset.state = 'down'
    setText(live, 'reconnecting…')
    // A refused stream (401, 403) is not retried by the browser: say why.
    if (es.readyState === EventSource.CLOSED) void fetchJson('/api/health').catch(() => undefined)
  }
}

function clearLocal() {
  state.entries.clear()
  state.details.clear()
  state.expanded.clear()
  for (const r of state.rows.values()) { r.row.remove(); r.detail?.remove() }
  state.rows.clear()
  scheduleRender()
  scheduleDeliveries()
}

// ---------------------------------------------------------------- requests

let frame = 0
function scheduleRender() {
  state.dirty = true
  if (!frame) frame = requestAnimationFrame(render)
}

function render() {
  frame = 0
  if (!state.dirty) return
  state.dirty = false
  renderRequests()
}

/** @param {EntrySummary} entry */
function verdictText(entry) {
  const v = entry.verdicts
  if (!v || v.count === 0) return { text: '—', cls: '' }
  if (!v.invalid) return { text: v.count > 1 ? `valid ×${v.count}` : 'valid', cls: 'ok' }
  return { text: `${v.errors} error${v.errors === 1 ? '' : 's'}${v.count > 1 ? ` in ${v.invalid}/${v.count}` : ''}`, cls: 'fail' }
}

/**
 * @param {EntrySummary} entry
 * @returns {Row}
 */
function makeRow(entry) {
  /** @type {Record<string, HTMLElement>} */
  const cells = {}
  const row = /** @type {HTMLTableRowElement} */ (h('tr', { class: 'req', 'data-id': String(entry.id), tabindex: 0, 'aria-expanded': 'false' }))
  for (const name of ['id', 'time', 'tag', 'method', 'status', 'outcome', 'fault', 'schema', 'attempt']) {
    const cell = h('td', { class: `c-${name}` })
    cells[name] = cell
    row.appendChild(cell)
  }
  const toggle = () => toggleDetail(entry.id)
  row.addEventListener('click', toggle)
  row.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle() }
  })
  return { row, cells, detail: null, detailFor: '' }
}

/**
 * @param {Row} r
 * @param {EntrySummary} entry
 */
function fillRow(r, entry) {
  const c = r.cells
  setText(c.id, entry.id)
  setText(c.time, fmtClock(entry.receivedAt))
  setText(c.tag, entry.tag ?? (entry.kind !== 'request' ? `(${entry.kind})` : ''))
  setText(c.method, entry.method ?? '')
  setText(c.status, entry.status ?? '—')
  if (c.status) c.status.className = `c-status ${entry.state}`
  setText(c.outcome, entry.outcome)
  setText(c.fault, entry.fault ?? '')
  const v = verdictText(entry)
  setText(c.schema, v.text)
  if (c.schema) c.schema.className = `c-schema ${v.cls}`
  setText(c.attempt, entry.attempt ?? '')
  r.row.dataset.state = entry.state
}

function renderRequests() {
  const tbody = $('requests-body')
  const ids = [...state.entries.keys()].sort((a, b) => b - a).slice(0, MAX_ROWS)
  const keep = new Set(ids)
  for (const [id, r] of state.rows) {
    if (!keep.has(id)) { r.row.remove(); r.detail?.remove(); state.rows.delete(id) }
  }
  /** @type {ChildNode | null} */
  let cursor = tbody.firstChild
  for (const id of ids) {
    const entry = state.entries.get(id)
    if (!entry) continue
    let r = state.rows.get(id)
    if (!r) { r = makeRow(entry); state.rows.set(id, r) }
    fillRow(r, entry)
    const detail = state.details.get(id)
    const version = `${entry.outcome}:${entry.endedAt ?? ''}`
    if (state.expanded.has(id)) {
      if (detail && r.detailFor !== `${version}:${detail.outcome}:${detail.endedAt ?? ''}`) {
        const d = makeDetail(detail)
        r.detail?.remove()
        r.detail = d
        r.detailFor = `${version}:${detail.outcome}:${detail.endedAt ?? ''}`
      }
      if (!detail || detail.outcome !== entry.outcome || detail.endedAt !== entry.endedAt) void loadDetail(id)
    } else if (r.detail) { r.detail.remove(); r.detail = null; r.detailFor = '' }
    if (cursor !== r.row) tbody.insertBefore(r.row, cursor)
    cursor = r.row.nextSibling
    if (r.detail) {
      if (cursor !== r.detail) tbody.insertBefore(r.detail, cursor)
      cursor = r.detail.nextSibling
    }
  }
  setText($('count'), `${state.entries.size} request${state.entries.size === 1 ? '' : 's'}`)
  $('empty').hidden = state.entries.size > 0
}

/** @type {Set<number>} */
const loadingDetails = new Set()
/** @param {number} id */
async function loadDetail(id) {
  if (loadingDetails.has(id)) return
  loadingDetails.add(id)
  try {
    const r = await fetchJson(`/api/requests/${id}`)
    if (r.ok && r.body) { state.details.set(id, r.body); scheduleRender() }
  } catch {
    // Shown on the next render.
  } finally {
    loadingDetails.delete(id)
  }
}

/** @param {number} id */
function toggleDetail(id) {
  if (state.expanded.has(id)) state.expanded.delete(id)
  else state.expanded.add(id)
  const r = state.rows.get(id)
  if (r) r.row.setAttribute('aria-expanded', String(state.expanded.has(id)))
  state.dirty = true
  render()
}

/** @param {JournalEntry} entry */
function prettyBody(entry) {
  const body = entry.body
  if (typeof body !== 'string' || body === '') return ''
  try { return JSON.stringify(JSON.parse(body), null, 2) } catch { /* not one JSON document */ }
  const lines = body.split('\n').filter((l) => l.trim())
  if (lines.length > 1) {
    try { return lines.map((l) => JSON.stringify(JSON.parse(l), null, 2)).join('\n') } catch { /* not NDJSON */ }
  }
  return body
}

/** @param {Array<[string, unknown]>} pairs */
function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, String(v))]))
}

/** @param {JournalEntry} entry */
function makeDetail(entry) {
  const headerRows = Object.entries(entry.headers ?? {}).map(([name, value]) =>
    h('tr', null, h('th', null, name), h('td', null, Array.isArray(value) ? value.join(', ') : String(value))))
  const verdictItems = []
  for (const v of entry.verdicts ?? []) {
    if (v.valid) continue
    for (const err of v.errors) {
      verdictItems.push(h('li', null, h('code', null, `[${v.index}] ${v.type ?? '?'} ${err.pointer || '/'}`), ` ${err.keyword}: ${err.message}`))
    }
  }
  const duration = typeof entry.endedAt === 'number' ? entry.endedAt - entry.receivedAt : undefined
  const body = prettyBody(entry)
  const content = h('div', { class: 'detail' },
    kv([
      ['url', entry.url],
      ['from', `${entry.remoteAddress}:${entry.remotePort}`],
      ['content type', entry.contentType],
      ['body size', entry.bodySize !== undefined ? `${entry.bodySize} bytes${entry.bodyTruncated ? ' (shown truncated)' : ''}` : undefined],
      ['duration', duration !== undefined ? fmtMs(duration) : 'pending'],
      ['tls', entry.tls ? [entry.tls.protocol, entry.tls.cipher, entry.tls.servername, entry.tls.error].filter(Boolean).join(' · ') : undefined],
      ['fault', entry.fault ? entry.fault.explain : undefined],
      ['error', entry.error],
      ['response body', entry.responseBody],
    ]),
    verdictItems.length ? h('section', null, h('h4', null, 'Schema errors'), h('ul', { class: 'verdicts' }, verdictItems)) : null,
    headerRows.length ? h('section', null, h('h4', null, 'Headers'), h('table', { class: 'headers' }, h('tbody', null, headerRows))) : null,
    body ? h('section', null, h('h4', null, 'Body'), h('pre', { class: 'body' }, body)) : null,
    Array.isArray(entry.events) && entry.events.length
      ? h('section', null, h('h4', null, `Events (${entry.events.length})`), h('pre', { class: 'events' },
          entry.events.map((ev) => `${ev.time}\t${JSON.stringify(ev.record)}`).join('\n')))
      : null,
  )
  return h('tr', { class: 'req-detail', 'data-id': String(entry.id) }, h('td', { colspan: 9 }, content))
}

// ---------------------------------------------------------------- deliveries

/** @type {Record<Delivery['state'], string>} */
const STATUS_TEXT = {
  delivered: 'delivered',
  retrying: 'retrying',
  'in-flight': 'attempt in flight',
  dropped: 'dropped after the last cycle',
  stopped: 'stopped retrying',
  cancelled: 'cancelled: integration disabled',
  failed: 'failed',
}

/** The server's "now" as this browser sees it. */
const serverNow = () => Date.now() + state.skew

function renderTimelines() {
  const view = state.view
  if (!view) return
  const now = serverNow()
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
    drawDeliveryTimeline(d, state.profile, now),
    h('details', { class: 'attempts' },
      h('summary', null, 'attempts: planned vs actual interval'),
      h('table', null,
        h('thead', null, h('tr', null, ['#', 'cycle', 'planned', 'actual', 'deviation', 'status', 'fault'].map((t) => h('th', null, t)))),
        h('tbody', null, rows))))
}

function updateCountdowns() {
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
  const judged = info.minAttempts ? ` · judged from ${info.minAttempts} attempts` : ''
  setText($('gauge-text'), `${info.failed} of ${info.attempts} attempts failed (${pct} %) ${windowText}${judged}`)
  const verdict = $('gauge-verdict')
  verdict.dataset.state = info.tripped ? 'tripped' : 'ok'
  setText(verdict, info.threshold === null
    ? 'the profile never disables the integration'
    : info.tripped
      ? `≥ ${Math.round(info.threshold * 100)} %: the integration would be disabled`
      : info.attempts < info.minAttempts ? `${info.minAttempts - info.attempts} more attempts before the rule applies` : 'below the disable line')
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

// ---------------------------------------------------------------- fault plan

/**
 * @param {string} kind
 * @param {string} text
 */
function showPlanStatus(kind, text) {
  const node = $('plan-status')
  node.dataset.state = kind
  setText(node, text)
}

/** @param {ApiResult} r */
function problemText(r) {
  const b = r.body
  if (b && typeof b === 'object') {
    const parts = [b.title, b.detail, b.message, b.error].filter((x) => typeof x === 'string')
    if (Array.isArray(b.errors)) parts.push(...b.errors.map((/** @type {unknown} */ e) => (typeof e === 'string' ? e : JSON.stringify(e))))
    if (parts.length) return parts.join(': ')
    return JSON.stringify(b)
  }
  return typeof b === 'string' && b ? b : `HTTP ${r.status}`
}

async function loadPlan() {
  try {
    const r = await fetchJson('/api/faults')
    setText($('plan-current'), r.ok ? JSON.stringify(r.body, null, 2) : `error ${r.status}: ${problemText(r)}`)
  } catch (err) {
    setText($('plan-current'), `cannot load the plan: ${err}`)
  }
}

const planInput = /** @type {HTMLTextAreaElement} */ ($('plan'))

async function applyPlan() {
  let plan
  try { plan = JSON.parse(planInput.value) } catch (err) {
    showPlanStatus('error', `Not JSON: ${err instanceof Error ? err.message : String(err)}`)
    return
  }
  try {
    const r = await fetchJson('/api/faults', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(plan) })
    if (r.ok) showPlanStatus('ok', 'Plan applied.')
    else showPlanStatus('error', `Rejected (${r.status}): ${problemText(r)}`)
  } catch (err) {
    showPlanStatus('error', `Request failed: ${err}`)
  }
  await loadPlan()
}

async function clearPlan() {
  try {
    const r = await fetchJson('/api/faults', { method: 'DELETE' })
    if (r.ok) showPlanStatus('ok', 'Plan cleared: the receiver answers like Fluentd.')
    else showPlanStatus('error', `Clear failed (${r.status}): ${problemText(r)}`)
  } catch (err) {
    showPlanStatus('error', `Request failed: ${err}`)
  }
  await loadPlan()
}

async function clearJournal() {
  try {
    const r = await fetchJson('/api/requests', { method: 'DELETE' })
    if (!r.ok) { showPlanStatus('error', `Clearing the journal failed (${r.status}): ${problemText(r)}`); return }
  } catch (err) {
    showPlanStatus('error', `Request failed: ${err}`)
    return
  }
  clearLocal()
}

function wireControls() {
  for (const button of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('[data-preset]'))) {
    button.addEventListener('click', () => {
      const preset = PRESETS[button.dataset.preset ?? '']
      if (!preset) return
      planInput.value = JSON.stringify(preset, null, 2)
      void applyPlan()
    })
  }
  $('apply-plan').addEventListener('click', () => void applyPlan())
  $('clear-plan').addEventListener('click', () => void clearPlan())
  $('reload-plan').addEventListener('click', () => void loadPlan())
  $('clear-journal').addEventListener('click', () => void clearJournal())
}

// ---------------------------------------------------------------- start

wireControls()
void loadProfile()
void loadPlan()
void loadSender()
connectStream()
setInterval(() => void loadSender(), 1000)
setInterval(updateCountdowns, 250)
// States change with time alone (an overdue retry becomes "stopped", the ratio window slides):
// ask again every second while a delivery is live, every 5 s otherwise.
let ticks = 0
setInterval(() => {
  ticks++
  const live = state.view?.deliveries.some((d) => d.state === 'retrying' || d.state === 'in-flight') ?? false
  if (live || ticks % 5 === 0) scheduleDeliveries()
}, 1000)
