/** Moved to src/profile/ (retry profiles are their own part); this path stays importable for existing imports. */
export type { RetryProfile, RetrySchedule, TableSchedule, ExponentialSchedule, AutoDisableRule } from '../profile/index.js'
