/**
 * Conformance types: scenarios (what the receiver does, what the sender is given, what is expected),
 * observations (journal + sender events), checks, results and the report.
 * @see docs/design.md "Conformance", "Sender contract"
 */
import type { JournalEntry } from '../journal/index.js'
import type { LagSample } from './lag-probe.js'
import type { SenderWait } from './sender-wait.js'
import type { RetryProfile } from '../profile/index.js'

/** Scenario families, one file each under scenarios/. */
export type ScenarioFamily = 'delivery' | 'format' | 'tls' | 'retry' | 'timeout' | 'disable' | 'forward'

/**
 * The integration settings handed to the sender under test (docs/sender-contract.md). Timeouts are
 * integration values at time scale 1; the sender multiplies them (and every interval and window) by
 * `timeScale`.
 */
export interface ConformanceSettings {
  url: string
  method: 'POST' | 'PUT'
  headers: Record<string, string>
  /** Path of a PEM CA certificate, or '' for none. */
  caFile: string
  verifyTls: boolean
  format: 'json' | 'ndjson'
  /** Request timeout at scale 1, ms. */
  requestTimeoutMs: number
  /** Connection (TCP + TLS) timeout at scale 1, ms. */
  connectTimeoutMs: number
  timeScale: number
}

/** What a scenario changes from the default settings (url and timeScale are filled in by the runner). */
export type SettingsOverrides = Partial<Omit<ConformanceSettings, 'url' | 'timeScale'>> & {
  /** 'none': no CA file; 'receiver': the receiver's CA (default). */
  ca?: 'none' | 'receiver'
}

/** One delivery handed to the sender: one request body, started `atMs` after the scenario starts. */
export interface DeliverySpec {
  /** Offset from the scenario start, ms (real time, already scaled); with `afterAttempts`, from that attempt's end. */
  atMs: number
  /**
   * Hand it `atMs` after the end of the n-th attempt the receiver saw (in journal order), instead of
   * after the scenario start: placements that must not depend on how fast the sender started.
   */
  afterAttempts?: number
  notifications: Array<Record<string, unknown>>
  /** true: handed as an array (one body of several); false: a single notification object. */
  batch: boolean
}

/** An event printed or emitted by the sender (`{"event":"disabled"}` and so on), stamped on arrival. */
export interface SenderEvent {
  event: string
  /** Monotonic ms (performance.now of the runner process) when the runner saw it. */
  mono: number
  data: Record<string, unknown>
}

/** How the sender process or session ended. */
export interface SenderEnd {
  /** 'ended': it finished by itself; 'killed': the runner cut it at the deadline; 'exited-early': before its input was complete. */
  how: 'ended' | 'killed' | 'exited-early'
  exitCode?: number | null
  signal?: string | null
  /** Last lines of standard error, for diagnostics. */
  stderrTail?: string
}

/** Everything a judge sees. Pure data: judges are functions of it. */
export interface Observation {
  /** Journal entries of this scenario's receiver, in id order. */
  journal: JournalEntry[]
  events: SenderEvent[]
  /** TCP connections the receiver accepted (monotonic ms), including ones that never carried a request. */
  connections: Array<{ connectionId: number; mono: number }>
  /** The deliveries as handed over, with the monotonic time each was handed. */
  handed: Array<DeliverySpec & { handedMono: number }>
  /** Monotonic ms of the scenario start and end. */
  startedMono: number
  endedMono: number
  /** Whether the adapter can report sender events at all (builtin: yes; command: when it prints any). */
  eventsReported: boolean
  senderEnd?: SenderEnd
  /** The runner's event-loop lateness during the scenario (lag probe), for the judges' slack. */
  lag: LagSample[]
  /** The sender runs on the runner's event loop (builtin): its own delays show in `lag`. */
  senderInProcess: boolean
  /** Lateness of a probe in a separate process: what any other process (an out-of-process sender) suffered. */
  machineLag?: LagSample[]
  /**
   * The sender's own wait for a CPU (a command sender's processes, Linux), read at the runner's
   * stamps; or why it was not measured (a URL sender, not Linux). Absent for the in-process sender,
   * whose delays are the runner's lag.
   */
  senderWait?: SenderWait
}

/**
 * The fixed part of the slack of measured times. A time passes when it lies in
 * [expected - (3 ms + rel x expected + runner lag), expected + (absMs + rel x expected + runner lag)];
 * the runner lag is measured per timestamp (see judges/precision.ts).
 */
export interface Tolerance {
  /** Late-side base slack, ms (real time): the sender's timer and connection setup. */
  absMs: number
  /** Relative slack, a fraction of the expected value (default 0). */
  rel: number
}

/** What a run's time judgements could resolve. */
export interface Precision {
  /** Times judged (intervals, timeouts). */
  judged: number
  /** Median early-side and late-side slack, ms. */
  earlyMs: number
  lateMs: number
  /** Largest early-side and late-side slack, ms. */
  worstEarlyMs: number
  worstLateMs: number
  /** Largest runner event-loop lateness that went into a slack, ms. */
  lagMs: number
  /** The schedule fit observed = k x expected + c, when the scenario had one. */
  fit?: { k: number; kErr: number; c: number; n: number; /** false: intervals too close together (or equal) to fit a scale; k taken as 1 and only c judged. */ sloped?: boolean }
}

/** One expectation and what was seen. */
export interface Check {
  name: string
  passed: boolean
  expected: string
  observed: string
  /** Journal entry ids that support the observation. */
  evidence: number[]
  /**
   * Set when the check passed but the measurement was too disturbed to tell a correct sender from
   * one 10 % off: the figure that made it so. The scenario is then inconclusive, never passed.
   */
  inconclusive?: string
}

/** The judgement of a scenario: checks plus, for timing scenarios, the side-by-side timeline. */
export interface Judgement {
  checks: Check[]
  /** Expected vs observed attempt timeline as a text table. */
  timeline?: string
  /** The precision of its time judgements. */
  precision?: Precision
  /**
   * A premise of the scenario, pinned by other scenarios, that the observation shows broken (e.g.
   * the sender's schedule is not the profile's): the scenario is then `blocked`, not failed.
   */
  premise?: BrokenPremise
}

/** A rule another scenario pins, seen broken here: what this scenario cannot judge without it. */
export interface BrokenPremise {
  rule: RuleId
  /** What was seen, in words. */
  observed: string
}

/** Context a scenario is built in. */
export interface BuildContext {
  profile: RetryProfile
  /** Real-time factor for this scenario (the scenario default or the --time-scale override). */
  timeScale: number
  tolerance: Tolerance
}

/** A scenario made concrete for one profile and time scale. */
export interface BuiltScenario {
  /** The receiver's fault plan (JSON, as `PUT /api/faults`); undefined = plain Fluentd behaviour. */
  plan?: unknown
  settings: SettingsOverrides
  deliveries: DeliverySpec[]
  /** Hard limit for the run, ms (real time); the sender is stopped then. */
  deadlineMs: number
  /** Time to keep watching after the sender says it is done, ms (catches late attempts). */
  settleMs: number
  /** How long the scenario should take with a correct sender, ms (for --list). */
  estimateMs: number
  /** Optional: stop early once the observation is conclusive (e.g. N attempts seen). */
  doneWhen?: (obs: Observation) => boolean
  /** The first attempts the runner expects, for progress output: offsets (ms) from a delivery's first attempt. */
  expectedOffsetsMs?: number[]
  judge(obs: Observation): Judgement
}

/** A scenario of the catalogue. */
export interface ScenarioDefinition {
  /** Kebab id, `family.name`, e.g. `retry.cycle-1`. */
  id: string
  family: ScenarioFamily
  title: string
  /** What it checks and how, one or two sentences (shown by --list). */
  description: string
  /** Default real-time factor (1 = real durations). */
  defaultTimeScale: number
  /** The default factor for a profile, when it depends on it (the timeout scenarios: whole seconds); else defaultTimeScale. */
  timeScaleFor?(profile: RetryProfile): number
  /** Why the scenario does not apply to a profile, or null when it does. */
  notApplicable?(profile: RetryProfile): string | null
  /** The profile rules a sender must get right to pass it (the mutation matrix checks each one). */
  pins: readonly RuleId[]
  /**
   * Rules this scenario relies on but does not judge (other scenarios pin them). When one of those
   * scenarios fails in the same run, or the judge sees the premise broken, this one is `blocked`.
   */
  premises?: readonly RuleId[]
  /**
   * This scenario judges only one side of the rules it pins (retry.on-3xx: that 3xx is not a
   * success), not the side other scenarios rely on (that 2xx is): its failure blocks no other scenario.
   */
  pinsOneSide?: true
  build(ctx: BuildContext): BuiltScenario
}

/**
 * The rules in the order premises may point: a scenario's premises come before every rule it pins,
 * so that no two scenarios can block each other (the one whose rule comes first carries a failure).
 */
export const RULE_ORDER: readonly RuleId[] = ['success-status', 'interval', 'max-attempts', 'interval-from', 'request-timeout', 'connect-timeout', 'failure-ratio', 'min-attempts', 'window']

/** A rule of the profile a scenario pins (see conformance/mutants.ts). */
export type RuleId =
  | 'interval'
  | 'max-attempts'
  | 'failure-ratio'
  | 'min-attempts'
  | 'window'
  | 'request-timeout'
  | 'connect-timeout'
  | 'interval-from'
  | 'success-status'

/**
 * inconclusive: the runner's own measurement was too disturbed to judge (never a pass); blocked: a
 * premise pinned by another scenario is broken (that scenario names the rule; never a pass either).
 */
export type ScenarioStatus = 'passed' | 'failed' | 'blocked' | 'inconclusive' | 'error' | 'skipped'

export interface ScenarioResult {
  id: string
  title: string
  family: ScenarioFamily
  status: ScenarioStatus
  timeScale: number
  durationMs: number
  /** From the sender's start to its `ready` event or first attempt, ms (not counted against deadlines). */
  startupMs?: number
  checks: Check[]
  timeline?: string
  precision?: Precision
  /** One-paragraph summary of what failed (failures and errors), with the comparison. */
  message?: string
  /** The broken premise the judge saw (status blocked, or failed when no scenario pins the rule). */
  premise?: BrokenPremise
  /** Status blocked: the scenarios whose rule failed (this one's verdict waits on theirs). */
  blockedBy?: string[]
  /** Error code when status is 'error' (e.g. FF_ERR_SENDER_EXITED). */
  errorCode?: string
  senderEnd?: SenderEnd
  /**
   * Whether the sender's own wait for a CPU was measured ("measured: ...") or why not ("sender lag
   * not measured: ..."); absent for the in-process sender, whose delays are the runner's lag.
   */
  senderLag?: string
  /** Journal entries of the run (for the JSON report). */
  journal: Array<Pick<JournalEntry, 'id' | 'kind' | 'receivedMono' | 'endedMono' | 'connectedMono' | 'requestOnConnection' | 'deliveryKey' | 'method' | 'tag' | 'status' | 'outcome' | 'attempt'>>
  events: SenderEvent[]
}

export interface ConformanceReport {
  sender: string
  profile: string
  startedAt: string
  durationMs: number
  tolerance: Tolerance
  /**
   * The precision the whole run achieved, in words (every report states it), ending with whether the
   * sender's side of the lag was measured ("sender lag measured ..." / "sender lag not measured: why").
   */
  precision: string
  totals: { total: number; passed: number; failed: number; blocked: number; inconclusive: number; errors: number; skipped: number }
  results: ScenarioResult[]
}

/** Live progress, for the CLI (: the runner emits, subscribers print). */
export type ProgressEvent =
  | { type: 'scenario-start'; id: string; title: string; timeScale: number; deadlineMs: number }
  | { type: 'waiting'; id: string; waitingFor: string; attemptsSeen: number; nextExpectedInMs?: number }
  | { type: 'attempt'; id: string; entryId: number; kind: string; status?: number; outcome: string; attemptsSeen: number }
  | { type: 'scenario-end'; id: string; status: ScenarioStatus; durationMs: number; message?: string; startupMs?: number }
  | { type: 'scenario-blocked'; id: string; blockedBy: string[]; rule: RuleId }
