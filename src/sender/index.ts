/**
 * The reference sender: integration settings, one attempt over undici, the delivery loop, the
 * contract mode. Loading it loads undici; retry profiles and the pure schedule are src/profile/.
 */
export { createSender } from './sender.js'
export type { Sender, SenderOptions } from './sender.js'
export { performAttempt, classifyError } from './attempt.js'
export type { AttemptOutcome, AttemptRequest, AttemptContext, AttemptFn } from './attempt.js'
export { settingsFromEnv, settingsToEnv, effectiveTimeouts, settingsTimeouts, timeoutWarnings } from './settings.js'
export type { IntegrationSettings, IntegrationMethod, SenderContractEnv, EffectiveTimeouts } from './settings.js'
export type { BodyFormat as SenderBodyFormat } from './settings.js'
export { encodeBody, CONTENT_TYPES } from './body.js'
export type { Notification } from './body.js'
export { seededRng } from './rng.js'
export type { Rng } from './rng.js'
export { integrationDisabledNotification } from './system-notification.js'
export type { IntegrationDisabledNotification } from './system-notification.js'
export { testIntegrationNotification } from './test-notification.js'
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
