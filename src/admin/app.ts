/**
 * The admin API (express 5): journal, fault plan, health and the SSE stream. Extra routes (the web
 * page at `GET /`) are added through `mount`, after the API routes and before the 404 handler.
 * @see docs/design.md "Admin API"
 */
import express, { type Express, type NextFunction, type Request, type Response } from 'express'
import { isFakeFluentdError } from '../errors.js'
import { DEFAULT_PLAN_LIMITS, parsePlanText, planTooLarge, type FaultEngine } from '../faults/index.js'
import type { Journal } from '../journal/index.js'
import { sendJsonArray } from './json-stream.js'
import { sendProblem } from './problem.js'
import { isQueryProblem, journalQueryOf, queryParams, type QueryProblem } from './query.js'
import { adminGuard, type AdminSecurityOptions } from './security.js'
import { createStreamHub, type StreamLimits } from './sse.js'
import { summarize } from './summary.js'

/** The request bodies the API parses as JSON. */
const JSON_TYPES = ['application/json', 'application/*+json']

/** Adds routes to the admin app (e.g. `(app) => mountWebPage(app, ctx)`). */
export type AdminMount = (app: Express) => void

/** How an admin server is protected and bounded (the admin flags of serve and demo). */
export interface AdminSettings {
  /** Host names, Origin and token checks (security.ts); on by default. */
  security?: AdminSecurityOptions
  /** Bounds of the SSE stream (sse.ts); defaults DEFAULT_STREAM_LIMITS. */
  stream?: Partial<StreamLimits>
}

export interface AdminAppOptions extends AdminSettings {
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
}

/** Builds the admin express app. */
export function createAdminApp(options: AdminAppOptions): Express {
  const { journal } = options
  const streams = options.streams ?? new Set<Response>()
  const app = express()
  app.disable('x-powered-by')
  // Read by routes added through `mount` (the page's GET /api/deliveries).
  app.locals.journal = journal
  // Before every route, the page included: no answer for a foreign Host, Origin or a missing token.
  app.use(adminGuard(options.bind ?? '127.0.0.1', options.security))
  const hub = createStreamHub(journal, options.stream, streams)
  const apiJson = express.json({ limit: '1mb', type: JSON_TYPES })
  // PUT /api/faults reads its body in its route: its bound is the engine's (--fault-plan-max-bytes).
  app.use('/api', (req, res, next) => (req.method === 'PUT' && req.path === '/faults' ? next() : apiJson(req, res, next)))

  app.get('/api/health', (_req, res) => {
    res.json({
      status: 'ok',
      journalSize: journal.size,
      faults: options.faults() !== undefined,
      streams: { open: hub.subscribers, dropped: hub.dropped },
      ...(options.info?.() ?? {}),
    })
  })

  const badQuery = (res: Response, p: QueryProblem): void => sendProblem(res, 400, 'Bad query parameter', p.detail, { parameter: p.parameter })
  /** True (after answering 400) when the request has a query parameter outside `known`. */
  const refuseParams = (req: Request, res: Response, known: readonly string[]): boolean => {
    const p = queryParams(req, known)
    if (!isQueryProblem(p)) return false
    badQuery(res, p)
    return true
  }

  // `?view=summary`: the short form the stream carries (summary.ts); the default is full entries.
  app.get('/api/requests', (req, res) => {
    const q = journalQueryOf(req, ['view'])
    if (isQueryProblem(q)) return badQuery(res, q)
    const view = req.query.view
    if (view !== undefined && view !== 'summary' && view !== 'full') {
      return badQuery(res, { problem: true, parameter: 'view', detail: `view must be summary or full, got "${String(view)}"` })
    }
    // Streamed in slices: a large page never holds up ingest (json-stream.ts).
    void sendJsonArray(res, journal.entries(q), view === 'summary' ? summarize : (e) => e).catch(() => res.destroy())
  })

  app.get('/api/requests/:id', (req, res) => {
    if (refuseParams(req, res, [])) return
    const id = req.params.id
    if (!/^\d{1,15}$/.test(id)) return badQuery(res, { problem: true, parameter: 'id', detail: `the entry id must be a whole number, got "${id}"` })
    const entry = journal.entries({ since: Number(id) - 1, limit: 1 })[0]
    if (entry?.id !== Number(id)) return sendProblem(res, 404, 'No such entry', `Entry ${id} is not in memory (never recorded, cleared, or dropped by the journal's bounds).`)
    res.json(entry)
  })

  app.delete('/api/requests', (req, res) => {
    if (refuseParams(req, res, [])) return
    journal.clear()
    res.status(204).end()
  })

  app.get('/api/stream', (req, res) => {
    const p = queryParams(req, ['since', 'token'])
    if (isQueryProblem(p)) return badQuery(res, p)
    const since = req.header('last-event-id') ?? p.since
    if (since !== undefined && !/^\d{1,15}$/.test(since)) {
      return badQuery(res, { problem: true, parameter: req.header('last-event-id') !== undefined ? 'Last-Event-ID' : 'since', detail: `since (or Last-Event-ID) must be an entry id, got "${since}"` })
    }
    hub.attach(req, res, since === undefined ? undefined : Number(since))
  })

  const noEngine = (res: Response): void =>
    sendProblem(res, 501, 'No fault engine', 'This receiver runs without a fault engine (the faults part is not available).')

  app.get('/api/faults', (req, res) => {
    if (refuseParams(req, res, [])) return
    const f = options.faults()
    if (!f) return noEngine(res)
    res.json(f.describe())
  })

  app.put('/api/faults', (req, res, next) => {
    const f = options.faults()
    if (!f) return noEngine(res)
    if (refuseParams(req, res, [])) return
    if (!req.is(['application/json', 'application/*+json'])) {
      const type = req.header('content-type')
      sendProblem(
        res,
        415,
        'Unsupported content type',
        `Send the fault plan as JSON with "Content-Type: application/json"; this request's content type is ${type === undefined ? 'missing' : `"${type}"`}.`,
        { contentType: type ?? null },
      )
      return
    }
    const limits = f.limits?.() ?? DEFAULT_PLAN_LIMITS
    // The text, not express.json: its nesting is checked before JSON.parse (parsePlanText).
    express.text({ limit: limits.maxBytes, type: JSON_TYPES })(req, res, (parseError?: unknown) => {
      const tooLarge = parseError as { type?: string; length?: number } | undefined
      if (tooLarge?.type === 'entity.too.large') {
        sendProblem(res, 400, 'Invalid fault plan', `invalid fault plan: ${planTooLarge(tooLarge.length, limits)}`, { code: 'FF_ERR_FAULT_SPEC' })
        return
      }
      if (parseError !== undefined) return next(parseError)
      const text = typeof req.body === 'string' ? req.body : ''
      try {
        // An empty body is an empty object, as express.json reads it (the plan then lacks "rules").
        f.setPlan(text.trim() === '' ? {} : parsePlanText(text, limits))
      } catch (err) {
        if (err instanceof SyntaxError) return sendProblem(res, 400, 'Invalid JSON', err.message)
        if (isFakeFluentdError(err)) return sendProblem(res, 400, 'Invalid fault plan', err.message, { code: err.code })
        return next(err)
      }
      res.json(f.describe())
    })
  })

  // DELETE /api/faults clears the plan; DELETE /api/faults?counters=1 only restarts the step
  // sequences (and the random stream) of the current plan.
  app.delete('/api/faults', (req, res) => {
    const f = options.faults()
    if (!f) return noEngine(res)
    const p = queryParams(req, ['counters'])
    if (isQueryProblem(p)) return badQuery(res, p)
    const counters = p.counters
    if (counters !== undefined && !['1', 'true', '0', 'false'].includes(counters)) {
      return badQuery(res, { problem: true, parameter: 'counters', detail: `counters must be 1, true, 0 or false, got "${counters}"` })
    }
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
