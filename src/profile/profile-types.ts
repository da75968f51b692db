/**
 * A retry profile: the delivery rules of a sender, as data (profiles/*.json, validated by
 * schemas/profile.schema.json). The reference sender runs it; the conformance judges compare
 * observed attempts with it. Every duration is in milliseconds at time scale 1.
 * @see docs/design.md "Delivery rules"
 */

/**
 * How an interval d is drawn: `none` exactly d; `full` uniform in [0, d]; `equal` d/2 + uniform in
 * [0, d/2]; `proportional` uniform in [d x (1 - jitterRatio), d x (1 + jitterRatio)] (Fluentd's
 * retry_randomize: d + d x 0.125 x (2 x rand - 1)); `additive` uniform in [d, d + jitterMs] (got's
 * retry noise).
 */
export type Jitter = 'none' | 'full' | 'equal' | 'proportional' | 'additive'

/** The jitter settings both schedule kinds share. */
export interface JitterSettings {
  /** `proportional` needs `jitterRatio`. */
  jitter: Jitter
  /** Half-width of `proportional` jitter as a fraction of the interval (Fluentd: 0.125). */
  jitterRatio?: number
  /** Width of `additive` jitter, ms at time scale 1 (got: 100). */
  jitterMs?: number
  /** The first retry waits its interval exactly, without jitter (Fluentd: retry_wait is not randomized). */
  firstIntervalExact?: boolean
}

/** Fixed tables of intervals, cycle after cycle (Wallarm: [[1s,3s,5s,10s,10s],[0,1s,3s,5s,30s],[1m,1m,3m,5m,10m,30m]]). */
export interface TableSchedule extends Partial<JitterSettings> {
  kind: 'table'
  /** Retry intervals per cycle in ms; one attempt follows each interval; dropped after the last. */
  cycles: number[][]
}

/** Exponential backoff with optional jitter (as many webhook senders do); multiplier 1 is periodic. */
export interface ExponentialSchedule extends JitterSettings {
  kind: 'exponential'
  /** Interval before the first retry, ms. */
  initialMs: number
  multiplier: number
  /** Upper bound of any interval, ms. */
  maxMs: number
  /** Retries after the first attempt; dropped after the last. null: no count limit (giveUpAfter must be set). */
  maxRetries: number | null
}

export type RetrySchedule = TableSchedule | ExponentialSchedule

export interface AutoDisableRule {
  /** Sliding window over attempts of the integration, ms (Wallarm: 12 h). */
  windowMs: number
  /** Disable when failed/attempts in the window reaches this ratio (Wallarm: 0.6, inclusive). */
  failureRatio: number
  /** Do not judge before this many attempts are in the window (Wallarm profile: 20). */
  minAttempts: number
}

export interface RetryProfile {
  name: string
  description?: string
  /** The document(s) the profile follows (a sender's documentation or source), for a reader to check it. */
  source?: string
  schedule: RetrySchedule
  /** Request timeout (no complete answer within it = failed attempt), ms. Wallarm: 15000. */
  requestTimeoutMs: number
  /** Connection timeout (TCP + TLS handshake), ms. Wallarm: 20000. */
  connectTimeoutMs: number
  /** Status codes that count as success, as inclusive ranges. Wallarm: [[200, 299]]. */
  successStatus: Array<[number, number]>
  /** 3xx answers are failures and are never followed. */
  followRedirects: false
  /**
   * Where an interval is measured from: the end of the failed attempt (answer received, timeout
   * fired, error), or its start (the next attempt starts `interval` after the failed one started,
   * or at once when the failed attempt took longer than that).
   */
  intervalFrom: 'attempt-end' | 'attempt-start'
  /** null: never disables. */
  autoDisable: AutoDisableRule | null
  /** A time limit on retrying (Fluentd's retry_timeout); absent or null: none. */
  giveUpAfter?: GiveUpAfter | null
  /**
   * One retry state for the whole sender (Fluentd: one per output plugin) instead of one per
   * delivery: deliveries go out one at a time in the order handed over, and while one is failing
   * the later ones wait behind it (head-of-line); the next starts once it is delivered or dropped.
   * Default false.
   */
  sharedRetryState?: boolean
  /** With a shared retry state: a delivery that is dropped takes every waiting one with it (Fluentd clears its queue). */
  dropQueuedOnGiveUp?: boolean
}

/**
 * Give up after a total time, measured from the end of the delivery's first failed attempt (where
 * Fluentd starts its retry state). `at-deadline`: a retry that would start later starts at the
 * deadline instead and is the last (Fluentd); `none`: a retry that would start later is not made.
 */
export interface GiveUpAfter {
  ms: number
  lastRetry: 'at-deadline' | 'none'
}
