/** Moved to src/profile/ (retry profiles are their own part); this path stays importable for existing imports. */
export { DisableWindow } from '../profile/index.js'
export type { WindowStats } from '../profile/index.js'
