/**
 * runConformance: builds each selected scenario for the profile and time scale, starts its own
 * receiver (port 0, own fault plan), drives the sender through an adapter, collects the journal and
 * the sender's events, judges, and returns the report. Scenarios run in parallel (bounded), since
 * none shares a receiver. Progress is emitted as typed events; nothing is printed here.
 * @see docs/design.md "Conformance"
 */
import { availableParallelism } from 'node:os'
import { FakeFluentdError } from '../errors.js'
import { wallarmProfile, type RetryProfile } from '../profile/index.js'
import { builtinAdapter } from './adapters/builtin.js'
import { commandAdapter } from './adapters/command.js'
import type { SenderAdapter } from './adapters/types.js'
import { urlAdapter } from './adapters/url.js'
import { describePrecision, mergePrecision } from './judges/precision.js'
import { startLagProbe, startProcessProbe, untilQuiet } from './lag-probe.js'
import { createReceiverFactory, type ReceiverFactory } from './receivers.js'
import { attributeVerdicts } from './attribution.js'
import { runScenario } from './scenario-run.js'
import { scenarios as catalogue, selectScenarios } from './scenarios/index.js'
import type {
  ConformanceReport,
  ProgressEvent,
  ScenarioDefinition,
  ScenarioResult,
  Tolerance,
} from './types.js'

/**
 * Default fixed part of the slack: 6 ms on the late side (the sender's timer and its connection
 * setup), nothing relative. The measured runner lag is added per timestamp (judges/precision.ts).
 */
export const DEFAULT_TOLERANCE: Tolerance = { absMs: 6, rel: 0.005 }

/** Delay between the first scenarios of the parallel workers, ms. */
const STAGGER_MS = 250

/** How to reach the sender under test. */
export type SenderSpec = { kind: 'builtin' } | { kind: 'command'; command: string; cwd?: string } | { kind: 'url'; url: string }

export interface RunConformanceOptions {
  /** The sender under test: an adapter, or how to make one. */
  sender: SenderAdapter | SenderSpec
  /** Scenario pattern (see selectScenarios) or a list; default every scenario. */
  scenarios?: string | readonly ScenarioDefinition[]
  /** Profile to judge against (default wallarm). The builtin sender runs it too. */
  profile?: RetryProfile
  /** Real-time factor for every scenario, overriding each one's default. */
  timeScale?: number
  tolerance?: Partial<Tolerance>
  /** Scenarios at once (default: max(2, 3 x CPUs), at most 8; most of a scenario is waiting). */
  concurrency?: number
  onProgress?: (event: ProgressEvent) => void
  /** Receivers (default: HTTPS on 127.0.0.1:0 with the generated CA in `certDir`). */
  receiverFactory?: ReceiverFactory
  certDir?: string
  signal?: AbortSignal
  /** Longest a sender may take to start (its ready event or first attempt), ms; not counted against deadlines. Default 60 s. */
  startupTimeoutMs?: number
}

/** Makes an adapter from a spec. */
export function makeAdapter(spec: SenderAdapter | SenderSpec, profile: RetryProfile): SenderAdapter {
  if ('start' in spec) return spec
  switch (spec.kind) {
    case 'builtin':
      return builtinAdapter().withProfile(profile)
    case 'command':
      return commandAdapter({ command: spec.command, cwd: spec.cwd })
    case 'url':
      return urlAdapter({ url: spec.url })
  }
}

/** Runs the selected scenarios against a sender and returns the report (never throws for a failing sender). */
export async function runConformance(options: RunConformanceOptions): Promise<ConformanceReport> {
  const profile = options.profile ?? wallarmProfile
  const selected = typeof options.scenarios === 'string' || options.scenarios === undefined ? selectScenarios(options.scenarios) : [...options.scenarios]
  if (options.timeScale !== undefined && !(options.timeScale > 0)) {
    throw new FakeFluentdError('FF_ERR_OPTION', `time scale must be a positive number, got ${options.timeScale}`)
  }
  const tolerance: Tolerance = { ...DEFAULT_TOLERANCE, ...options.tolerance }
  const adapter = makeAdapter(options.sender, profile)
  const factory = options.receiverFactory ?? (await createReceiverFactory({ certDir: options.certDir }))
  const emit = options.onProgress ?? (() => {})
  const concurrency = Math.max(1, options.concurrency ?? Math.min(8, Math.max(2, availableParallelism() * 3)))
  const startedAt = new Date()
  const t0 = performance.now()
  const probe = startLagProbe()
  // Out-of-process senders only: the in-process one is measured by `probe` itself.
  const machine = adapter.inProcess ? undefined : startProcessProbe()

  const results: ScenarioResult[] = new Array<ScenarioResult>(selected.length)
  // Longest first, so that the long schedule and window scenarios do not start last; results stay
  // in catalogue order.
  const order = selected.map((def, i) => ({ i, ms: estimate(def, profile, options.timeScale) })).sort((a, b) => b.ms - a.ms).map((x) => x.i)
  let next = 0
  const worker = async (w: number): Promise<void> => {
    // Staggered starts: command senders start a process each, and starting them all at once would
    // load the machine exactly while the first intervals are being timed.
    if (w > 0) await new Promise((resolve) => setTimeout(resolve, w * STAGGER_MS))
    while (next < order.length && !options.signal?.aborted) {
      const i = order[next++]!
      const def = selected[i]!
      await untilQuiet([probe, machine], options.signal)
      const ctx = { profile, timeScale: scaleOf(def, profile, options.timeScale), tolerance }
      results[i] = await runScenario(def, { ctx, adapter, factory, emit, signal: options.signal, probe, machine, startupTimeoutMs: options.startupTimeoutMs })
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, selected.length) }, (_, i) => worker(i)))
  } finally {
    probe.stop()
    machine?.stop()
  }

  const judged = results.filter((r): r is ScenarioResult => r !== undefined)
  const done = attributeVerdicts(judged, selected, catalogue)
  for (const r of done) if (r.status === 'blocked') emit({ type: 'scenario-blocked', id: r.id, blockedBy: r.blockedBy ?? [], rule: r.premise!.rule })
  const precision = mergePrecision(done.map((r) => r.precision))
  const report: ConformanceReport = {
    sender: adapter.label,
    profile: profile.name,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - t0),
    tolerance,
    precision: `${precision ? describePrecision(precision) : 'no time was judged'}${senderLagOf(done)}`,
    totals: {
      total: done.length,
      passed: done.filter((r) => r.status === 'passed').length,
      failed: done.filter((r) => r.status === 'failed').length,
      blocked: done.filter((r) => r.status === 'blocked').length,
      inconclusive: done.filter((r) => r.status === 'inconclusive').length,
      errors: done.filter((r) => r.status === 'error').length,
      skipped: done.filter((r) => r.status === 'skipped').length,
    },
    results: done,
  }
  JUDGED.set(report, judged)
  return report
}

/**
 * The run's sender lag in words, for the precision line: measured on the sender's processes, or
 * why not (each distinct reason once); nothing for the in-process sender (its lag is the runner's).
 */
function senderLagOf(results: readonly ScenarioResult[]): string {
  const said = results.flatMap((r) => (r.senderLag !== undefined ? [r.senderLag] : []))
  if (said.length === 0) return ''
  const not = [...new Set(said.filter((x) => !x.startsWith('measured')))]
  if (not.length > 0) return `; ${not.join('; ')}`
  return '; sender lag measured (the run-queue wait of the sender\'s processes, every thread, where it can have moved a judged time)'
}

/** Each report's results as judged, before blocked verdicts were attributed. */
const JUDGED = new WeakMap<ConformanceReport, readonly ScenarioResult[]>()

/**
 * The results of a report made by runConformance as its judges gave them, before attribution
 * (undefined for a report from elsewhere): what `--retry-inconclusive` merges with re-measured
 * results before attributing blocked verdicts again over the whole set.
 */
export function judgedResults(report: ConformanceReport): readonly ScenarioResult[] | undefined {
  return JUDGED.get(report)
}

/** Blocked verdicts attributed over judged results of catalogue scenarios, as runConformance does. */
export function attributeResults(judged: readonly ScenarioResult[]): ScenarioResult[] {
  const ids = new Set(judged.map((r) => r.id))
  return attributeVerdicts(judged, catalogue.filter((d) => ids.has(d.id)), catalogue)
}

/** The scale a scenario runs at: the user's, else its default for the profile. */
export function scaleOf(def: ScenarioDefinition, profile: RetryProfile, override: number | undefined): number {
  return override ?? def.timeScaleFor?.(profile) ?? def.defaultTimeScale
}

/** How long a scenario should take, ms (0 when it does not apply or cannot be built). */
function estimate(def: ScenarioDefinition, profile: RetryProfile, timeScale: number | undefined): number {
  try {
    return def.notApplicable?.(profile) ? 0 : def.build({ profile, timeScale: scaleOf(def, profile, timeScale), tolerance: DEFAULT_TOLERANCE }).estimateMs
  } catch {
    return 0 // runScenario reports the build error
  }
}

/** A scenario as `--list` shows it: with the time it takes against a correct sender (ms, estimated from its schedule). */
export type ListedScenario = Pick<ScenarioDefinition, 'id' | 'family' | 'title' | 'defaultTimeScale' | 'description' | 'pins' | 'premises'> & { estimateMs: number | null }

/** The scenario list for `--list`, for a profile (default wallarm) and an optional time scale override. */
export function listScenarios(profile: RetryProfile = wallarmProfile, timeScale?: number): ListedScenario[] {
  return catalogue.map((def) => {
    const { id, family, title, description, pins, notApplicable, build } = def
    const scale = scaleOf(def, profile, timeScale)
    const estimateMs = notApplicable?.(profile) ? null : build({ profile, timeScale: scale, tolerance: DEFAULT_TOLERANCE }).estimateMs
    return { id, family, title, defaultTimeScale: scale, description, pins, premises: def.premises ?? [], estimateMs }
  })
}

