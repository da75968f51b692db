/**
 * `--sender-url URL`: a long-running sender. Each delivery is one POST of
 * `{"settings": {...}, "notifications": [...], "batch": bool}` (settings as in the contract, camelCase);
 * the sender answers when that delivery has ended (2xx), optionally with a JSON body
 * `{"events": [{"event": "disabled"}, ...]}` or NDJSON event lines, which the runner records.
 * @see docs/sender-contract.md
 */
import { request } from 'undici'
import type { SenderEnd } from '../types.js'
import { parseEventLine, type SenderAdapter, type SenderSession, type SessionOptions } from './types.js'

export interface UrlAdapterOptions {
  url: string
  /**
   * Longest a POST may take, ms. Default 0: no limit of its own, since a delivery can run through
   * all cycles (about 51 min at `--time-scale 1`); the scenario's deadline stops it (kill aborts).
   */
  timeoutMs?: number
}

/** Creates the URL adapter. */
export function urlAdapter(options: UrlAdapterOptions): SenderAdapter {
  return {
    label: `url: ${options.url}`,
    reportsEvents: false,
    start: (session) => Promise.resolve(startUrl(options, session)),
  }
}

function startUrl(options: UrlAdapterOptions, session: SessionOptions): SenderSession {
  const controller = new AbortController()
  const pending: Array<Promise<void>> = []
  const errors: string[] = []
  let killed = false
  let resolveEnded: (end: SenderEnd) => void = () => {}
  const ended = new Promise<SenderEnd>((resolve) => {
    resolveEnded = resolve
  })

  const post = async (notifications: Array<Record<string, unknown>>, batch: boolean): Promise<void> => {
    try {
      const res = await request(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ settings: session.settings, notifications, batch }),
        signal: controller.signal,
        headersTimeout: options.timeoutMs ?? 0,
        bodyTimeout: options.timeoutMs ?? 0,
      })
      const text = await res.body.text()
      if (res.statusCode < 200 || res.statusCode > 299) errors.push(`POST ${options.url} answered ${res.statusCode}: ${text.slice(0, 200)}`)
      recordEvents(text)
    } catch (err) {
      if (!killed) errors.push(`POST ${options.url} failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  const recordEvents = (text: string): void => {
    const now = performance.now()
    try {
      const value = JSON.parse(text) as { events?: unknown }
      if (Array.isArray(value.events)) {
        for (const e of value.events) {
          const ev = parseEventLine(JSON.stringify(e), now)
          if (ev) session.onEvent(ev)
        }
        return
      }
    } catch {
      // not one JSON document: NDJSON lines below
    }
    for (const line of text.split('\n')) {
      const ev = parseEventLine(line, now)
      if (ev) session.onEvent(ev)
    }
  }

  return {
    ended,
    deliver(notifications, batch) {
      pending.push(post(notifications, batch))
    },
    async end() {
      await Promise.all(pending)
      resolveEnded({ how: errors.length > 0 && !killed ? 'exited-early' : killed ? 'killed' : 'ended', stderrTail: errors.join('\n') || undefined })
      return ended
    },
    async kill() {
      killed = true
      controller.abort()
      await Promise.allSettled(pending)
      resolveEnded({ how: 'killed', stderrTail: errors.join('\n') || undefined })
      return ended
    },
  }
}
