/** The admin part: express app and its server, and who may talk to them. */
export { createAdminApp } from './app.js'
export type { AdminAppOptions, AdminMount } from './app.js'
export { startAdminServer } from './server.js'
export type { AdminServer, AdminServerOptions } from './server.js'
export { adminTokenFor, checkAdminToken, isLoopbackAddress, DEFAULT_ADMIN_HOSTS } from './security.js'
export type { AdminSecurityOptions } from './security.js'
