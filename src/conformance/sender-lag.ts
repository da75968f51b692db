/**
 * The sender's side of the lag in a scenario's observation and result: which of the sender's
 * stalls (lag-probe.ts startRunQueueProbe) can have moved a stamp the judges use, and the note
 * that names them in a failed or inconclusive result.
 */
import type { JournalEntry } from '../journal/index.js'
import { maxLag, stallsAt, type LagProbe, type LagSample } from './lag-probe.js'
import type { ProgressEvent, ScenarioResult } from './types.js'

/**
 * The stalls that ended at an attempt's start (accept or request) or end, after the sender's first
 * attempt: what it waited for before that is its start-up (a process booting on a busy machine),
 * which delays no timer it has set.
 */
export function senderStalls(probe: LagProbe, entries: readonly JournalEntry[], connections: ReadonlyArray<{ mono: number }>): LagSample[] {
  const starts = [...connections.map((c) => c.mono), ...entries.map((e) => e.receivedMono)]
  const first = Math.min(...starts)
  const stamps = [...starts, ...entries.flatMap((e) => (e.endedMono !== undefined ? [e.endedMono] : []))].filter((t) => t > first + 1)
  return stallsAt(probe.samples(), stamps)
}

/**
 * Names the sender-side lag in a failed or inconclusive result's message (and in its scenario-end
 * event): the judges counted it in the slack; the reader learns what it was.
 */
export function withSenderLag(stalls: readonly LagSample[], pid: number | undefined): { emit: (e: (ev: ProgressEvent) => void) => (ev: ProgressEvent) => void; result: (r: ScenarioResult) => ScenarioResult } {
  const worst = maxLag(stalls)
  const note = `sender-side lag: the sender's processes stalled up to ${Math.round(worst)} ms waiting for a CPU right before an attempt or its end (run queue, /proc/${pid ?? '?'}/schedstat), counted in the late-side slack`
  const applies = (status: string): boolean => worst >= 1 && (status === 'failed' || status === 'inconclusive')
  const add = (message: string | undefined): string => (message ? `${message}\n${note}` : note)
  return {
    emit: (emit) => (ev) => emit(ev.type === 'scenario-end' && applies(ev.status) ? { ...ev, message: add(ev.message) } : ev),
    result: (r) => (applies(r.status) ? { ...r, message: add(r.message) } : r),
  }
}
