/**
 * The public library API of fake-fluentd: what a user calls, and the types of what goes in and
 * comes out. Everything else is internal and may change; tests import internals from their own
 * paths. test/unit/public-api.test.ts pins the list of runtime exports: a change here is a change
 * of the public API and must update that list on purpose. Map of the parts: docs/design.md "Parts".
 */

/* Errors */
export { FakeFluentdError, ErrorCodes, isFakeFluentdError } from './errors.js'
export type { ErrorCode } from './errors.js'

/* Time: every timer of the sender (and, with the receiver split, of the receiver) runs on a Clock */
export { systemClock, ManualClock } from './clock/index.js'
export type { Clock } from './clock/index.js'

/* The fake Fluentd receiver and what it records */
export { startReceiver } from './server/index.js'
export type { Receiver, ReceiverOptions, TlsOptions, TlsVersionOption, OutputMode } from './receiver/index.js'
/* The forward listener (startReceiver({ forward })): its options, handle and fault rules */
export type { ForwardOptions, ForwardServer, ForwardFaultRule, ForwardFaultAction, SecuritySettings as ForwardSecurity, ForwardUser } from './forward/index.js'
export { createAdminApp } from './admin/index.js'
export type { AdminMount, AdminSettings, CreateAdminAppOptions } from './admin/index.js'
export type { Journal, JournalChange, JournalListener, JournalQuery } from './journal/index.js'
export type { JournalEntry, JournalEvent, JournalOutcome, JournalEntryKind } from './journal/index.js'

/* Waiting for and checking requests in tests (WireMock's verify) */
export { findRequests, matchesRequest, verifyRequests, waitForRequests } from './verify/index.js'
export type { RequestCount, RequestPattern, WaitForRequestsOptions } from './verify/index.js'

/* Fault plans: build an engine for `startReceiver({ faults })` */
export { createFaultEngine, parseFaultShorthand, validateFaultPlan } from './faults/index.js'
export type {
  FaultEngine,
  FaultEngineOptions,
  FaultPlan,
  FaultRule,
  FaultMatch,
  BodyMatcher,
  FaultStep,
  FaultActionName,
  HeaderMatcher,
  DelayDistribution,
  AppliedFault,
} from './faults/index.js'

/* Notification schemas and validation */
export { createValidator, parseNotifications, sampleNotification, sampleTypes, sampleHit } from './validation/index.js'
export type {
  CreateValidatorOptions,
  UnknownTypePolicy,
  Validator,
  Verdict,
  VerdictError,
  ValidationMode,
  BodyFormat,
  ParsedItem,
  ParseFailure,
  ParsedNotifications,
  SampleAttack,
} from './validation/index.js'
export type { KnownNotification, KnownNotificationType, NotificationEnvelope, Hit, Vulnerability, SecurityIssue, ScopeChange, ChangedParameter } from './validation/index.js'
/** Every per-type notification type (NewHitsNotification, VulnNotification, ...), generated from schemas/: by name, and as one namespace. */
export type * from './validation/notification-types.js'
export type * as Notifications from './validation/notification-types.js'

/* The reference sender and its retry profiles */
export { createSender, settingsFromEnv, settingsToEnv } from './sender/index.js'
export { loadProfile, parseProfile, wallarmProfile, nextRetry, expectedSchedule, intervalRange } from './profile/index.js'
export type { RetryProfile, RetrySchedule, TableSchedule, ExponentialSchedule, AutoDisableRule, NextRetry, ExpectedAttempt, WindowStats } from './profile/index.js'
export type {
  Sender,
  SenderOptions,
  AttemptOutcome,
  AttemptRequest,
  AttemptContext,
  AttemptFn,
  IntegrationSettings,
  IntegrationMethod,
  SenderContractEnv,
  SenderBodyFormat,
  Notification,
  AttemptRecord,
  ScheduledRetry,
  DeliveryOutcome,
  DeliveryResult,
  SenderEvents,
  SenderEventName,
  SenderListener,
} from './sender/index.js'

/* Conformance: run the scenarios against a sender and render the report */
export { runConformance, listScenarios, renderJunit as renderJunitReport, renderJson as renderJsonReport, renderHtmlReport } from './conformance/index.js'
export type { RunConformanceOptions, SenderSpec, SenderAdapter, SenderSession, SessionOptions } from './conformance/index.js'
export type {
  ConformanceReport,
  ScenarioResult,
  ScenarioStatus,
  ScenarioDefinition,
  ScenarioFamily,
  Check,
  Judgement,
  Observation,
  ProgressEvent,
  ConformanceSettings,
  DeliverySpec,
  SenderEvent,
  SenderEnd,
  Tolerance,
} from './conformance/index.js'

/* Web page and demo */
export { mountWebPage } from './web/index.js'
export type { WebPageContext, WebSenderState } from './web/index.js'
export { createDemo } from './demo/index.js'
export type { Demo, DemoOptions, DemoScenario, DemoScenarioName, DemoEnding, DemoEventName } from './demo/index.js'
export type { DemoEvent, DemoReadyEvent, DemoAttemptEvent, DemoWaitEvent, DemoDeliveryEndEvent, DemoDisabledEvent, DemoDoneEvent } from './demo/index.js'
