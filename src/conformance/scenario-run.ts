/**
 * One scenario, run: its own receiver (port 0, its fault plan), the sender driven through the
 * adapter, deliveries handed over time, what the receiver observes (its observation channel) and the
 * sender's events, until the sender ends, the deadline passes or the observation is conclusive;
 * then judged. Every wait is a timer on the injected Clock; nothing polls. Never throws.
 * - Start-up is not the sender's: the scenario's clock starts at the sender's `ready` event, or at
 *   its first attempt (the first connection the receiver accepts), whichever comes first. The
 *   deliveries due at 0 are handed at once (a sender reads them once it is up); the others, and the
 *   deadline, count from the scenario's clock.
 * - The deadline follows the sender: while it keeps making attempts at its own pace, the run goes
 *   on, up to MAX_DEADLINE_FACTOR times the scenario's deadline.
 * @see docs/design.md "Conformance"
 */
import { systemClock, type Clock, type TimerHandle } from '../clock/index.js'
import { isAttempt } from '../deliveries/index.js'
import type { ReceiverObservation } from '../receiver/index.js'
import type { SenderAdapter, SenderSession } from './adapters/types.js'
import type { LagProbe } from './lag-probe.js'
import { REACTION_MS, senderWaitOf, type SenderWaitProbe } from './sender-wait.js'
import type { ReceiverFactory, ScenarioReceiver } from './receivers.js'
import { errorResult, resultOf, waitingFor } from './scenario-result.js'
import type { BuildContext, BuiltScenario, ConformanceSettings, DeliverySpec, Observation, ProgressEvent, ScenarioDefinition, ScenarioResult, SenderEnd, SenderEvent } from './types.js'

/** Settle time after a sender that cannot make further attempts has ended, ms. */
const SHORT_SETTLE_MS = 150
/** Progress ("waiting for ...") at most this often, ms. */
const WAITING_EVERY_MS = 500
/** Default longest start-up (to the `ready` event or the first attempt), ms. */
export const DEFAULT_STARTUP_TIMEOUT_MS = 60_000
/** The deadline may follow a sender that is still at work up to this many times its planned value. */
const MAX_DEADLINE_FACTOR = 4

/** What a scenario run needs besides its definition. */
export interface ScenarioRunDeps {
  ctx: BuildContext
  adapter: SenderAdapter
  factory: ReceiverFactory
  emit: (e: ProgressEvent) => void
  signal?: AbortSignal
  probe: LagProbe
  machine?: LagProbe
  clock?: Clock
  /** Longest start-up, ms (default DEFAULT_STARTUP_TIMEOUT_MS). */
  startupTimeoutMs?: number
}

type Why = 'ended' | 'deadline' | 'done' | 'aborted' | 'startup'

/** Runs one scenario (never throws: a failure to run is an `error` result). */
export function runScenario(def: ScenarioDefinition, deps: ScenarioRunDeps): Promise<ScenarioResult> {
  return new ScenarioRun(def, deps).run()
}

class ScenarioRun {
  private readonly clock: Clock
  private readonly timers = new Set<TimerHandle>()
  private readonly events: SenderEvent[] = []
  private readonly handed: Observation['handed'] = []
  private readonly t0: number
  private built!: BuiltScenario
  private receiver!: ScenarioReceiver
  private session: SenderSession | undefined
  /** The sender's own wait for a CPU (its processes' run queue), read at the receiver's stamps. */
  private senderWait: SenderWaitProbe | undefined
  private sessionMono = 0
  /** Monotonic ms the scenario's clock started (ready or first attempt); undefined before. */
  private startedMono: number | undefined
  private handedCount = 0
  private ordered: DeliverySpec[] = []
  private waiting = new Set<DeliverySpec>()
  private answers = 0
  private lastWaiting = -Infinity
  private lastActivity = 0
  private longestGap = 0
  private finish: ((why: Why, end?: SenderEnd) => void) | undefined

  constructor(
    private readonly def: ScenarioDefinition,
    private readonly deps: ScenarioRunDeps,
  ) {
    this.clock = deps.clock ?? systemClock
    this.t0 = this.clock.now()
  }

  async run(): Promise<ScenarioResult> {
    const { def, deps } = this
    const base = { id: def.id, title: def.title, family: def.family, timeScale: deps.ctx.timeScale }
    const na = def.notApplicable?.(deps.ctx.profile) ?? null
    if (na !== null) {
      const r: ScenarioResult = { ...base, status: 'skipped', durationMs: 0, checks: [], message: `not applicable: ${na}`, journal: [], events: [] }
      deps.emit({ type: 'scenario-end', id: def.id, status: 'skipped', durationMs: 0, message: r.message })
      return r
    }
    const took = (): number => Math.round(this.clock.now() - this.t0)
    try {
      this.built = def.build(deps.ctx)
    } catch (err) {
      return errorResult(base, took(), err, deps.emit)
    }
    deps.emit({ type: 'scenario-start', id: def.id, title: def.title, timeScale: deps.ctx.timeScale, deadlineMs: this.built.deadlineMs })
    try {
      this.receiver = await deps.factory({ plan: this.built.plan, profile: deps.ctx.profile })
    } catch (err) {
      return errorResult(base, took(), err, deps.emit)
    }
    const unobserve = this.receiver.observe((o) => this.onObservation(o))
    try {
      this.session = await deps.adapter.start({ settings: this.settings(), scenarioId: def.id, onEvent: (e) => this.onEvent(e) })
      this.sessionMono = this.clock.now()
      this.senderWait = senderWaitOf(deps.adapter, this.session, this.clock)
      const { why, end } = await this.watch(this.session)
      const senderEnd = await this.wind(this.session, why, end)
      this.senderWait?.stop()
      const obs = this.observe(senderEnd)
      return resultOf(base, { def, built: this.built, obs, senderEnd, why, durationMs: took(), deadlineMs: this.built.deadlineMs, startupMs: this.startupMs() }, deps.emit)
    } catch (err) {
      return errorResult(base, took(), err, deps.emit)
    } finally {
      unobserve()
      this.senderWait?.stop()
      this.clearTimers()
      if (this.session) await this.session.kill().catch(() => undefined) // already ended in the normal path; idempotent
      await this.receiver.close().catch(() => undefined) // closing is best effort once the verdict is in
    }
  }

  private settings(): ConformanceSettings {
    const { ctx } = this.deps
    const s = this.built.settings
    return {
      url: `${this.receiver.url}/conformance.${this.def.id}`,
      method: s.method ?? 'POST',
      headers: s.headers ?? {},
      caFile: s.caFile ?? ((s.ca ?? 'receiver') === 'receiver' ? this.receiver.caFile : ''),
      verifyTls: s.verifyTls ?? true,
      format: s.format ?? 'json',
      requestTimeoutMs: s.requestTimeoutMs ?? ctx.profile.requestTimeoutMs,
      connectTimeoutMs: s.connectTimeoutMs ?? ctx.profile.connectTimeoutMs,
      timeScale: ctx.timeScale,
    }
  }

  private timer(fn: () => void, ms: number): TimerHandle {
    const handle = this.clock.setTimer(() => {
      this.timers.delete(handle)
      fn()
    }, Math.max(0, ms))
    this.timers.add(handle)
    return handle
  }

  private clearTimers(): void {
    for (const t of this.timers) this.clock.clearTimer(t)
    this.timers.clear()
  }

  /** Waits for the sender's end, the deadline, a conclusive observation, or an abort. */
  private watch(session: SenderSession): Promise<{ why: Why; end?: SenderEnd }> {
    const { signal } = this.deps
    return new Promise((resolve) => {
      const onAbort = (): void => this.finish?.('aborted')
      this.finish = (why, end) => {
        this.finish = undefined
        signal?.removeEventListener('abort', onAbort)
        this.clearTimers()
        resolve({ why, end })
      }
      if (signal?.aborted) return this.finish('aborted')
      signal?.addEventListener('abort', onAbort, { once: true })
      this.ordered = [...this.built.deliveries].sort((a, b) => (a.afterAttempts ?? 0) - (b.afterAttempts ?? 0) || a.atMs - b.atMs)
      this.waiting = new Set(this.ordered.filter((d) => d.afterAttempts !== undefined))
      // Due at once: handed now, so that a sender that reads them once it is up can make its first attempt.
      for (const d of this.ordered) if (d.afterAttempts === undefined && d.atMs <= 0) this.handOver(d, 0)
      if (this.startedMono === undefined) this.timer(() => this.startClock(), this.deps.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS)
      this.tick()
      void session.ended.then((end) => this.finish?.('ended', end))
    })
  }

  /** The scenario's clock starts: the other deliveries and the deadline count from now. */
  private startClock(at = this.clock.now()): void {
    if (this.startedMono !== undefined || !this.finish) return
    this.startedMono = at
    this.lastActivity = at
    for (const d of this.ordered) if (d.afterAttempts === undefined && d.atMs > 0) this.handOver(d, d.atMs - (this.clock.now() - at))
    this.timer(() => this.onDeadline(), this.built.deadlineMs - (this.clock.now() - at))
  }

  /** At the deadline: a sender still at work at its own pace gets the time its next attempt needs, within a bound. */
  private onDeadline(): void {
    const now = this.clock.now()
    const bound = this.startedMono! + this.built.deadlineMs * MAX_DEADLINE_FACTOR
    const patience = this.longestGap * 2 + 500
    const quietFor = now - this.lastActivity
    if (quietFor < patience && now < bound) {
      this.timer(() => this.onDeadline(), Math.min(patience - quietFor, bound - now))
      return
    }
    this.finish?.('deadline')
  }

  private handOver(d: DeliverySpec, delayMs: number): void {
    this.timer(() => {
      this.handed.push({ ...d, handedMono: this.clock.now() })
      this.session!.deliver(d.notifications, d.batch)
      if (++this.handedCount === this.ordered.length) void this.session!.end()
    }, delayMs)
  }

  private onEvent(e: SenderEvent): void {
    this.events.push(e)
    if (e.event === 'ready') this.startClock(e.mono)
  }

  private onObservation(o: ReceiverObservation): void {
    if (!this.finish) return
    // The stamps intervals run between: the sender's wait is read at each (and at the end of its
    // reaction to an answer), so that a judge takes the wait that can have moved what it judges.
    if (o.type !== 'handshake') this.senderWait?.read(o.mono, o.type === 'answer' ? REACTION_MS : undefined)
    if (o.type === 'accepted') this.startClock(o.mono)
    // The sender's own pace: the longest quiet time between two things it did.
    if (this.startedMono !== undefined) this.longestGap = Math.max(this.longestGap, o.mono - this.lastActivity)
    this.lastActivity = Math.max(this.lastActivity, o.mono)
    if (o.type === 'answer') {
      this.answers++
      this.deps.emit({ type: 'attempt', id: this.def.id, entryId: o.entryId, kind: o.kind, status: o.status, outcome: o.outcome, attemptsSeen: this.answers })
      this.handOverAfterAttempts()
    }
    if (this.built.doneWhen?.(this.observe())) this.finish?.('done')
  }

  /** Deliveries placed after the n-th attempt ended: handed `atMs` after that end, once it is seen. */
  private handOverAfterAttempts(): void {
    if (this.waiting.size === 0) return
    const ended = this.receiver.entries().filter((e) => e.endedMono !== undefined && isAttempt(e))
    for (const d of [...this.waiting]) {
      const nth = ended[d.afterAttempts! - 1]
      if (nth?.endedMono === undefined) continue
      this.waiting.delete(d)
      this.handOver(d, nth.endedMono + d.atMs - this.clock.now())
    }
  }

  /** Progress every WAITING_EVERY_MS while the run lasts. */
  private tick(): void {
    if (!this.finish) return
    const now = this.clock.now()
    if (now - this.lastWaiting >= WAITING_EVERY_MS) {
      this.lastWaiting = now
      const w = this.startedMono === undefined ? { waitingFor: 'the sender to start (its ready event or first attempt)', attemptsSeen: 0 } : waitingFor(this.built.expectedOffsetsMs, this.receiver.entries(), this.handedCount, this.ordered.length, now)
      this.deps.emit({ type: 'waiting', id: this.def.id, ...w })
    }
    this.timer(() => this.tick(), WAITING_EVERY_MS)
  }

  /** After the watch: late entries settle, or the sender is stopped. */
  private async wind(session: SenderSession, why: Why, end: SenderEnd | undefined): Promise<SenderEnd> {
    if (why === 'ended' && end) {
      // The sender ended by itself: wait for late journal entries (and, for a URL sender that stays
      // up, for attempts it might still make).
      await this.clock.sleep(this.deps.adapter.label.startsWith('url:') ? this.built.settleMs : Math.min(this.built.settleMs, SHORT_SETTLE_MS))
      return end
    }
    await this.clock.sleep(SHORT_SETTLE_MS)
    const killed = await session.kill()
    return why === 'deadline' ? { ...killed, how: 'killed' } : killed
  }

  private startupMs(): number | undefined {
    return this.startedMono === undefined ? undefined : Math.max(0, Math.round(this.startedMono - this.sessionMono))
  }

  private observe(senderEnd?: SenderEnd): Observation {
    const { adapter, probe, machine } = this.deps
    const startedMono = this.startedMono ?? this.sessionMono
    return {
      journal: this.receiver.entries(),
      connections: this.receiver.connections(),
      events: [...this.events],
      handed: [...this.handed].sort((a, b) => a.atMs - b.atMs),
      startedMono,
      endedMono: this.clock.now(),
      eventsReported: adapter.reportsEvents || this.events.length > 0,
      lag: probe.samples().filter((x) => x.mono >= startedMono - 50),
      machineLag: machine?.samples().filter((x) => x.mono >= startedMono - 50),
      senderInProcess: adapter.inProcess === true,
      ...(this.senderWait ? { senderWait: this.senderWait.result() } : {}),
      ...(senderEnd ? { senderEnd } : {}),
    }
  }
}
