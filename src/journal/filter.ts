/**
 * Journal queries (the filters of `GET /api/requests`).
 */
import type { JournalEntry, JournalOutcome } from './types.js'

/** Default and maximum number of entries one query returns. */
export const DEFAULT_QUERY_LIMIT = 1000

export interface JournalQuery {
  /** Exact tag. */
  tag?: string
  /**
   * Entries after this point: a number below 1e12 is an entry id (entries with a greater id);
   * a larger number is wall-clock ms, and a date string is parsed (entries received at or after it).
   */
  since?: number | string
  /** At most this many: with `since` the first ones after it, without `since` the latest ones. */
  limit?: number
  /** Status sent. */
  status?: number
  outcome?: JournalOutcome
  kind?: JournalEntry['kind']
}

/** Parses `since` into an id bound or a time bound; undefined when it makes no sense. */
export function parseSince(since: number | string): { id: number } | { timeMs: number } | undefined {
  const n = typeof since === 'number' ? since : /^\d+(\.\d+)?$/.test(since.trim()) ? Number(since) : NaN
  if (Number.isFinite(n)) return n < 1e12 ? { id: n } : { timeMs: n }
  const t = Date.parse(String(since))
  return Number.isFinite(t) ? { timeMs: t } : undefined
}

/** Applies a query to entries in id order. */
export function filterEntries(entries: readonly JournalEntry[], q: JournalQuery): JournalEntry[] {
  const since = q.since === undefined ? undefined : parseSince(q.since)
  let out = entries.filter((e) => {
    if (q.tag !== undefined && e.tag !== q.tag) return false
    if (q.status !== undefined && e.status !== q.status) return false
    if (q.outcome !== undefined && e.outcome !== q.outcome) return false
    if (q.kind !== undefined && e.kind !== q.kind) return false
    if (since && 'id' in since && e.id <= since.id) return false
    if (since && 'timeMs' in since && e.receivedAt < since.timeMs) return false
    return true
  })
  const limit = Math.max(0, Math.min(q.limit ?? DEFAULT_QUERY_LIMIT, DEFAULT_QUERY_LIMIT * 100))
  if (out.length > limit) out = since ? out.slice(0, limit) : out.slice(out.length - limit)
  return out
}
