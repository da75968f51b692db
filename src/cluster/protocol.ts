/**
 * The messages between the primary and its workers under `serve --workers N` (node:cluster, the
 * `advanced` serialization, so that a batch's bytes travel as one Buffer).
 * @see docs/design.md "Beyond one core"
 */
import type { FluentdLogEvent, ReceiverOptions, TlsOptions } from '../receiver/index.js'

/** The receiver options a worker runs with: the serve options that are plain data. */
export type WorkerReceiverOptions = Omit<
  ReceiverOptions,
  'clock' | 'onError' | 'validator' | 'faults' | 'journal' | 'adminMount' | 'adminSettings' | 'isDeliverySuccess' | 'tls' | 'workers'
>

/** Primary → worker. */
export type ToWorker =
  /**
   * Run the receiver: `tls` undefined = plain HTTP; `ack`: wait for the primary's write before
   * answering; `timeOrigin`: the primary's performance.timeOrigin, so that monotonic times of every
   * worker are on the primary's scale.
   */
  | { t: 'start'; options: WorkerReceiverOptions; tls?: TlsOptions; ack: boolean; timeOrigin: number }
  /** Batch `seq` was handled: `failed` lists the items (by index) whose lines were not written, with why. */
  | { t: 'ack'; seq: number; failed: [number, string][] }
  /** Stop: close the receiver, send what the journal still holds, disconnect. */
  | { t: 'stop' }

/** Worker → primary. */
export type FromWorker =
  /** The worker listens for messages (sent before anything else: one sent earlier would be lost). */
  | { t: 'hello' }
  | { t: 'ready'; port: number }
  /** The receiver could not start (the message names why; `code` is a FakeFluentdError code when it was one). */
  | { t: 'failed'; message: string; code?: string }
  /**
   * Journal lines of one event-loop turn: `buf` holds the items' texts one after the other, item i
   * ending at byte `ends[i]` (an item is an entry's line with its continuation lines, or a correction
   * line, each line ending with '\n'). Ids in them are the worker's own.
   */
  | { t: 'lines'; seq: number; buf: Uint8Array; ends: number[] }
  /** One of Fluentd's own log lines of the worker's in_http. */
  | { t: 'log'; event: FluentdLogEvent }
  /** The worker's open client connections (sent when the count changed, at most every STATS_MS). */
  | { t: 'stats'; connections: number }

/** How often a worker reports its connection count at most, ms. */
export const STATS_MS = 500
