/**
 * The sender's typed events: the engine emits, printers, the demo timeline and the
 * conformance recorder subscribe. Times are the sender clock's monotonic ms.
 */
import type { AttemptOutcome } from './attempt.js'
import type { WindowStats } from '../profile/index.js'
import type { IntegrationDisabledNotification } from './system-notification.js'

/** One attempt as it happened. */
export interface AttemptRecord {
  /** 1-based attempt number within its delivery. */
  attempt: number
  /** Cycle of the interval that preceded it (0 for the first attempt). */
  cycle: number
  /** Position of that interval in its cycle (0 for the first attempt). */
  indexInCycle: number
  /** Clock ms when the request started and when it ended (answer read, timeout fired, error). */
  startedAt: number
  endedAt: number
  outcome: AttemptOutcome
  /** True when the outcome is a response with a success status of the profile. */
  ok: boolean
  /** Interval waited before this attempt, scaled ms (null for the first attempt). */
  scheduledIntervalMs: number | null
  /** The same interval at time scale 1, ms (null for the first attempt). */
  profileIntervalMs: number | null
}

/** The retry scheduled after a failed attempt. */
export interface ScheduledRetry {
  deliveryId: number
  /** The attempt that failed. */
  afterAttempt: number
  /** The attempt that will follow. */
  attempt: number
  cycle: number
  indexInCycle: number
  /** Interval, scaled ms (what the sender actually waits). */
  intervalMs: number
  /** Interval at time scale 1, ms (the profile's value, after jitter). */
  profileIntervalMs: number
  /** Clock ms when the next attempt is due. */
  dueAt: number
}

/** How a delivery ended. */
export type DeliveryOutcome = 'delivered' | 'dropped' | 'disabled' | 'cancelled'

/** The result of one delivery with every attempt it made. */
export interface DeliveryResult {
  /** 1-based, in the order deliveries were handed to the sender. */
  deliveryId: number
  outcome: DeliveryOutcome
  attempts: AttemptRecord[]
  /** Clock ms when deliver() was called and when the delivery ended. */
  startedAt: number
  endedAt: number
}

/** Every event and its payload. */
export interface SenderEvents {
  'attempt-start': {
    deliveryId: number
    attempt: number
    cycle: number
    indexInCycle: number
    startedAt: number
    scheduledIntervalMs: number | null
  }
  /** `nextRetry`: the retry that follows (null when delivered, dropped or disabled). */
  'attempt-end': { deliveryId: number; record: AttemptRecord; nextRetry: ScheduledRetry | null }
  'retry-scheduled': ScheduledRetry
  delivered: { deliveryId: number; result: DeliveryResult }
  dropped: { deliveryId: number; result: DeliveryResult }
  /** Emitted once per integration, when the auto-disable rule trips. */
  disabled: { at: number; stats: WindowStats; notification: IntegrationDisabledNotification }
  /** Every delivery's end, whatever the outcome (after `delivered` / `dropped` when those fire). */
  ended: { deliveryId: number; result: DeliveryResult }
}

/** Name of a sender event. */
export type SenderEventName = keyof SenderEvents

/** A listener of one event. */
export type SenderListener<E extends SenderEventName> = (payload: SenderEvents[E]) => void

/** A minimal typed emitter; listeners run synchronously in subscription order. */
export class TypedEmitter {
  readonly #listeners = new Map<SenderEventName, Set<(payload: never) => void>>()

  /** Subscribes; returns the function that unsubscribes. */
  on<E extends SenderEventName>(event: E, listener: SenderListener<E>): () => void {
    let set = this.#listeners.get(event)
    if (!set) this.#listeners.set(event, (set = new Set()))
    set.add(listener as (payload: never) => void)
    return () => {
      set.delete(listener as (payload: never) => void)
    }
  }

  /** Calls every listener of `event`; a throwing listener propagates to the emitter's caller. */
  emit<E extends SenderEventName>(event: E, payload: SenderEvents[E]): void {
    for (const l of [...(this.#listeners.get(event) ?? [])]) (l as SenderListener<E>)(payload)
  }
}
