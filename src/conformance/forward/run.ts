/**
 * `conformance --protocol forward`: the forward client scenarios (src/forward/scenarios.ts) run
 * against a client command, reported as a ConformanceReport, so that the HTTP conformance's
 * terminal summary, JUnit, JSON and HTML writers and exit codes serve both. Each scenario is one
 * check (what the client promised vs what the journal shows, with the journal ids behind it).
 * @see docs/forward.md "Conformance for forward clients"
 */
import { FakeFluentdError } from '../../errors.js'
import { FORWARD_SCENARIOS, runForwardScenarios, type ForwardClientAdapter, type ForwardClientProfile, type ForwardScenarioResult } from '../../forward/index.js'
import { journalRow } from '../scenario-result.js'
import type { ConformanceReport, ProgressEvent, ScenarioResult, ScenarioStatus } from '../types.js'

export interface RunForwardConformanceOptions {
  adapter: ForwardClientAdapter
  /** For the report: `command: CMD`. */
  senderLabel: string
  profile: ForwardClientProfile
  /** Scenario ids (`forward.NAME` or NAME), comma-separated; default all. */
  scenarios?: string
  onProgress?: (e: ProgressEvent) => void
}

const STATUS: Record<ForwardScenarioResult['status'], ScenarioStatus> = { pass: 'passed', fail: 'failed', skip: 'skipped', error: 'error' }

/** The forward scenarios a --scenarios value names (every one without it); FF_ERR_OPTION naming an unknown one. */
export function selectForwardScenarios(pattern: string | undefined): string[] {
  const all = FORWARD_SCENARIOS.map((s) => s.name)
  if (pattern === undefined) return all
  const wanted = pattern.split(',').map((p) => p.trim().replace(/^forward\./, '')).filter((p) => p !== '')
  const unknown = wanted.filter((w) => !all.includes(w))
  if (unknown.length > 0) throw new FakeFluentdError('FF_ERR_OPTION', `--scenarios: no forward scenario ${unknown.map((u) => `"${u}"`).join(', ')}; the forward scenarios are ${all.map((a) => `forward.${a}`).join(', ')}`)
  return all.filter((a) => wanted.includes(a))
}

/** The forward scenarios for --list: id, title and the profile promise each pins. */
export function listForwardScenarios(): Array<{ id: string; title: string; pins: string }> {
  return FORWARD_SCENARIOS.map((s) => ({ id: `forward.${s.name}`, title: s.title, pins: s.pins }))
}

function toResult(r: ForwardScenarioResult): ScenarioResult {
  const status = STATUS[r.status]
  return {
    id: `forward.${r.name}`,
    title: r.title,
    family: 'forward',
    status,
    timeScale: 1,
    durationMs: r.durationMs,
    checks: r.status === 'skip' ? [] : [{ name: `promise: ${r.pins}`, passed: r.status === 'pass', expected: r.title, observed: r.detail, evidence: r.evidence }],
    ...(status === 'passed' ? {} : { message: r.detail }),
    ...(status === 'error' ? { errorCode: 'FF_ERR_SENDER_EXITED' } : {}),
    journal: r.journal.map(journalRow),
    events: [],
  }
}

/** Runs the selected forward scenarios one after another and reports. */
export async function runForwardConformance(options: RunForwardConformanceOptions): Promise<ConformanceReport> {
  const startedAt = new Date()
  const t0 = performance.now()
  const emit = options.onProgress ?? (() => {})
  const raw = await runForwardScenarios(options.adapter, options.profile, {
    only: selectForwardScenarios(options.scenarios),
    onStart: (name, title, deadlineMs) => emit({ type: 'scenario-start', id: `forward.${name}`, title, timeScale: 1, deadlineMs }),
    onEnd: (r) => emit({ type: 'scenario-end', id: `forward.${r.name}`, status: STATUS[r.status], durationMs: r.durationMs, message: r.detail }),
  })
  const results = raw.map(toResult)
  const count = (s: ScenarioStatus): number => results.filter((r) => r.status === s).length
  return {
    sender: options.senderLabel,
    profile: options.profile.name,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    tolerance: { absMs: 0, rel: 0 },
    precision: 'no time was judged (the forward scenarios judge acks, chunk ids, connections and which server got each record)',
    totals: { total: results.length, passed: count('passed'), failed: count('failed'), blocked: 0, inconclusive: 0, errors: count('error'), skipped: count('skipped') },
    results,
  }
}
