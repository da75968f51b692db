// fake-fluentd web page: the live journal (requests.js), the deliveries and the gauge
// (deliveries-view.js) and the fault plan controls (plan.js), kept current by the SSE stream. It only
// draws: every rule (success, the schedule, the ratio, which attempt is late) is computed by the
// server (src/deliveries, GET /api/deliveries). Plain ES modules, no build step, type-checked with
// JSDoc (tsconfig.web.json) and linted in npm test.
import { $, fetchJson, token } from './api.js'
import { anyLive, loadProfile, loadSender, scheduleDeliveries, updateCountdowns } from './deliveries-view.js'
import { setText } from './dom.js'
import { loadPlan, wireControls } from './plan.js'
import { clearRequests, isSummary, loadHintContext, loadJournal, upsert } from './requests.js'

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
  clearRequests()
  scheduleDeliveries()
}

// ---------------------------------------------------------------- start

wireControls(clearLocal)
void loadProfile()
void loadPlan()
void loadSender()
void loadHintContext()
connectStream()
setInterval(() => void loadSender(), 1000)
setInterval(updateCountdowns, 250)
// States change with time alone (an overdue retry becomes "stopped", the ratio window slides):
// ask again every second while a delivery is live, every 5 s otherwise.
let ticks = 0
setInterval(() => {
  ticks++
  if (anyLive() || ticks % 5 === 0) scheduleDeliveries()
}, 1000)
