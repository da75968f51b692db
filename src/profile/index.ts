/**
 * Retry profiles: the delivery rules a sender promises, as data (the built-in `wallarm` profile and
 * profiles/*.json), the expected schedule as pure functions, and the auto-disable window. Pure and
 * light (no network, ajv only when a profile file is loaded), so that the page, the deliveries view
 * and the conformance judges use it without loading the sender's HTTP client.
 * @see docs/design.md "Delivery rules"
 */
export { loadProfile, parseProfile, wallarmProfile, isSuccessStatus, profilesDir } from './profile.js'
export type { RetryProfile, RetrySchedule, TableSchedule, ExponentialSchedule, AutoDisableRule, Jitter, JitterSettings, GiveUpAfter } from './profile-types.js'
export { nextRetry, expectedSchedule, intervalRange, maxAttempts, scheduledRetries, MAX_SCHEDULE_RETRIES } from './schedule.js'
export type { NextRetry, ExpectedAttempt, Rng } from './schedule.js'
export { DisableWindow } from './disable-window.js'
export type { WindowStats } from './disable-window.js'
