// The page's access to the admin API: the token (when the server needs one) and JSON requests.
// The token comes in the URL fragment, which no server ever sees; it is kept in this tab's
// sessionStorage (readable by this origin only) and the fragment is removed from the address bar.
import { setText } from './dom.js'

/** @typedef {{ ok: boolean, status: number, body: any }} ApiResult */

/**
 * @param {string} id
 * @returns {HTMLElement}
 */
export const $ = (id) => {
  const node = document.getElementById(id)
  if (!node) throw new Error(`missing #${id}`)
  return node
}

const TOKEN_KEY = 'fake-fluentd-admin-token'
function takeToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash)
  if (m && m[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]))
    history.replaceState(null, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY)
}
/** The admin token, or null when the server needs none. */
export const token = takeToken()

function showAuthProblem() {
  const live = $('live')
  live.dataset.state = 'down'
  setText(live, 'admin token needed: open the page with the URL fake-fluentd printed at start-up (…/#token=…)')
}

/**
 * @param {string} url
 * @param {RequestInit} [init]
 * @returns {Promise<ApiResult>}
 */
export async function fetchJson(url, init = {}) {
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
