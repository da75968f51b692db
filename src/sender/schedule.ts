/** Moved to src/profile/ (retry profiles are their own part); this path stays importable for existing imports. */
export { nextRetry, expectedSchedule, intervalRange, maxAttempts } from '../profile/index.js'
export type { NextRetry, ExpectedAttempt } from '../profile/index.js'
