/**
 * Notification validation: JSON Schemas in `schemas/notifications/` compiled once, verdicts with
 * JSON pointers, body splitting and realistic samples.
 */
export { createValidator } from './create-validator.js'
export type { CreateValidatorOptions, UnknownTypePolicy } from './create-validator.js'
export type { Validator, Verdict, VerdictError, ValidationMode } from './types.js'
export { parseNotifications } from './parse-notifications.js'
export type { BodyFormat, ParsedItem, ParseFailure, ParsedNotifications } from './parse-notifications.js'
export { sampleNotification, sampleTypes, sampleHit } from './samples.js'
export type { SampleAttack } from './samples.js'
export type * from './notification-types.js'
export { validateAllSliced, verdictErrorText, VALIDATE_SLICE, MAX_VERDICT_ERROR_LINES } from './validate-sliced.js'
