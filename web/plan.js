// The fault plan controls: a JSON plan or a one-click preset for PUT /api/faults, clear, reload, and
// clearing the journal. The API's problems are shown as they come.
import { $, fetchJson } from './api.js'
import { setText } from './dom.js'

/** @typedef {import('./api.js').ApiResult} ApiResult */

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

export async function loadPlan() {
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

/** @param {() => void} onCleared */
async function clearJournal(onCleared) {
  try {
    const r = await fetchJson('/api/requests', { method: 'DELETE' })
    if (!r.ok) { showPlanStatus('error', `Clearing the journal failed (${r.status}): ${problemText(r)}`); return }
  } catch (err) {
    showPlanStatus('error', `Request failed: ${err}`)
    return
  }
  onCleared()
}


/**
 * Wires the buttons; `onCleared` runs once the journal was cleared.
 * @param {() => void} onCleared
 */
export function wireControls(onCleared) {
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
  $('clear-journal').addEventListener('click', () => void clearJournal(onCleared))
}
