/**
 * The web page of the admin server: `GET /` and its assets (from the package's `web/` folder), plus
 * the read-only `GET /api/profile` (the expected schedule, and the CA path the page's hints name) and `GET /api/sender` (an in-process
 * sender's state) the page needs. Everything here is
 * served with a strict Content-Security-Policy (see csp.ts).
 */
import { join } from 'node:path'
import type { Request, Response, Router } from 'express'
import { isQueryProblem, queryParams, sendProblem } from '../admin/index.js'
import { deliveriesOf, DEFAULT_DELIVERIES_LIMIT } from '../deliveries/index.js'
import type { Journal } from '../journal/index.js'
import { wallarmProfile, type RetryProfile } from '../profile/index.js'
import { WEB_ASSETS, WEB_ROOT } from './assets.js'
import { WEB_PAGE_HEADERS } from './csp.js'
import { profileView } from './profile-view.js'

/** What the page needs to know that the journal does not say. */
export interface WebPageContext {
  /** The profile attempts are compared with (default `wallarm`); `null`: no expected schedule. */
  profile?: RetryProfile | null
  /** The time scale of the sender being watched (the demo's, or 1 for a real integration). Default 1. */
  timeScale?: number
  /** A short line the page shows under its title, e.g. the demo scenario. */
  caption?: string
  /**
   * The state of a sender running in this process (the demo's reference sender), served as
   * `GET /api/sender` so that the page can say when the integration was disabled. Absent: `null`.
   */
  sender?: () => WebSenderState | null
  /**
   * The journal `GET /api/deliveries` reads (e.g. `receiver.journal`). Default: the admin app's own
   * (`app.locals.journal`, set when the page is mounted through `startReceiver({ adminMount })`).
   */
  journal?: Journal
  /**
   * The CA file the receiver's clients should trust (`null`: none, the server's own certificate),
   * named by the page's hints (plain HTTP to the HTTPS port, a CA not trusted). Absent: the page
   * points at the CA that serve printed.
   */
  caPath?: string | null
}

/** What the page shows about an in-process sender. */
export interface WebSenderState {
  /** True once the auto-disable rule tripped. */
  disabled: boolean
  /** The auto-disable window now (null when the profile never disables). */
  window: { attempts: number; failed: number; failureRatio: number } | null
}

/** Most deliveries one `GET /api/deliveries?limit=` returns. */
export const MAX_DELIVERIES_LIMIT = 1000

/** Anything routes can be added to: an express application or a Router. */
type Mountable = Pick<Router, 'get'>

function setPageHeaders(res: Response): void {
  for (const [name, value] of Object.entries(WEB_PAGE_HEADERS)) res.setHeader(name, value)
}

/**
 * Adds the page to an express app (or router): `GET /`, `GET /web/*` (a fixed list of files),
 * `GET /api/profile`, `GET /api/sender` and `GET /api/deliveries` (of `ctx.journal`, else the journal
 * the admin app keeps in `app.locals.journal`). The page's live list also reads the admin API's
 * `/api/stream` and `/api/requests`: mount it on the admin server (`startReceiver({ adminMount })`),
 * or on an app that serves those too.
 * `ctx` is read on every request, so changing its fields later (a demo picking a scale) takes effect.
 */
export function mountWebPage(app: Mountable, ctx: WebPageContext = {}): void {
  for (const [urlPath, asset] of Object.entries(WEB_ASSETS)) {
    app.get(urlPath, (_req: Request, res: Response, next: (err?: unknown) => void) => {
      setPageHeaders(res)
      res.setHeader('Cache-Control', 'no-cache')
      res.type(asset.type)
      res.sendFile(join(asset.root ?? WEB_ROOT, asset.file), { dotfiles: 'deny' }, (err) => {
        if (err) next(err)
      })
    })
  }

  app.get('/api/profile', (_req: Request, res: Response) => {
    setPageHeaders(res)
    res.setHeader('Cache-Control', 'no-store')
    res.json({
      caption: ctx.caption ?? null,
      ...(ctx.caPath !== undefined ? { caPath: ctx.caPath } : {}),
      profile: ctx.profile === null ? null : profileView(ctx.profile ?? wallarmProfile, ctx.timeScale ?? 1),
    })
  })

  app.get('/api/sender', (_req: Request, res: Response) => {
    setPageHeaders(res)
    res.setHeader('Cache-Control', 'no-store')
    res.json({ sender: ctx.sender?.() ?? null })
  })

  // The journal's deliveries against the profile (src/deliveries): the page draws this as it is.
  app.get('/api/deliveries', (req: Request, res: Response) => {
    const journal = ctx.journal ?? (req.app.locals as { journal?: Journal }).journal
    if (!journal) return sendProblem(res, 501, 'No journal', 'This server has no journal to read deliveries from: pass mountWebPage(app, { journal: receiver.journal }).')
    const p = queryParams(req, ['limit'])
    if (isQueryProblem(p)) return sendProblem(res, 400, 'Bad query parameter', p.detail, { parameter: p.parameter })
    let limit = DEFAULT_DELIVERIES_LIMIT
    if (p.limit !== undefined) {
      if (!/^\d+$/.test(p.limit) || Number(p.limit) < 1 || Number(p.limit) > MAX_DELIVERIES_LIMIT) {
        return sendProblem(res, 400, 'Bad query parameter', `limit must be a whole number 1-${MAX_DELIVERIES_LIMIT}, got "${p.limit}"`, { parameter: 'limit' })
      }
      limit = Number(p.limit)
    }
    setPageHeaders(res)
    res.setHeader('Cache-Control', 'no-store')
    res.json(
      deliveriesOf(journal.entries(), {
        profile: ctx.profile === null ? null : (ctx.profile ?? wallarmProfile),
        timeScale: ctx.timeScale ?? 1,
        now: Date.now(),
        limit,
        senderDisabled: ctx.sender?.()?.disabled ?? false,
      }),
    )
  })
}
