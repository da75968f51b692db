/**
 * The fault plan as JSON: the body of `PUT /api/faults`, the content of `--faults PLAN.json`, and
 * what the `--fault` shorthand compiles to. Validated by `schemas/fault-plan.schema.json` plus the
 * combination checks in `compile-plan.ts`.
 * @see docs/design.md "Fault plans"
 */

/** A whole plan: rules tried in order, the first matching rule decides. */
export interface FaultPlan {
  /** Seed of the random draws (probability and random delays); default: the engine's seed (1). */
  seed?: number
  /** Free text for people. */
  description?: string
  rules: FaultRule[]
}

/**
 * One rule: which requests it matches, the steps it applies one per matching request (a step with
 * `times: N` is used N times), then what it does once the steps are used up. Without `then`, a used-up
 * rule stops matching and the next matching rule (or plain Fluentd behaviour) decides.
 */
export interface FaultRule {
  /** Shown in the journal and in `GET /api/faults`. */
  id?: string
  description?: string
  /** Every given matcher must match; no `match` (or `{}`) matches every request and every connection. */
  match?: FaultMatch
  steps?: FaultStep[]
  /** Applied to every matching request once `steps` are used up; never used up itself. */
  then?: FaultStep
}

/** Request matchers; all given ones must match. */
export interface FaultMatch {
  /** HTTP method(s), case-insensitive: `"PUT"` or `["PUT", "POST"]`. */
  method?: string | string[]
  /**
   * Fluentd-style tag pattern: `*` matches one tag part (`a.*` matches `a.b`, not `a` or `a.b.c`),
   * `**` matches zero or more parts (`a.**` matches `a`, `a.b`, `a.b.c`), `{x,y}` either.
   */
  tag?: string
  /** Header name (case-insensitive) to an exact value, `{regex}`, or `{present: true|false}`. */
  header?: Record<string, HeaderMatcher>
  /** Which attempt of a delivery (1-based): a number, `[min, max]` inclusive, or `{min?, max?}`. */
  attempt?: number | [number, number] | { min?: number; max?: number }
  /**
   * A value in the request's records: a JSON Pointer (`/details/notification_type`) and what the value
   * there must be; the rule matches when any record of the request matches.
   */
  body?: BodyMatcher
}

/** A body matcher: a JSON Pointer into each record and an exact JSON value, an RE2 regex, or presence. */
export type BodyMatcher =
  | { pointer: string; equals: string | number | boolean | null }
  | { pointer: string; regex: string }
  | { pointer: string; present: boolean }

/** A header matcher: exact value (string, or `{equals}`), a regular expression, or presence. */
export type HeaderMatcher = string | { equals: string } | { regex: string } | { present: boolean }

/** A random delay: uniform in `[minMs, maxMs]`, or log-normal with a median and sigma (optionally capped). */
export type DelayDistribution =
  | { uniform: [number, number] }
  | { lognormal: { medianMs: number; sigma: number; maxMs?: number } }

/** Step actions named in JSON with `action`; a step with a `status` and no `action` responds. */
export type FaultActionName =
  | 'respond'
  | 'pass'
  | 'hang'
  | 'reset'
  | 'close'
  | 'slow-body'
  | 'stall-tls'
  | 'refuse'

/**
 * One step. Examples: `{"status": 500, "times": 3}`, `{"delayMs": 16000, "status": 200}`,
 * `{"action": "hang"}`, `{"action": "slow-body", "durationMs": 10000, "status": 200}`,
 * `{"action": "refuse", "durationMs": 5000}`, `{"probability": 0.6, "status": 503, "else": {"status": 200}}`.
 * A step with only a delay waits and then passes (behaves like Fluentd).
 */
export interface FaultStep {
  action?: FaultActionName
  /** Status to answer (200-599; 1xx interim answers are refused); implies `action: "respond"` unless `slow-body`. */
  status?: number
  /** Response body (text). */
  body?: string
  headers?: Record<string, string>
  /** Adds `Retry-After`: seconds (integer) or an HTTP date. */
  retryAfter?: number | string
  /** Fixed wait before acting, in ms. */
  delayMs?: number
  /** Random wait before acting. */
  delay?: DelayDistribution
  /** For `slow-body` (dribble time of the body) and `refuse` (how long new connections are refused), in ms. */
  durationMs?: number
  /** Apply this step's action with this probability (seeded draw); otherwise `else` (default: pass). */
  probability?: number
  else?: FaultStep
  /** How many matching requests (or connections, for stall-tls) this step is used for; default 1. */
  times?: number
}
