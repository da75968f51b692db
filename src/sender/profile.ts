/** Moved to src/profile/ (retry profiles are their own part); this path stays importable for existing imports. */
export { loadProfile, parseProfile, wallarmProfile, isSuccessStatus, profilesDir } from '../profile/index.js'
