/**
 * The admin API (express 5): journal, fault plan, health and the SSE stream. Extra routes (the web
 * page at `GET /`) are added through `mount`, after the API routes and before the 404 handler.
 * @see docs/design.md "Admin API"
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express'
import { isFakeFluentdError } from '../errors.js'
import type { FaultEngine } from '../faults/types.js'
import type { Journal } from '../journal/journal.js'
import type { JournalQuery } from '../journal/filter.js'
import type { JournalOutcome } from '../journal/types.js'
import { sendProblem } from './problem.js'
import { adminGuard, type AdminSecurityOptions } from './security.js'
import { streamJournal } from './sse.js'

/** Adds routes to the admin app (e.g. `(app) => mountWebPage(app, ctx)`). */
export type AdminMount = (app: Express) => void

export interface AdminAppOptions {
  journal: Journal
  /** The fault engine (read on every call: it may be created later). */
  faults: () => FaultEngine | undefined
  mount?: AdminMount
  /** Extra facts for /api/health. */
  info?: () => Record<string, unknown>
  /** Open SSE responses (closed on shutdown). */
  streams?: Set<Response>
  /** The address the server is bound to (its Host names are accepted). Default 127.0.0.1. */
  bind?: string
  /** Host names, Origin and token checks (security.ts); on by default. */
  security?: AdminSecurityOptions
}

const OUTCOMES: readonly JournalOutcome[] = ['pending', 'answered', 'reset', 'closed', 'hung', 'client-aborted', 'tls-error', 'stalled', 'refused']

function queryOf(req: Request): JournalQuery | string {
  const q: JournalQuery = {}
  const p = req.query
  const str = (name: string): string | undefined => (typeof p[name] === 'string' ? p[name] : undefined)
  const tag = str('tag')
  if (tag !== undefined) q.tag = tag
  const since = str('since')
  if (since !== undefined) q.since = since
  const limit = str('limit')
  if (limit !== undefined) {
    if (!/^\d+$/.test(limit)) return `limit must be a whole number, got "${limit}"`
    q.limit = Number(limit)
  }
  const status = str('status')
  if (status !== undefined) {
    if (!/^\d{3}$/.test(status)) return `status must be a 3-digit code, got "${status}"`
    q.status = Number(status)
  }
  const outcome = str('outcome')
  if (outcome !== undefined) {
    if (!OUTCOMES.includes(outcome as JournalOutcome)) return `outcome must be one of ${OUTCOMES.join(', ')}`
    q.outcome = outcome as JournalOutcome
  }
  const kind = str('kind')
  if (kind !== undefined) {
    if (kind !== 'request' && kind !== 'tls-error' && kind !== 'connection') return 'kind must be request, tls-error or connection'
    q.kind = kind
  }
  return q
}

/** Builds the admin express app. */
export function createAdminApp(options: AdminAppOptions): Express {
  const { journal } = options
  const streams = options.streams ?? new Set<Response>()
  const app = express()
  app.disable('x-powered-by')
  // Before every route, the page included: no answer for a foreign Host, Origin or a missing token.
  app.use(adminGuard(options.bind ?? '127.0.0.1', options.security))
  app.use('/api', express.json({ limit: '1mb', type: ['application/json', 'application/*+json'] }))

  app.get('/api/health', (_req, res) => {
    res.json({ status: 'ok', journalSize: journal.size, faults: options.faults() !== undefined, ...(options.info?.() ?? {}) })
  })

  app.get('/api/requests', (req, res) => {
    const q = queryOf(req)
    if (typeof q === 'string') {
      sendProblem(res, 400, 'Bad query', q)
      return
    }
    res.json(journal.entries(q))
  })

  app.delete('/api/requests', (_req, res) => {
    journal.clear()
    res.status(204).end()
  })

  app.get('/api/stream', (req, res) => streamJournal(journal, req, res, streams))

  const noEngine = (res: Response): void =>
    sendProblem(res, 501, 'No fault engine', 'This receiver runs without a fault engine (the faults part is not available).')

  app.get('/api/faults', (_req, res) => {
    const f = options.faults()
    if (!f) return noEngine(res)
    res.json(f.describe())
  })

  app.put('/api/faults', (req, res) => {
    const f = options.faults()
    if (!f) return noEngine(res)
    try {
      f.setPlan(req.body)
    } catch (err) {
      if (isFakeFluentdError(err)) {
        sendProblem(res, 400, 'Invalid fault plan', err.message, { code: err.code })
        return
      }
      throw err
    }
    res.json(f.describe())
  })

  // DELETE /api/faults clears the plan; DELETE /api/faults?counters=1 only restarts the step
  // sequences (and the random stream) of the current plan.
  app.delete('/api/faults', (req, res) => {
    const f = options.faults()
    if (!f) return noEngine(res)
    const counters = req.query.counters
    if (counters === '1' || counters === 'true') f.resetCounters()
    else f.clear()
    res.json(f.describe())
  })

  options.mount?.(app)

  app.use((req, res) => sendProblem(res, 404, 'Not found', `No route for ${req.method} ${req.path}`))
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(err)
      return
    }
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string }
    const status = e.status ?? e.statusCode ?? 500
    if (status >= 400 && status < 500) sendProblem(res, status, e.type === 'entity.parse.failed' ? 'Invalid JSON' : 'Bad request', e.message)
    else sendProblem(res, 500, 'Internal error', e.message ?? String(err))
  })
  return app
}
