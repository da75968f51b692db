/**
 * Fluentd's own log lines: what the real in_http logs for each error path (next to the events on
 * stdout). The receiver emits them as typed events; a front end (the CLI's printer) prints them with
 * formatFluentdLogLine, as `2026-11-29 18:43:16 +0000 [error]: #0 failed to process request ...`.
 * @see docs/design.md "Answering as Fluentd"
 */
import { formatFluentdLogTime } from './fluentd-format.js'
import { PARAM_REQUIRED_MESSAGE } from './parse-body.js'

/** One line of Fluentd's log, as the receiver saw the reason for it. */
export type FluentdLogEvent =
  /** A 400 (or other answer) from an exception while building records: `failed to process request`. */
  | { type: 'process-failed'; level: 'error'; at: number; errorClass: string; message: string }
  /** The events could not be emitted (here: the journal file write failed): 500 `failed to emit data`. */
  | { type: 'emit-failed'; level: 'error'; at: number; errorClass: string; message: string }
  /** A gzip/deflate body that does not decode (answered 400, closed). */
  | { type: 'decode-failed'; level: 'warn'; at: number; message: string }
  /** The HTTP parser gave up on the bytes (no answer, reset). */
  | { type: 'unexpected-error'; level: 'warn'; at: number; message: string }
  /** A TLS client went away in a way OpenSSL reports (e.g. no close_notify). */
  | { type: 'ssl-error'; level: 'warn'; at: number; message: string }

/** Log events of one kind, to whoever subscribed; subscribe() returns the unsubscribe function. */
export interface EventLog<E> {
  emit(event: E): void
  subscribe(listener: (event: E) => void): () => void
}

/** Where the receiver's log events go. */
export type FluentdLog = EventLog<FluentdLogEvent>

/** An event log (the in_http receiver's, the forward listener's): a faulty subscriber never breaks the emitter. */
export function createEventLog<E>(): EventLog<E> {
  const listeners = new Set<(event: E) => void>()
  return {
    emit(event) {
      for (const l of listeners) {
        try {
          l(event)
        } catch {
          // A faulty subscriber must never break the ingest path.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

export function createFluentdLog(): FluentdLog {
  return createEventLog<FluentdLogEvent>()
}

/** The Ruby exception class Fluentd names for a parse failure message. */
export function rubyErrorClass(message: string): string {
  if (message === PARAM_REQUIRED_MESSAGE) return 'RuntimeError'
  if (message.startsWith("can't convert ")) return 'TypeError'
  return 'RuntimeError'
}

/** Ruby's inspect of a string in a log field: `"..."` with `"` and `\` escaped. */
function quote(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`
}

/** The text after `[level]: #0 `. */
function logText(e: FluentdLogEvent): string {
  switch (e.type) {
    case 'process-failed':
      return `failed to process request error_class=${e.errorClass} error=${quote(e.message)}`
    case 'emit-failed':
      return `failed to emit data error_class=${e.errorClass} error=${quote(e.message)}`
    case 'decode-failed':
      return `fails to decode payload error=${quote(e.message)}`
    case 'unexpected-error':
      return `unexpected error error=${quote(e.message)}`
    case 'ssl-error':
      return `close socket due to unexpected ssl error: ${e.message}`
  }
}

/** One log line as Fluentd prints it, with the newline: `<time> [level]: #0 <text>`. */
export function formatFluentdLogLine(e: FluentdLogEvent): string {
  return `${formatFluentdLogTime(e.at)} [${e.level}]: #0 ${logText(e)}\n`
}
