/**
 * The contract between the fault engine (decides) and the receiver (executes).
 * The engine is pure decision logic over a plan; it never touches sockets. The receiver asks it
 * once per new TCP connection and once per request, then carries out the returned action.
 * @see docs/design.md "Fault plans"
 */
import type { IncomingHttpHeaders } from 'node:http'
import type { PlanLimits } from './plan-limits.js'

/** What the receiver knows about a request when it asks for a decision (body already read). */
export interface RequestFacts {
  method: string
  /** Path without the query string. */
  path: string
  tag: string
  headers: IncomingHttpHeaders
  remoteAddress: string
  connectionId: number
  /**
   * Which attempt of a delivery this is, 1-based, as src/deliveries numbers it (the journal's
   * `attempt`): requests with the same tag and body bytes continue a delivery until one succeeds.
   */
  attempt: number
  /** The request's records (parsed as Fluentd parses the body), given when needsRecords() says so. */
  records?: readonly unknown[]
}

export interface ConnectionFacts {
  remoteAddress: string
  connectionId: number
}

/** What the receiver does with a request. */
export type ResponseAction =
  /** Behave exactly as Fluentd's in_http would (parse, emit, 200/400/413 ...). */
  | { type: 'pass' }
  /** Answer with this status (1xx-5xx), optional body and headers; events are NOT emitted unless 2xx. */
  | { type: 'respond'; status: number; body?: string; headers?: Record<string, string> }
  /** Never answer; the connection stays open until the client gives up or the server stops. */
  | { type: 'hang' }
  /** Cut the connection with a TCP RST. */
  | { type: 'reset' }
  /** Close the connection (FIN) without answering. */
  | { type: 'close' }
  /** Send status and headers, then dribble the body over `durationMs`. */
  | { type: 'slow-body'; durationMs: number; status: number; body?: string; headers?: Record<string, string> }
  /** Reset this connection and stop accepting new connections for `durationMs` (clients see ECONNREFUSED). */
  | { type: 'refuse'; durationMs: number }

/** What the receiver does with a new TCP connection, before any TLS or HTTP byte is read. */
export type ConnectionAction =
  | { type: 'accept' }
  /** Hold the TCP connection open and never answer the TLS ClientHello (the client's connect timeout fires). */
  | { type: 'stall-tls' }
  | { type: 'reset' }
  | { type: 'refuse'; durationMs: number }

/** Which rule and step produced a decision; goes into the journal verbatim. */
export interface AppliedFault {
  ruleIndex: number
  ruleId?: string
  /** Index in the rule's steps, or 'then' once the sequence is used up. */
  step: number | 'then'
  /** Human-readable, e.g. `respond 503 (step 2 of 3, rule 0)`. */
  explain: string
  /** For probabilistic steps: the seeded draw and whether it hit. */
  draw?: { seed: number; n: number; value: number; probability: number; hit: boolean }
}

export interface RequestDecision {
  /** Wait this long before acting (0 = at once). */
  delayMs: number
  action: ResponseAction
  /** Undefined when no rule matched (plain Fluentd behaviour). */
  applied?: AppliedFault
}

export interface ConnectionDecision {
  delayMs: number
  action: ConnectionAction
  applied?: AppliedFault
}

export interface FaultEngine {
  decideConnection(facts: ConnectionFacts): ConnectionDecision
  decideRequest(facts: RequestFacts): RequestDecision
  /** The current plan as JSON, with each rule's remaining steps explained. */
  describe(): unknown
  /** Replaces the plan (validated; throws FakeFluentdError FF_ERR_FAULT_SPEC); counters start afresh. */
  setPlan(plan: unknown): void
  /** What a plan may hold (`setPlan` refuses more; the admin API bounds a plan's body by `maxBytes`). */
  limits?(): PlanLimits
  /** Removes every rule: the receiver behaves like Fluentd again. */
  clear(): void
  /** True when a rule matches on the body's records (the receiver then parses them before deciding). */
  needsRecords?(): boolean
  /** Restarts every rule's step sequence (and the random stream) without changing the plan. */
  resetCounters(): void
}
