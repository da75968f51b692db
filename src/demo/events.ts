/**
 * What the demo engine tells its subscribers (: the engine emits, src/cli prints). Times are
 * real milliseconds (already time-scaled); `mono` values are performance.now() of this process.
 */
import type { DemoEnding, DemoScenarioName } from './scenarios.js'

/** The demo is up: where to look and what to expect. */
export interface DemoReadyEvent {
  type: 'ready'
  scenario: DemoScenarioName
  story: string
  timeScale: number
  /** Where the sender delivers (the fake Fluentd). */
  ingestUrl: string
  /** The web page (admin server). */
  pageUrl: string
  /** CA certificate file the sender trusts (with `tls` only). */
  caPath?: string
  profileName: string
  /** Scaled retry intervals per cycle, ms. */
  cycles: number[][]
  /** Scaled request timeout, ms. */
  requestTimeoutMs: number
  deliveries: number
  /** Rough length of the story, ms (intervals + timeouts as planned). */
  expectedDurationMs: number
  ending: DemoEnding
}

/** One finished attempt, compared with the schedule. */
export interface DemoAttemptEvent {
  type: 'attempt'
  /** 1-based delivery number within the demo. */
  delivery: number
  /** 1-based attempt number of the delivery. */
  attempt: number
  /** Cycle of the interval that led to it; 0 for the first attempt. */
  cycle: number
  /** Position of that interval in its cycle, 1-based; 0 for the first attempt. */
  position: number
  /** Interval the profile plans before this attempt (scaled), ms; undefined for the first attempt. */
  plannedMs?: number
  /** Measured interval: end of the previous attempt to the start of this one, ms. */
  actualMs?: number
  /** How long the attempt took, ms. */
  durationMs: number
  ok: boolean
  /** HTTP status received, when there was one. */
  status?: number
  /** Short description of a failure without status: `timeout`, `reset`, `refused`, `tls` ... */
  failure?: string
  /** Milliseconds since the demo started, at the attempt's start. */
  atMs: number
}

/** The sender waits before the next attempt. */
export interface DemoWaitEvent {
  type: 'waiting'
  delivery: number
  nextAttempt: number
  cycle: number
  /** The interval the sender waits (scaled), ms. */
  delayMs: number
  /** Monotonic ms when the next attempt is due. */
  dueMono: number
}

export interface DemoDeliveryEndEvent {
  type: 'delivered' | 'dropped'
  delivery: number
  attempts: number
}

export interface DemoDisabledEvent {
  type: 'disabled'
  /** Attempts and failures in the window when the integration was disabled. */
  attempts: number
  failed: number
  ratio: number
}

/** The story is over (the page stays up until close()). */
export interface DemoDoneEvent {
  type: 'done'
  ending: DemoEnding | 'stopped'
  /** Whether the story ended the way the scenario says it should. */
  asExpected: boolean
  elapsedMs: number
  attempts: number
}

export type DemoEvent = DemoReadyEvent | DemoAttemptEvent | DemoWaitEvent | DemoDeliveryEndEvent | DemoDisabledEvent | DemoDoneEvent
