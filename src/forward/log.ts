/**
 * in_forward's own log lines (`... [warn]: #0 incoming chunk is broken: ...`), emitted as they
 * happen; a front end prints them with formatForwardLogLine (the CLI, beside the events on stdout).
 */
import { formatFluentdLogTime } from '../receiver/index.js'

export interface ForwardLogEvent {
  level: 'warn' | 'error' | 'info'
  /** Wall clock ms. */
  at: number
  /** The text after `#0 `. */
  text: string
}

export interface ForwardLog {
  emit(event: ForwardLogEvent): void
  subscribe(listener: (event: ForwardLogEvent) => void): () => void
}

export function createForwardLog(): ForwardLog {
  const listeners = new Set<(event: ForwardLogEvent) => void>()
  return {
    emit(event) {
      for (const l of listeners) {
        try {
          l(event)
        } catch {
          // A faulty subscriber must never break the listener.
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}

export function formatForwardLogLine(e: ForwardLogEvent): string {
  return `${formatFluentdLogTime(e.at)} [${e.level}]: #0 ${e.text}\n`
}
