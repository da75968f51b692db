/**
 * `--sender builtin`: the reference sender, in process (createSender), one per scenario. Its typed
 * events are recorded as sender events (`disabled`, `dropped`, `delivered`, `attempt-end`).
 */
import { createSender, type SenderEventName } from '../../sender/index.js'
import type { RetryProfile } from '../../profile/index.js'
import type { SenderEnd } from '../types.js'
import { toIntegrationSettings } from './settings-env.js'
import type { SenderAdapter, SenderSession, SessionOptions } from './types.js'

export interface BuiltinAdapterOptions {
  /** Profile the reference sender runs (default: the one being judged, given by the runner). */
  profile?: RetryProfile
}

/** Longest wait for the reference sender to wind down when killed, ms. */
const KILL_WAIT_MS = 2000

const RECORDED: SenderEventName[] = ['disabled', 'dropped', 'delivered', 'attempt-end']

/** Creates the builtin adapter. */
export function builtinAdapter(options: BuiltinAdapterOptions = {}): SenderAdapter & { withProfile(p: RetryProfile): SenderAdapter } {
  const make = (profile: RetryProfile | undefined): SenderAdapter & { withProfile(p: RetryProfile): SenderAdapter } => ({
    label: 'builtin',
    reportsEvents: true,
    inProcess: true,
    start: (session) => Promise.resolve(startBuiltin(profile, session)),
    withProfile: (p) => make(options.profile ?? p),
  })
  return make(options.profile)
}

function startBuiltin(profile: RetryProfile | undefined, session: SessionOptions): SenderSession {
  const sender = createSender(toIntegrationSettings(session.settings), { profile, timeScale: session.settings.timeScale })
  const offs = RECORDED.map((name) =>
    sender.on(name, (payload) => {
      session.onEvent({ event: name, mono: performance.now(), data: { event: name, ...summarize(payload) } })
    }),
  )
  const pending: Array<Promise<unknown>> = []
  let killed = false
  let settled: SenderEnd | undefined
  let resolveEnded: (end: SenderEnd) => void = () => {}
  const ended = new Promise<SenderEnd>((resolve) => {
    resolveEnded = resolve
  })
  const settle = (how: SenderEnd['how']): Promise<SenderEnd> => {
    if (!settled) {
      settled = { how: killed ? 'killed' : how }
      offs.forEach((off) => off())
      resolveEnded(settled)
    }
    return ended
  }
  return {
    ended,
    deliver(notifications, batch) {
      pending.push(sender.deliver(batch ? notifications : notifications[0]!))
    },
    async end() {
      await Promise.allSettled(pending)
      await sender.close()
      return settle('ended')
    },
    async kill() {
      killed = true
      // close() cancels pending retries and in-flight attempts, so every delivery ends now; bounded,
      // so that a stuck close cannot hold the whole run.
      await Promise.race([Promise.allSettled([sender.close(), ...pending]), new Promise((r) => setTimeout(r, KILL_WAIT_MS).unref())])
      return settle('killed')
    },
  }
}

/** Plain data of an event payload (drops nested records that are large or cyclic). */
function summarize(payload: unknown): Record<string, unknown> {
  if (!payload || typeof payload !== 'object') return {}
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(payload)) {
    if (k === 'result' || k === 'notification') continue
    out[k] = v
  }
  return out
}
