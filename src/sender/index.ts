/** The reference sender: profiles, the pure schedule, the disable window, one attempt, the delivery loop. */
export { createSender } from './sender.js'
export type { Sender, SenderOptions } from './sender.js'
export { loadProfile, parseProfile, wallarmProfile, isSuccessStatus, profilesDir } from './profile.js'
export type { RetryProfile, RetrySchedule, TableSchedule, ExponentialSchedule, AutoDisableRule } from './profile-types.js'
export { nextRetry, expectedSchedule, intervalRange, maxAttempts } from './schedule.js'
export type { NextRetry, ExpectedAttempt } from './schedule.js'
export { DisableWindow } from './disable-window.js'
export type { WindowStats } from './disable-window.js'
export { performAttempt, classifyError } from './attempt.js'
export type { AttemptOutcome, AttemptRequest, AttemptContext, AttemptFn } from './attempt.js'
export { settingsFromEnv, settingsToEnv } from './settings.js'
export type { IntegrationSettings, IntegrationMethod, SenderContractEnv } from './settings.js'
export type { BodyFormat as SenderBodyFormat } from './settings.js'
export { encodeBody, CONTENT_TYPES } from './body.js'
export type { Notification } from './body.js'
export { seededRng } from './rng.js'
export type { Rng } from './rng.js'
export { integrationDisabledNotification } from './system-notification.js'
export type { IntegrationDisabledNotification } from './system-notification.js'
export { runContractSender } from './contract-mode.js'
export type { ContractRunOptions, ContractRunSummary } from './contract-mode.js'
export type {
  AttemptRecord,
  ScheduledRetry,
  DeliveryOutcome,
  DeliveryResult,
  SenderEvents,
  SenderEventName,
  SenderListener,
} from './events.js'
