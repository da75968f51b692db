/** The admin part: express app and its server. */
export { createAdminApp } from './app.js'
export type { AdminAppOptions, AdminMount } from './app.js'
export { startAdminServer } from './server.js'
export type { AdminServer, AdminServerOptions } from './server.js'
