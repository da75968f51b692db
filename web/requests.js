// The request list: summaries (from /api/requests?view=summary and the stream) as rows, newest
// first; a click loads the full entry from /api/requests/:id. Request data is text only.
import { $, fetchJson } from './api.js'
import { fmtClock, fmtMs, h, setText } from './dom.js'
import { hintFor } from './hints.js'

/** @typedef {import('../src/admin/summary.js').EntrySummary} EntrySummary */
/** @typedef {import('../src/journal/types.js').JournalEntry} JournalEntry */
/** @typedef {{ row: HTMLTableRowElement, cells: Record<string, HTMLElement>, detail: HTMLElement | null, detailFor: string }} Row */

const MAX_ROWS = 500

const state = {
  /** @type {Map<number, EntrySummary>} */
  entries: new Map(),
  /** @type {Map<number, JournalEntry>} */
  details: new Map(),
  /** @type {Map<number, Row>} */
  rows: new Map(),
  /** @type {Set<number>} */
  expanded: new Set(),
  dirty: false,
  /** Where the hints point (the ingest URL, the CA file), as far as this page knows. @type {import('./hints.js').HintContext} */
  hintContext: {},
}

/** Reads what the hints name: the ingest URL (admin `/api/health`) and the CA file (`/api/profile`, when the server says). */
export async function loadHintContext() {
  const [health, profile] = await Promise.all([fetchJson('/api/health').catch(() => null), fetchJson('/api/profile').catch(() => null)])
  if (health?.ok && typeof health.body?.ingestUrl === 'string') state.hintContext.ingestUrl = health.body.ingestUrl
  const ca = profile?.ok ? profile.body?.caPath : undefined
  if (typeof ca === 'string' || ca === null) state.hintContext.caPath = ca
  for (const r of state.rows.values()) r.detailFor = ''
  scheduleRender()
}

/** @param {unknown} value */
export function isSummary(value) {
  return typeof value === 'object' && value !== null && typeof (/** @type {{ id?: unknown }} */ (value).id) === 'number'
}

/** @param {EntrySummary} entry */
export function upsert(entry) {
  state.entries.set(entry.id, entry)
  if (state.entries.size > MAX_ROWS * 4) {
    const ids = [...state.entries.keys()].sort((a, b) => a - b)
    for (const id of ids.slice(0, ids.length - MAX_ROWS * 4)) state.entries.delete(id)
  }
  scheduleRender()
}

export async function loadJournal() {
  try {
    const r = await fetchJson('/api/requests?view=summary')
    if (r.ok && Array.isArray(r.body)) for (const e of r.body) if (isSummary(e)) upsert(e)
  } catch {
    // The stream reconnects and reloads; a failed load only delays the list.
  }
}

/** Forgets every row (the journal was cleared). */
export function clearRequests() {
  state.entries.clear()
  state.details.clear()
  state.expanded.clear()
  for (const r of state.rows.values()) { r.row.remove(); r.detail?.remove() }
  state.rows.clear()
  scheduleRender()
}

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
  for (const name of ['id', 'time', 'tag', 'protocol', 'method', 'status', 'outcome', 'fault', 'schema', 'attempt']) {
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
  // Forward entries: the mode in the method column and what became of the ack in the status column.
  setText(c.protocol, entry.protocol ?? (entry.kind === 'request' ? 'http' : ''))
  setText(c.method, entry.forward ? (entry.forward.mode ?? '') : (entry.method ?? ''))
  setText(c.status, entry.forward ? `ack ${entry.forward.ack}` : (entry.status ?? '—'))
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
  // A known mistake (plain HTTP to the HTTPS port, a CA not trusted, ...) in words, with the fix, as
  // serve says it on its terminal; the raw error (OpenSSL's text) stays one click away.
  const hint = hintFor(entry, state.hintContext)
  const tlsError = entry.tls?.error
  const raw = [entry.error, tlsError && !(entry.error ?? '').includes(tlsError) ? tlsError : undefined].filter(Boolean).join('\n')
  const content = h('div', { class: 'detail' },
    hint ? h('p', { class: 'hint', 'data-state': hint.kind }, hint.text) : null,
    hint && raw ? h('details', { class: 'raw-error' }, h('summary', null, 'raw error'), h('pre', null, raw)) : null,
    kv([
      ['url', entry.url],
      ['from', `${entry.remoteAddress}:${entry.remotePort}`],
      ['content type', entry.contentType],
      ['body size', entry.bodySize !== undefined ? `${entry.bodySize} bytes${entry.bodyTruncated ? ' (shown truncated)' : ''}` : undefined],
      ['duration', duration !== undefined ? fmtMs(duration) : 'pending'],
      ['tls', entry.tls ? [entry.tls.protocol, entry.tls.cipher, entry.tls.servername, hint ? undefined : entry.tls.error].filter(Boolean).join(' · ') : undefined],
      ['fault', entry.fault ? entry.fault.explain : undefined],
      ['error', hint ? undefined : entry.error],
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
  return h('tr', { class: 'req-detail', 'data-id': String(entry.id) }, h('td', { colspan: 10 }, content))
}
