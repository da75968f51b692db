/**
 * A scenario's result from its observation: the judgement, the status, the message (every failed
 * check, expected vs observed, then the timeline), and the journal as the JSON report keeps it.
 * @see docs/design.md "Conformance"
 */
import { FakeFluentdError } from '../errors.js'
import type { JournalEntry } from '../journal/index.js'
import { describePrecision } from './judges/precision.js'
import type { SenderWait } from './sender-wait.js'
import type { BuiltScenario, Check, Observation, Precision, ProgressEvent, ScenarioDefinition, ScenarioResult, SenderEnd } from './types.js'

type Base = Pick<ScenarioResult, 'id' | 'title' | 'family' | 'timeScale'>

export interface RunFacts {
  def: ScenarioDefinition
  built: BuiltScenario
  obs: Observation
  senderEnd: SenderEnd
  why: 'ended' | 'deadline' | 'done' | 'aborted' | 'startup'
  durationMs: number
  deadlineMs: number
  /** From the sender's start to its ready event or first attempt, ms (undefined: it never made one). */
  startupMs?: number
}

/** Judges the observation and assembles the result (and emits scenario-end). */
export function resultOf(base: Base, f: RunFacts, emit: (e: ProgressEvent) => void): ScenarioResult {
  const { built, obs, senderEnd } = f
  const judgement = built.judge({ ...obs, senderEnd })
  const failedChecks = judgement.checks.filter((c) => !c.passed)
  const unsure = judgement.checks.filter((c) => c.passed && c.inconclusive !== undefined)
  const early = senderEnd.how === 'exited-early'
  const status = early ? 'error' : failedChecks.length > 0 ? 'failed' : unsure.length > 0 ? 'inconclusive' : 'passed'
  const notes: string[] = []
  if (status === 'inconclusive') notes.push(...unsure.map((c) => `INCONCLUSIVE ${c.name}: ${c.inconclusive!}`))
  if (f.why === 'deadline') notes.push(`stopped at the deadline (${f.deadlineMs} ms after the sender's start-up, longer while it kept making attempts): the sender had not finished`)
  // A URL sender (or Linux figures out of reach): the late side had only the probe process's view.
  const notMeasured = obs.senderWait?.notMeasured
  if (notMeasured !== undefined && (status === 'failed' || status === 'inconclusive') && judgement.precision) notes.push(notMeasured)
  if (early) notes.push(`FF_ERR_SENDER_EXITED: the sender exited early or failed (exit code ${senderEnd.exitCode ?? '-'}, signal ${senderEnd.signal ?? '-'})${senderEnd.stderrTail ? `; stderr: ${senderEnd.stderrTail.split('\n').slice(-5).join(' | ')}` : ''}`)
  const result: ScenarioResult = {
    ...base,
    status,
    durationMs: f.durationMs,
    ...(f.startupMs !== undefined ? { startupMs: f.startupMs } : {}),
    checks: judgement.checks,
    timeline: judgement.timeline,
    ...(obs.senderWait ? { senderLag: senderLagOf(obs.senderWait) } : {}),
    ...(judgement.precision ? { precision: judgement.precision } : {}),
    ...(judgement.premise ? { premise: judgement.premise } : {}),
    message: status === 'passed' ? (notes.length ? notes.join('; ') : undefined) : composeMessage(failedChecks, judgement.timeline, notes, judgement.precision),
    errorCode: early ? 'FF_ERR_SENDER_EXITED' : undefined,
    senderEnd,
    journal: obs.journal.map(journalRow),
    events: obs.events,
  }
  emit({ type: 'scenario-end', id: base.id, status, durationMs: result.durationMs, message: result.message, ...(f.startupMs !== undefined ? { startupMs: f.startupMs } : {}) })
  return result
}

/** The sender lag in a phrase: measured, or why not. */
function senderLagOf(w: SenderWait): string {
  return w.notMeasured ?? `measured: the run-queue wait of the sender's processes, every thread (${Math.round(w.reads.at(-1)?.waitedMs ?? 0)} ms in all)`
}

export function journalRow(e: JournalEntry): ScenarioResult['journal'][number] {
  return {
    id: e.id,
    kind: e.kind,
    receivedMono: e.receivedMono,
    endedMono: e.endedMono,
    connectedMono: e.connectedMono,
    requestOnConnection: e.requestOnConnection,
    deliveryKey: e.deliveryKey,
    method: e.method,
    tag: e.tag,
    status: e.status,
    outcome: e.outcome,
    attempt: e.attempt,
  }
}

/** Progress: what the run waits for, from the journal. */
export function waitingFor(offsets: number[] | undefined, entries: readonly JournalEntry[], handed: number, total: number, now: number): { waitingFor: string; attemptsSeen: number; nextExpectedInMs?: number } {
  const n = entries.length
  if (handed < total) return { waitingFor: `handing deliveries (${handed}/${total})`, attemptsSeen: n }
  if (offsets && n > 0 && n < offsets.length) {
    const last = entries[n - 1]!
    const interval = offsets[n]! - offsets[n - 1]!
    const due = (last.endedMono ?? now) + interval - now
    return { waitingFor: `attempt ${n + 1} of ${offsets.length}`, attemptsSeen: n, nextExpectedInMs: Math.max(0, Math.round(due)) }
  }
  return { waitingFor: n === 0 ? 'the first attempt' : 'the sender to finish', attemptsSeen: n }
}

/** A failure message: every failed check (expected vs observed), then the timeline. */
export function composeMessage(failed: readonly Check[], timeline: string | undefined, notes: readonly string[] = [], precision?: Precision): string {
  const lines = failed.map((c) => `${c.name}: expected ${c.expected}; observed ${c.observed}${c.evidence.length ? ` [entries ${c.evidence.map((id) => `#${id}`).join(', ')}]` : ''}`)
  return [...notes, ...lines, ...(precision ? [`precision: ${describePrecision(precision)}`] : []), ...(timeline ? ['', timeline] : [])].join('\n')
}

/** The result of a scenario that could not be run. */
export function errorResult(base: Base, durationMs: number, err: unknown, emit: (e: ProgressEvent) => void): ScenarioResult {
  const message = err instanceof Error ? err.message : String(err)
  const code = err instanceof FakeFluentdError ? err.code : 'FF_ERR_INTERNAL'
  const r: ScenarioResult = { ...base, status: 'error', durationMs, checks: [], message, errorCode: code, journal: [], events: [] }
  emit({ type: 'scenario-end', id: base.id, status: 'error', durationMs: r.durationMs, message })
  return r
}
