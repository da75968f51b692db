/**
 * What the receiver sees, published as it happens on a `node:diagnostics_channel` channel (as undici
 * publishes its requests): a connection accepted, its TLS handshake done, a request read (with its
 * delivery and attempt), an attempt ended (answered or cut). The conformance runner subscribes to
 * learn of attempts as they happen; nothing else needs to wrap the receiver's parts to watch it.
 * Publishing costs nothing while nobody subscribes (`observing()` guards building the message).
 * @see docs/design.md "Parts"
 */
import { channel } from 'node:diagnostics_channel'
import type { JournalEntryKind, JournalOutcome } from '../journal/index.js'

/** The channel's name. */
export const OBSERVATION_CHANNEL = 'fake-fluentd:receiver'

interface Base {
  /** The receiver's local port (tells receivers of one process apart). */
  port: number
  /** Monotonic ms (the receiver's clock). */
  mono: number
}

/** One thing the receiver saw. */
export type ReceiverObservation =
  | (Base & { type: 'accepted'; connectionId: number })
  | (Base & { type: 'handshake'; connectionId: number })
  | (Base & { type: 'request'; connectionId: number; entryId: number; deliveryKey: string; attempt: number })
  | (Base & { type: 'answer'; entryId: number; kind: JournalEntryKind; outcome: JournalOutcome; status?: number })

const observations = channel(OBSERVATION_CHANNEL)

/** True when someone subscribes (build the message only then). */
export function observing(): boolean {
  return observations.hasSubscribers
}

/** Publishes one observation. */
export function publishObservation(o: ReceiverObservation): void {
  observations.publish(o)
}

/** Calls `fn` for every observation of every receiver in this process; returns the unsubscribe function. */
export function subscribeObservations(fn: (o: ReceiverObservation) => void): () => void {
  const listener = (message: unknown): void => fn(message as ReceiverObservation)
  observations.subscribe(listener)
  return () => {
    observations.unsubscribe(listener)
  }
}
