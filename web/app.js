// fake-fluentd web page: live journal (GET /api/requests + SSE /api/stream), fault plan controls
// (/api/faults), per-delivery timelines against the expected schedule (/api/profile) and the
// failure-ratio gauge. Plain ES module, no build step. Request data is rendered as text only.
import { fmtClock, fmtMs, h, setChildren, setText } from './dom.js'
import { analyseDelivery, drawDeliveryTimeline, drawGauge, failureRatio, groupDeliveries } from './timeline.js'

const MAX_ROWS = 500
const MAX_DELIVERIES = 12

const PRESETS = {
  // `then` applies once the steps are used up and is never used up itself: "always".
  '503': { rules: [{ then: { status: 503 } }] },
  // Without `then`, a used-up rule stops matching: plain Fluentd behaviour (200) afterwards.
  '500x3': { rules: [{ steps: [{ status: 500, times: 3 }] }] },
  hang: { rules: [{ then: { action: 'hang' } }] },
  reset: { rules: [{ then: { action: 'reset' } }] },
  'stall-tls': { rules: [{ then: { action: 'stall-tls' } }] },
}

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
  if (m) {
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
  entries: new Map(),
  profile: null,
  sender: null,
  rows: new Map(),
  expanded: new Set(),
  dirty: false,
  deliveriesDirty: false,
}

// ---------------------------------------------------------------- data in

function upsert(entry) {
  if (!entry || typeof entry !== 'object' || typeof entry.id !== 'number') return
  const old = state.entries.get(entry.id)
  state.entries.set(entry.id, old ? { ...old, ...entry } : entry)
  if (state.entries.size > MAX_ROWS * 4) {
    const ids = [...state.entries.keys()].sort((a, b) => a - b)
    for (const id of ids.slice(0, ids.length - MAX_ROWS * 4)) state.entries.delete(id)
  }
  scheduleRender()
}

function entriesFrom(json) {
  if (Array.isArray(json)) return json
  if (json && typeof json === 'object') {
    for (const key of ['entries', 'requests', 'items', 'data']) if (Array.isArray(json[key])) return json[key]
    if (typeof json.id === 'number') return [json]
    if (json.entry) return [json.entry]
  }
  return []
}

async function fetchJson(url, init) {
  const headers = { accept: 'application/json', ...(init && init.headers), ...(token ? { authorization: `Bearer ${token}` } : {}) }
  const res = await fetch(url, { ...init, headers })
  if (res.status === 401) showAuthProblem()
  const text = await res.text()
  let body = null
  try { body = text ? JSON.parse(text) : null } catch { body = text }
  return { ok: res.ok, status: res.status, body }
}

async function loadJournal() {
  try {
    const r = await fetchJson('/api/requests')
    if (r.ok) for (const e of entriesFrom(r.body)) upsert(e)
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
  state.deliveriesDirty = true
  scheduleRender()
}

async function loadSender() {
  try {
    const r = await fetchJson('/api/sender')
    const next = r.ok && r.body ? r.body.sender ?? null : null
    const changed = JSON.stringify(next) !== JSON.stringify(state.sender)
    state.sender = next
    if (changed) { renderSender(); state.deliveriesDirty = true; scheduleRender() }
  } catch {
    // Optional information: the page works without it.
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
  const onData = (ev) => {
    let data
    try { data = JSON.parse(ev.data) } catch { return }
    if (ev.type === 'cleared' || ev.type === 'clear' || (data && (data.type === 'cleared' || data.type === 'clear'))) { clearLocal(); return }
    for (const e of entriesFrom(data)) upsert(e)
  }
  es.onmessage = onData
  for (const name of ['added', 'completed', 'cleared', 'entry', 'update', 'clear']) {
    es.addEventListener(name, onData)
  }
  es.onopen = () => {
    live.dataset.state = 'live'
    setText(live, 'live')
    void loadJournal()
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
  state.expanded.clear()
  for (const r of state.rows.values()) { r.row.remove(); r.detail?.remove() }
  state.rows.clear()
  state.deliveriesDirty = true
  scheduleRender()
}

// ---------------------------------------------------------------- rendering

let frame = 0
function scheduleRender() {
  state.dirty = true
  state.deliveriesDirty = true
  if (!frame) frame = requestAnimationFrame(render)
}

function render() {
  frame = 0
  if (!state.dirty) return
  state.dirty = false
  renderRequests()
  renderTimelines()
  renderGauge()
}

function verdictText(entry) {
  const verdicts = entry.verdicts
  if (!Array.isArray(verdicts) || verdicts.length === 0) return { text: '—', cls: '' }
  const errors = verdicts.reduce((n, v) => n + (Array.isArray(v.errors) ? v.errors.length : 0), 0)
  const invalid = verdicts.filter((v) => !v.valid).length
  if (!invalid) return { text: verdicts.length > 1 ? `valid ×${verdicts.length}` : 'valid', cls: 'ok' }
  return { text: `${errors} error${errors === 1 ? '' : 's'}${verdicts.length > 1 ? ` in ${invalid}/${verdicts.length}` : ''}`, cls: 'fail' }
}

function statusClass(entry) {
  if (entry.outcome === 'pending') return 'pending'
  if (typeof entry.status === 'number' && entry.status >= 200 && entry.status < 300 && entry.outcome === 'answered') return 'ok'
  return 'fail'
}

function makeRow(entry) {
  const cells = {}
  const row = h('tr', { class: 'req', 'data-id': String(entry.id), tabindex: 0, 'aria-expanded': 'false' })
  for (const name of ['id', 'time', 'tag', 'method', 'status', 'outcome', 'fault', 'schema', 'attempt']) {
    cells[name] = h('td', { class: `c-${name}` })
    row.appendChild(cells[name])
  }
  const toggle = () => toggleDetail(entry.id)
  row.addEventListener('click', toggle)
  row.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle() }
  })
  return { row, cells, detail: null }
}

function fillRow(r, entry) {
  setText(r.cells.id, entry.id)
  setText(r.cells.time, fmtClock(entry.receivedAt))
  setText(r.cells.tag, entry.tag ?? (entry.kind !== 'request' ? `(${entry.kind})` : ''))
  setText(r.cells.method, entry.method ?? '')
  setText(r.cells.status, entry.status ?? '—')
  r.cells.status.className = `c-status ${statusClass(entry)}`
  setText(r.cells.outcome, entry.outcome ?? '')
  setText(r.cells.fault, entry.fault ? entry.fault.explain : '')
  const v = verdictText(entry)
  setText(r.cells.schema, v.text)
  r.cells.schema.className = `c-schema ${v.cls}`
  setText(r.cells.attempt, entry.attempt ?? '')
  r.row.dataset.state = statusClass(entry)
}

function renderRequests() {
  const tbody = $('requests-body')
  const ids = [...state.entries.keys()].sort((a, b) => b - a).slice(0, MAX_ROWS)
  const keep = new Set(ids)
  for (const [id, r] of state.rows) {
    if (!keep.has(id)) { r.row.remove(); r.detail?.remove(); state.rows.delete(id) }
  }
  let cursor = tbody.firstChild
  for (const id of ids) {
    const entry = state.entries.get(id)
    let r = state.rows.get(id)
    if (!r) { r = makeRow(entry); state.rows.set(id, r) }
    fillRow(r, entry)
    if (state.expanded.has(id)) {
      if (!r.detail || r.detailFor !== entry) { const d = makeDetail(entry); r.detail?.remove(); r.detail = d; r.detailFor = entry }
    } else if (r.detail) { r.detail.remove(); r.detail = null }
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

function toggleDetail(id) {
  if (state.expanded.has(id)) state.expanded.delete(id)
  else state.expanded.add(id)
  const r = state.rows.get(id)
  if (r) r.row.setAttribute('aria-expanded', String(state.expanded.has(id)))
  state.dirty = true
  render()
}

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

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, String(v))]))
}

function makeDetail(entry) {
  const headerRows = Object.entries(entry.headers ?? {}).map(([name, value]) =>
    h('tr', null, h('th', null, name), h('td', null, Array.isArray(value) ? value.join(', ') : String(value))))
  const verdictItems = []
  for (const v of entry.verdicts ?? []) {
    if (v.valid) continue
    for (const err of v.errors ?? []) {
      verdictItems.push(h('li', null, h('code', null, `[${v.index}] ${v.type ?? '?'} ${err.pointer || '/'}`), ` ${err.keyword}: ${err.message}`))
    }
  }
  const duration = typeof entry.endedAt === 'number' ? entry.endedAt - entry.receivedAt : undefined
  const body = prettyBody(entry)
  const content = h('div', { class: 'detail' },
    kv([
      ['url', entry.url],
      ['from', entry.remoteAddress !== undefined ? `${entry.remoteAddress}:${entry.remotePort}` : undefined],
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

// ---------------------------------------------------------------- timelines

const STATUS_TEXT = {
  delivered: 'delivered',
  retrying: 'retrying',
  'in-flight': 'attempt in flight',
  dropped: 'dropped after the last cycle',
  stopped: 'stopped retrying',
  cancelled: 'cancelled: integration disabled',
  failed: 'failed',
  pending: 'pending',
}

let lastTimelineDraw = 0
function renderTimelines(force = false) {
  const now = Date.now()
  if (!force && !state.deliveriesDirty && now - lastTimelineDraw < 1000) return
  state.deliveriesDirty = false
  lastTimelineDraw = now
  const container = $('deliveries')
  const deliveries = groupDeliveries([...state.entries.values()]).slice(-MAX_DELIVERIES).reverse()
  const cards = deliveries.map((d) => {
    const a = analyseDelivery(d, state.profile, now)
    // The demo's sender says why a delivery stopped: the integration was disabled.
    if (state.sender?.disabled && (a.status === 'retrying' || a.status === 'stopped')) { a.status = 'cancelled'; a.next = undefined }
    return deliveryCard(a, now)
  })
  setChildren(container, cards.length ? cards : h('p', { class: 'muted' }, 'No delivery yet. Attempts of the same notification (same tag, same body) are grouped here.'))
  updateCountdowns()
}

function deliveryCard(a, now) {
  const rows = a.rows.map((r) =>
    h('tr', { 'data-state': r.state },
      h('td', null, String(r.n)),
      h('td', null, String(r.cycle)),
      h('td', null, fmtMs(r.plannedMs)),
      h('td', null, fmtMs(r.actualMs)),
      h('td', null, r.plannedMs !== undefined && r.actualMs !== undefined ? fmtMs(r.actualMs - r.plannedMs) : '—'),
      h('td', { class: r.state }, r.entry.status !== undefined ? String(r.entry.status) : r.entry.outcome),
      h('td', null, r.entry.fault ? r.entry.fault.explain : '')))
  const countdown = h('span', { class: 'countdown' })
  if (a.next && a.status === 'retrying') {
    countdown.dataset.at = String(a.next.at)
    countdown.dataset.n = String(a.next.n)
    countdown.dataset.cycle = String(a.next.cycle)
  }
  return h('article', { class: 'delivery', 'data-key': a.delivery.key, 'data-state': a.status, 'data-testid': 'delivery' },
    h('header', null,
      h('strong', { class: 'delivery-tag' }, a.tag),
      h('span', { class: 'muted' }, ` · ${a.rows.length} attempt${a.rows.length === 1 ? '' : 's'} · first at ${fmtClock(a.rows[0]?.start)}`),
      h('span', { class: `delivery-status ${a.status}` }, STATUS_TEXT[a.status] ?? a.status),
      countdown),
    drawDeliveryTimeline(a, state.profile, now),
    h('details', { class: 'attempts' },
      h('summary', null, 'attempts: planned vs actual interval'),
      h('table', null,
        h('thead', null, h('tr', null, ['#', 'cycle', 'planned', 'actual', 'deviation', 'status', 'fault'].map((t) => h('th', null, t)))),
        h('tbody', null, rows))))
}

function updateCountdowns() {
  const now = Date.now()
  for (const node of document.querySelectorAll('.countdown')) {
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
  const info = failureRatio([...state.entries.values()], state.profile, Date.now())
  setChildren($('gauge'), drawGauge(info))
  const pct = Math.round(info.ratio * 100)
  const windowText = info.windowMs !== undefined ? `in the last ${fmtMs(info.windowMs)}` : 'so far'
  const judged = info.minAttempts ? ` · judged from ${info.minAttempts} attempts` : ''
  setText($('gauge-text'), `${info.failed} of ${info.attempts} attempts failed (${pct} %) ${windowText}${judged}`)
  const verdict = $('gauge-verdict')
  verdict.dataset.state = info.tripped ? 'tripped' : 'ok'
  setText(verdict, info.tripped
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

function showPlanStatus(kind, text) {
  const node = $('plan-status')
  node.dataset.state = kind
  setText(node, text)
}

function problemText(r) {
  const b = r.body
  if (b && typeof b === 'object') {
    const parts = [b.title, b.detail, b.message, b.error].filter((x) => typeof x === 'string')
    if (Array.isArray(b.errors)) parts.push(...b.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e))))
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

async function applyPlan() {
  let plan
  try { plan = JSON.parse($('plan').value) } catch (err) {
    showPlanStatus('error', `Not JSON: ${err.message}`)
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
  for (const button of document.querySelectorAll('[data-preset]')) {
    button.addEventListener('click', () => {
      const preset = PRESETS[button.dataset.preset]
      if (!preset) return
      $('plan').value = JSON.stringify(preset, null, 2)
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
setInterval(() => {
  updateCountdowns()
  renderGauge()
  const anyLive = document.querySelector('.delivery[data-state="retrying"], .delivery[data-state="in-flight"]')
  if (anyLive && Date.now() - lastTimelineDraw >= 1000) renderTimelines(true)
}, 250)
