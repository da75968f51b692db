/**
 * One scenario, run: its own receiver (port 0, its fault plan), the sender driven through the
 * adapter, deliveries handed over time, the journal and events observed until the sender ends, the
 * deadline passes or the observation is conclusive, then judged. Never throws.
 * @see docs/design.md "Conformance"
 */
import { FakeFluentdError } from '../errors.js'
import type { SenderAdapter } from './adapters/types.js'
import { describePrecision } from './judges/precision.js'
import type { LagProbe } from './lag-probe.js'
import type { ReceiverFactory } from './receivers.js'
import type { BuildContext, Check, ConformanceSettings, Observation, Precision, ProgressEvent, ScenarioDefinition, ScenarioResult, SenderEnd, SenderEvent } from './types.js'

/** Polls of the journal while waiting, ms. */
const POLL_MS = 50
/** Settle time after a sender that cannot make further attempts has ended, ms. */
const SHORT_SETTLE_MS = 150

export async function runScenario(
  def: ScenarioDefinition,
  ctx: BuildContext,
  adapter: SenderAdapter,
  factory: ReceiverFactory,
  emit: (e: ProgressEvent) => void,
  signal: AbortSignal | undefined,
  probe: LagProbe,
  machine?: LagProbe,
): Promise<ScenarioResult> {
  const t0 = performance.now()
  const base = { id: def.id, title: def.title, family: def.family, timeScale: ctx.timeScale }
  const na = def.notApplicable?.(ctx.profile) ?? null
  if (na !== null) {
    const r: ScenarioResult = { ...base, status: 'skipped', durationMs: 0, checks: [], message: `not applicable: ${na}`, journal: [], events: [] }
    emit({ type: 'scenario-end', id: def.id, status: 'skipped', durationMs: 0, message: r.message })
    return r
  }
  let built
  try {
    built = def.build(ctx)
  } catch (err) {
    return errorResult(base, t0, err, emit)
  }
  emit({ type: 'scenario-start', id: def.id, title: def.title, timeScale: ctx.timeScale, deadlineMs: built.deadlineMs })

  let receiver
  try {
    receiver = await factory({ plan: built.plan })
  } catch (err) {
    return errorResult(base, t0, err, emit)
  }
  const events: SenderEvent[] = []
  const timers = new Set<NodeJS.Timeout>()
  let session
  try {
    const tag = `conformance.${def.id}`
    const s = built.settings
    const settings: ConformanceSettings = {
      url: `${receiver.url}/${tag}`,
      method: s.method ?? 'POST',
      headers: s.headers ?? {},
      caFile: s.caFile ?? ((s.ca ?? 'receiver') === 'receiver' ? receiver.caFile : ''),
      verifyTls: s.verifyTls ?? true,
      format: s.format ?? 'json',
      requestTimeoutMs: s.requestTimeoutMs ?? ctx.profile.requestTimeoutMs,
      connectTimeoutMs: s.connectTimeoutMs ?? ctx.profile.connectTimeoutMs,
      timeScale: ctx.timeScale,
    }
    session = await adapter.start({ settings, scenarioId: def.id, onEvent: (e) => events.push(e) })
    const startedMono = performance.now()
    const handed: Observation['handed'] = []
    const sess = session

    // Deliveries over time; stdin (or the session) closes once the last one is handed.
    const ordered = [...built.deliveries].sort((a, b) => (a.afterAttempts ?? 0) - (b.afterAttempts ?? 0) || a.atMs - b.atMs)
    let handedCount = 0
    const handOver = (d: (typeof ordered)[number], delayMs: number): void => {
      const t = setTimeout(() => {
        timers.delete(t)
        handed.push({ ...d, handedMono: performance.now() })
        sess.deliver(d.notifications, d.batch)
        if (++handedCount === ordered.length) void sess.end()
      }, Math.max(0, delayMs))
      timers.add(t)
    }
    for (const d of ordered) if (d.afterAttempts === undefined) handOver(d, d.atMs)
    // Deliveries placed after the n-th attempt ended: handed `atMs` after that end, once it is seen.
    const waiting = new Set(ordered.filter((d) => d.afterAttempts !== undefined))
    const handOverAfterAttempts = (): void => {
      if (waiting.size === 0) return
      const ended = receiver!.entries().filter((e) => e.endedMono !== undefined && (e.kind === 'request' || e.outcome !== 'closed'))
      for (const d of [...waiting]) {
        const nth = ended[d.afterAttempts! - 1]
        if (nth?.endedMono === undefined) continue
        waiting.delete(d)
        handOver(d, nth.endedMono + d.atMs - performance.now())
      }
    }

    const observe = (): Observation => ({
      journal: receiver!.entries(),
      connections: receiver!.connections(),
      events: [...events],
      handed: [...handed].sort((a, b) => a.atMs - b.atMs),
      startedMono,
      endedMono: performance.now(),
      eventsReported: adapter.reportsEvents || events.length > 0,
      lag: probe.samples().filter((x) => x.mono >= startedMono - 50),
      machineLag: machine?.samples().filter((x) => x.mono >= startedMono - 50),
      senderInProcess: adapter.inProcess === true,
    })

    // Wait for: the sender's end, the deadline, a conclusive observation, or an abort.
    const state: { why: 'ended' | 'deadline' | 'done' | 'aborted' } = { why: 'ended' }
    let seen = 0
    let lastWaiting = 0
    const finished = await new Promise<SenderEnd | undefined>((resolve) => {
      let stopped = false
      const stop = (reason: typeof state.why, end?: SenderEnd): void => {
        if (stopped) return
        stopped = true
        state.why = reason
        clearInterval(poll)
        clearTimeout(deadline)
        signal?.removeEventListener('abort', onAbort)
        resolve(end)
      }
      const onAbort = (): void => stop('aborted')
      signal?.addEventListener('abort', onAbort, { once: true })
      const deadline = setTimeout(() => stop('deadline'), built.deadlineMs)
      const poll = setInterval(() => {
        handOverAfterAttempts()
        const entries = receiver!.entries()
        for (const e of entries.slice(seen)) {
          emit({ type: 'attempt', id: def.id, entryId: e.id, kind: e.kind, status: e.status, outcome: e.outcome, attemptsSeen: entries.length })
        }
        seen = entries.length
        const now = performance.now()
        if (now - lastWaiting >= 500) {
          lastWaiting = now
          emit({ type: 'waiting', id: def.id, ...waitingFor(built.expectedOffsetsMs, entries, handedCount, ordered.length, now) })
        }
        if (built.doneWhen?.(observe())) stop('done')
      }, POLL_MS)
      void sess.ended.then((end) => stop('ended', end))
    })

    let senderEnd: SenderEnd
    if (state.why === 'ended' && finished) {
      // The sender ended by itself: wait for late journal entries (and, for a URL sender that stays
      // up, for attempts it might still make).
      await sleep(adapter.label.startsWith('url:') ? built.settleMs : Math.min(built.settleMs, SHORT_SETTLE_MS))
      senderEnd = finished
    } else {
      await sleep(SHORT_SETTLE_MS)
      senderEnd = await sess.kill()
      if (state.why === 'deadline') senderEnd = { ...senderEnd, how: 'killed' }
    }
    for (const t of timers) clearTimeout(t)
    const obs = observe()
    const judgement = built.judge(obs)
    const failedChecks = judgement.checks.filter((c) => !c.passed)
    const unsure = judgement.checks.filter((c) => c.passed && c.inconclusive !== undefined)
    const early = senderEnd.how === 'exited-early'
    const status = early ? 'error' : failedChecks.length > 0 ? 'failed' : unsure.length > 0 ? 'inconclusive' : 'passed'
    const notes: string[] = []
    if (status === 'inconclusive') notes.push(...unsure.map((c) => `INCONCLUSIVE ${c.name}: ${c.inconclusive!}`))
    if (state.why === 'deadline') notes.push(`stopped at the deadline (${built.deadlineMs} ms): the sender had not finished`)
    if (early) notes.push(`FF_ERR_SENDER_EXITED: the sender exited early or failed (exit code ${senderEnd.exitCode ?? '-'}, signal ${senderEnd.signal ?? '-'})${senderEnd.stderrTail ? `; stderr: ${senderEnd.stderrTail.split('\n').slice(-5).join(' | ')}` : ''}`)
    const result: ScenarioResult = {
      ...base,
      status,
      durationMs: Math.round(performance.now() - t0),
      checks: judgement.checks,
      timeline: judgement.timeline,
      ...(judgement.precision ? { precision: judgement.precision } : {}),
      message: status === 'passed' ? (notes.length ? notes.join('; ') : undefined) : composeMessage(failedChecks, judgement.timeline, notes, judgement.precision),
      errorCode: early ? 'FF_ERR_SENDER_EXITED' : undefined,
      senderEnd,
      journal: obs.journal.map((e) => ({
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
      })),
      events: obs.events,
    }
    emit({ type: 'scenario-end', id: def.id, status, durationMs: result.durationMs, message: result.message })
    return result
  } catch (err) {
    return errorResult(base, t0, err, emit)
  } finally {
    for (const t of timers) clearTimeout(t)
    if (session) await session.kill().catch(() => undefined) // already ended in the normal path; idempotent
    await receiver.close().catch(() => undefined) // closing is best effort once the verdict is in
  }
}

function waitingFor(offsets: number[] | undefined, entries: ReturnType<import('./receivers.js').ScenarioReceiver['entries']>, handed: number, total: number, now: number): { waitingFor: string; attemptsSeen: number; nextExpectedInMs?: number } {
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
function composeMessage(failed: readonly Check[], timeline: string | undefined, notes: readonly string[] = [], precision?: Precision): string {
  const lines = failed.map((c) => `${c.name}: expected ${c.expected}; observed ${c.observed}${c.evidence.length ? ` [entries ${c.evidence.map((id) => `#${id}`).join(', ')}]` : ''}`)
  return [...notes, ...lines, ...(precision ? [`precision: ${describePrecision(precision)}`] : []), ...(timeline ? ['', timeline] : [])].join('\n')
}

function errorResult(base: Pick<ScenarioResult, 'id' | 'title' | 'family' | 'timeScale'>, t0: number, err: unknown, emit: (e: ProgressEvent) => void): ScenarioResult {
  const message = err instanceof Error ? err.message : String(err)
  const code = err instanceof FakeFluentdError ? err.code : 'FF_ERR_INTERNAL'
  const r: ScenarioResult = { ...base, status: 'error', durationMs: Math.round(performance.now() - t0), checks: [], message, errorCode: code, journal: [], events: [] }
  emit({ type: 'scenario-end', id: base.id, status: 'error', durationMs: r.durationMs, message })
  return r
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

