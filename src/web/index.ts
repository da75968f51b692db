/** The web part: mounts the page (web/) and its read-only endpoints on the admin app. */
export { mountWebPage } from './mount.js'
export type { WebPageContext, WebSenderState } from './mount.js'
