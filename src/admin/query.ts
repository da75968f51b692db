/**
 * Query parameters of the admin API, checked strictly: a parameter the route does not know, given
 * twice, or with a value that makes no sense is a 400 naming it (never silently ignored).
 */
import type { Request } from 'express'
import { parseSince, type JournalOutcome, type JournalQuery } from '../journal/index.js'

const OUTCOMES: readonly JournalOutcome[] = ['pending', 'answered', 'reset', 'closed', 'hung', 'client-aborted', 'tls-error', 'stalled', 'refused']
const KINDS = ['request', 'tls-error', 'connection'] as const

/** Largest `limit` accepted. */
export const MAX_QUERY_LIMIT = 100_000

/** A bad parameter: its name and what is wrong. */
export interface QueryProblem {
  problem: true
  parameter: string
  detail: string
}

/** The query's parameters as single strings, or the problem: an unknown name, or a name given twice. */
export function queryParams(req: Request, known: readonly string[]): Record<string, string> | QueryProblem {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.query)) {
    if (!known.includes(name)) {
      return { problem: true, parameter: name, detail: `unknown query parameter "${name}"; this route takes ${known.length ? known.join(', ') : 'none'}` }
    }
    if (typeof value !== 'string') return { problem: true, parameter: name, detail: `give ${name} once, as a plain value` }
    out[name] = value
  }
  return out
}

/** `GET /api/requests` (and `/api/deliveries`) filters. */
export function journalQueryOf(req: Request, extra: readonly string[] = []): JournalQuery | QueryProblem {
  const p = queryParams(req, ['tag', 'since', 'limit', 'status', 'outcome', 'kind', ...extra])
  if (isQueryProblem(p)) return p
  const params = p
  const q: JournalQuery = {}
  if (params.tag !== undefined) q.tag = params.tag
  if (params.since !== undefined) {
    if (parseSince(params.since) === undefined) {
      return { problem: true, parameter: 'since', detail: `since must be an entry id, a time in ms since the epoch or an ISO date, got "${params.since}"` }
    }
    q.since = params.since
  }
  if (params.limit !== undefined) {
    if (!/^\d+$/.test(params.limit) || Number(params.limit) > MAX_QUERY_LIMIT) {
      return { problem: true, parameter: 'limit', detail: `limit must be a whole number 0-${MAX_QUERY_LIMIT}, got "${params.limit}"` }
    }
    q.limit = Number(params.limit)
  }
  if (params.status !== undefined) {
    if (!/^[1-5]\d\d$/.test(params.status)) return { problem: true, parameter: 'status', detail: `status must be a 3-digit HTTP status, got "${params.status}"` }
    q.status = Number(params.status)
  }
  if (params.outcome !== undefined) {
    if (!OUTCOMES.includes(params.outcome as JournalOutcome)) {
      return { problem: true, parameter: 'outcome', detail: `outcome must be one of ${OUTCOMES.join(', ')}, got "${params.outcome}"` }
    }
    q.outcome = params.outcome as JournalOutcome
  }
  if (params.kind !== undefined) {
    if (!(KINDS as readonly string[]).includes(params.kind)) return { problem: true, parameter: 'kind', detail: `kind must be one of ${KINDS.join(', ')}, got "${params.kind}"` }
    q.kind = params.kind as JournalQuery['kind']
  }
  return q
}

/** True when `x` is a QueryProblem. */
export function isQueryProblem(x: unknown): x is QueryProblem {
  return typeof x === 'object' && x !== null && (x as { problem?: unknown }).problem === true
}
