/**
 * Output subscribers: they listen to journal changes and write lines through a
 * caller-supplied sink, buffered and flushed once per event-loop turn so printing stays off the
 * hot path. `fluentd` prints events exactly as Fluentd's stdout output; `json` one journal entry per
 * line when it completes; `none` nothing. Validation warnings go to the separate `warn` sink. In
 * `fluentd` mode the receiver's Fluentd log lines (`... [warn]: #0 ...`) go to stdout too, as Fluentd's.
 */
import type { Journal, JournalChange } from '../journal/index.js'
import type { JournalEntry } from '../journal/index.js'
import { formatForwardLine, formatForwardLogLine, type ForwardLog } from '../forward/index.js'
import { formatFluentdLogLine, type FluentdLog, type OutputMode } from '../receiver/index.js'

export interface PrinterOptions {
  mode: OutputMode
  /** Where lines go (e.g. process.stdout.write). */
  write: (text: string) => void
  /** Where warnings go (invalid notifications, errors); default: `write`. */
  warn?: (text: string) => void
  /** The receiver's Fluentd log lines: printed to `write` (Fluentd's stdout) in `fluentd` mode. */
  log?: Pick<FluentdLog, 'subscribe'>
  /** The forward listener's in_forward log lines, printed like `log`. */
  forwardLog?: Pick<ForwardLog, 'subscribe'>
}

function verdictWarnings(entry: JournalEntry): string {
  let text = ''
  for (const v of entry.verdicts ?? []) {
    if (v.valid) continue
    for (const e of v.errors) {
      text += `[warn] request #${entry.id} ${entry.tag ?? ''} notification ${v.index} (${v.type ?? 'unknown type'}): ${e.pointer || '/'} ${e.message}\n`
    }
  }
  return text
}

/** Subscribes a printer to the journal; returns a function that flushes and unsubscribes. */
export function attachPrinter(journal: Journal, options: PrinterOptions): () => void {
  if (options.mode === 'none') return () => {}
  const warn = options.warn ?? options.write
  let out = ''
  let err = ''
  let scheduled = false
  const flush = (): void => {
    scheduled = false
    if (out) {
      const text = out
      out = ''
      options.write(text)
    }
    if (err) {
      const text = err
      err = ''
      warn(text)
    }
  }
  const schedule = (): void => {
    if (!scheduled) {
      scheduled = true
      setImmediate(flush)
    }
  }
  const unsubscribe = journal.subscribe((change: JournalChange) => {
    if (change.type !== 'completed' || !change.entry) return
    const entry = change.entry
    switch (options.mode) {
      case 'fluentd':
        // formatForwardLine prints in_http's events as formatFluentdLine does, and forward times exactly.
        for (const ev of entry.events ?? []) out += formatForwardLine(ev, entry.tag ?? '')
        break
      case 'json':
        out += JSON.stringify(entry) + '\n'
        break
      case 'none':
        break
    }
    err += verdictWarnings(entry)
    if (out || err) schedule()
  })
  const unsubscribeLog =
    options.mode === 'fluentd' && options.log
      ? options.log.subscribe((event) => {
          out += formatFluentdLogLine(event)
          schedule()
        })
      : () => {}
  const unsubscribeForwardLog =
    options.mode === 'fluentd' && options.forwardLog
      ? options.forwardLog.subscribe((event) => {
          out += formatForwardLogLine(event)
          schedule()
        })
      : () => {}
  return () => {
    unsubscribe()
    unsubscribeLog()
    unsubscribeForwardLog()
    flush()
  }
}
