/**
 * The public library API of fake-fluentd: explicit named exports only.
 * Each part adds its factories and option types under its own heading.
 */

/* Errors */
export { FakeFluentdError, ErrorCodes, isFakeFluentdError } from './errors.js'
export type { ErrorCode } from './errors.js'

/* Time */
export { systemClock, ManualClock, parseDuration } from './clock/index.js'
export type { Clock } from './clock/index.js'

/* Journal, faults and validation contracts */
export type { JournalEntry, JournalEvent, JournalOutcome, JournalEntryKind } from './journal/types.js'
export type {
  FaultEngine,
  RequestFacts,
  ConnectionFacts,
  ResponseAction,
  ConnectionAction,
  AppliedFault,
  RequestDecision,
  ConnectionDecision,
} from './faults/types.js'

/* Receiver, journal, admin and certificates */
export { startReceiver, DEFAULT_BODY_LIMIT, TLS_VERSION_OPTIONS, OUTPUT_MODES, formatFluentdLine, parseRequestBody } from './receiver/index.js'
export type { Receiver, ReceiverOptions, TlsOptions, TlsVersionOption, OutputMode, ParsedEvent, ParseResult } from './receiver/index.js'
export { createJournal, DEFAULT_JOURNAL_MAX, filterEntries } from './journal/index.js'
export type { Journal, JournalOptions, JournalChange, JournalListener, JournalQuery, NewJournalEntry } from './journal/index.js'
export { createAdminApp, startAdminServer } from './admin/index.js'
export type { AdminAppOptions, AdminMount, AdminServer, AdminServerOptions } from './admin/index.js'
export { ensureCertificates, loadCertificateFiles, describeCertificate } from './certs/index.js'
export type { CertificateSet, CertificateInfo, EnsureCertificatesOptions } from './certs/index.js'

/* Faults */
export { createFaultEngine, parseFaultShorthand, validateFaultPlan, loadFaultPlanFile, explainStep, DEFAULT_FAULT_SEED } from './faults/index.js'
export type { FaultEngineOptions, FaultPlan, FaultRule, FaultMatch, FaultStep, FaultActionName, HeaderMatcher, DelayDistribution } from './faults/index.js'
export type { Verdict, VerdictError, Validator, ValidationMode } from './validation/types.js'

/* Validation */
export { createValidator, parseNotifications, sampleNotification, sampleTypes, sampleHit } from './validation/index.js'
export type { CreateValidatorOptions, UnknownTypePolicy, BodyFormat, ParsedItem, ParseFailure, ParsedNotifications, SampleAttack } from './validation/index.js'
export type { KnownNotification, KnownNotificationType, NotificationEnvelope, Hit, Vulnerability, SecurityIssue, ScopeChange, ChangedParameter } from './validation/notification-types.js'
/** Every per-type notification type (NewHitsNotification, VulnNotification, ...), generated from schemas/. */
export type * as Notifications from './validation/notification-types.js'

/* Sender */
export {
  createSender,
  loadProfile,
  parseProfile,
  wallarmProfile,
  isSuccessStatus,
  nextRetry,
  expectedSchedule,
  intervalRange,
  maxAttempts,
  DisableWindow,
  performAttempt,
  classifyError,
  settingsFromEnv,
  settingsToEnv,
  encodeBody,
  seededRng,
  integrationDisabledNotification,
  runContractSender,
} from './sender/index.js'
export type {
  Sender,
  SenderOptions,
  RetryProfile,
  RetrySchedule,
  TableSchedule,
  ExponentialSchedule,
  AutoDisableRule,
  NextRetry,
  ExpectedAttempt,
  WindowStats,
  AttemptOutcome,
  AttemptRequest,
  AttemptContext,
  AttemptFn,
  IntegrationSettings,
  IntegrationMethod,
  SenderContractEnv,
  SenderBodyFormat,
  Notification,
  Rng,
  IntegrationDisabledNotification,
  ContractRunOptions,
  ContractRunSummary,
  AttemptRecord,
  ScheduledRetry,
  DeliveryOutcome,
  DeliveryResult,
  SenderEvents,
  SenderEventName,
  SenderListener,
} from './sender/index.js'

/* Conformance */
export { runConformance, listScenarios, makeAdapter, DEFAULT_TOLERANCE } from './conformance/runner.js'
export type { RunConformanceOptions, SenderSpec } from './conformance/runner.js'
export { scenarios as conformanceScenarios, selectScenarios } from './conformance/scenarios/index.js'
export { builtinAdapter } from './conformance/adapters/builtin.js'
export { commandAdapter } from './conformance/adapters/command.js'
export { urlAdapter } from './conformance/adapters/url.js'
export type { SenderAdapter, SenderSession, SessionOptions } from './conformance/adapters/types.js'
export { renderJunit as renderJunitReport } from './conformance/reports/junit.js'
export { renderJson as renderJsonReport } from './conformance/reports/json.js'
export type {
  ConformanceReport,
  ScenarioResult,
  ScenarioStatus,
  ScenarioDefinition,
  ScenarioFamily,
  BuiltScenario,
  Check,
  Judgement,
  Observation,
  ProgressEvent,
  ConformanceSettings,
  DeliverySpec,
  SenderEvent,
  SenderEnd,
  Tolerance,
} from './conformance/types.js'

/* Web page and demo */
export { mountWebPage } from './web/mount.js'
export type { WebPageContext, WebSenderState } from './web/mount.js'
export { WEB_PAGE_CSP } from './web/csp.js'
export { renderHtmlReport } from './conformance/reports/html.js'
export { createDemo } from './demo/demo.js'
export type { Demo, DemoOptions } from './demo/demo.js'
export { DEMO_SCENARIOS, demoScenario } from './demo/scenarios.js'
export type { DemoScenario, DemoScenarioName, DemoEnding } from './demo/scenarios.js'
export type { DemoEvent, DemoReadyEvent, DemoAttemptEvent, DemoWaitEvent, DemoDeliveryEndEvent, DemoDisabledEvent, DemoDoneEvent } from './demo/events.js'
