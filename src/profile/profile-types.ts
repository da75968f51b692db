/**
 * A retry profile: the delivery rules of a sender, as data (profiles/*.json, validated by
 * schemas/profile.schema.json). The reference sender runs it; the conformance judges compare
 * observed attempts with it. Every duration is in milliseconds at time scale 1.
 * @see docs/design.md "Delivery rules"
 */

/** Fixed tables of intervals, cycle after cycle (Wallarm: [[1s,3s,5s,10s,10s],[0,1s,3s,5s,30s],[1m,1m,3m,5m,10m,30m]]). */
export interface TableSchedule {
  kind: 'table'
  /** Retry intervals per cycle in ms; one attempt follows each interval; dropped after the last. */
  cycles: number[][]
}

/** Exponential backoff with optional jitter (as many webhook senders do). */
export interface ExponentialSchedule {
  kind: 'exponential'
  /** Interval before the first retry, ms. */
  initialMs: number
  multiplier: number
  /** Upper bound of any interval, ms. */
  maxMs: number
  /** Retries after the first attempt; dropped after the last. */
  maxRetries: number
  /** `full`: uniform in [0, d]; `equal`: d/2 + uniform in [0, d/2]; `none`: exactly d. */
  jitter: 'none' | 'full' | 'equal'
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
}
