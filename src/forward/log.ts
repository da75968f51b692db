/**
 * in_forward's own log lines (`... [warn]: #0 incoming chunk is broken: ...`), emitted as they
 * happen; a front end prints them with formatForwardLogLine (the CLI, beside the events on stdout).
 */
import { createEventLog, formatFluentdLogTime, type EventLog } from '../receiver/index.js'

export interface ForwardLogEvent {
  level: 'warn' | 'error' | 'info'
  /** Wall clock ms. */
  at: number
  /** The text after `#0 `. */
  text: string
}

export type ForwardLog = EventLog<ForwardLogEvent>

export function createForwardLog(): ForwardLog {
  return createEventLog<ForwardLogEvent>()
}

export function formatForwardLogLine(e: ForwardLogEvent): string {
  return `${formatFluentdLogTime(e.at)} [${e.level}]: #0 ${e.text}\n`
}
