/**
 * The admin part: its server, who may talk to it, and the helpers that routes mounted on the admin
 * app (the page, src/web/) share with it. The express app itself (app.ts) is not exported: the
 * server loads it on the first admin request, so importing this index does not load express.
 */
import type { Express } from 'express'
import type { FaultEngine } from '../faults/index.js'
import type { Journal } from '../journal/index.js'
import type { AdminMount, AdminSettings } from './app.js'

export type { AdminAppOptions, AdminMount, AdminSettings } from './app.js'
export { startAdminServer } from './server.js'
export type { AdminServer, AdminServerOptions } from './server.js'
export { adminTokenFor, checkAdminToken, isLoopbackAddress, DEFAULT_ADMIN_HOSTS } from './security.js'
export type { AdminSecurityOptions } from './security.js'
export { DEFAULT_STREAM_LIMITS } from './limits.js'
export type { StreamLimits } from './limits.js'
export { isQueryProblem, queryParams } from './query.js'
export type { QueryProblem } from './query.js'
export { sendProblem } from './problem.js'

/** What `createAdminApp` takes: a journal to serve, and optionally a fault engine, extra routes and the protection settings. */
export interface CreateAdminAppOptions extends AdminSettings {
  journal: Journal
  faults?: FaultEngine
  /** Extra routes, e.g. `(app) => mountWebPage(app)`. */
  mount?: AdminMount
  /** The address the server is bound to (its Host names are accepted). Default 127.0.0.1. */
  bind?: string
}

/**
 * The admin API (and whatever `mount` adds, such as the page) as an express app, to serve on your
 * own server: `yourApp.use(await createAdminApp({ journal, mount: (a) => mountWebPage(a) }))`, after
 * your routes (it answers 404 to anything it does not know). express is loaded on the first call.
 */
export async function createAdminApp(options: CreateAdminAppOptions): Promise<Express> {
  const { createAdminApp: create } = await import('./app.js')
  const { faults, ...rest } = options
  return create({ ...rest, faults: () => faults })
}
