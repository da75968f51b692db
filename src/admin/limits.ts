/**
 * The bounds of the admin API's SSE stream, with their defaults (a module of its own so that the CLI
 * can show the defaults without loading the server).
 * @see docs/design.md "Admin API"
 */

/** The bounds of the SSE stream (flags: --admin-stream-buffer, --admin-max-streams, --admin-stream-replay). */
export interface StreamLimits {
  /** Unsent bytes one subscriber may have before it is dropped. Default 1 MiB. */
  bufferBytes: number
  /** Streams open at once; one more is answered 503. Default 32. */
  maxSubscribers: number
  /** Summaries replayed at most after Last-Event-ID. Default 1000. */
  replayMax: number
}

export const DEFAULT_STREAM_LIMITS: Readonly<StreamLimits> = { bufferBytes: 1024 * 1024, maxSubscribers: 32, replayMax: 1000 }
