/**
 * The admin part: its server, who may talk to it, and the helpers that routes mounted on the admin
 * app (the page, src/web/) share with it. The express app itself (app.ts) is not exported: the
 * server loads it on the first admin request, so importing this index does not load express.
 */
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
