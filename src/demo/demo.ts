/**
 * The demo engine: a receiver with a failing fault plan (and the web page on its admin port), the
 * reference sender time-compressed, and a stream of events that compare every attempt with the
 * schedule. It prints nothing (src/cli/commands/demo.ts does); close() stops everything.
 * @see README.md (3), "Command line" (demo)
 */
import { adminTokenFor, type AdminSettings } from '../admin/index.js'
import { systemClock } from '../clock/index.js'
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import type { Receiver } from '../receiver/index.js'
import type { AttemptOutcome, DeliveryResult, Sender } from '../sender/index.js'
import { wallarmProfile, type RetryProfile } from '../profile/index.js'
import type { WebPageContext } from '../web/index.js'
import type { DemoDoneEvent, DemoEvent } from './events.js'

/** The `type` of each demo event: what `demo.on(name, listener)` subscribes to. */
export type DemoEventName = DemoEvent['type']
import { expectedDuration, profileCycles } from './expectations.js'
import { DEMO_SCENARIOS, demoScenario, type DemoScenario, type DemoScenarioName } from './scenarios.js'

export interface DemoOptions {
  /** Which story (default `retry`). */
  scenario?: DemoScenarioName
  /** Real-time factor; default: the scenario's (retry 0.02, i.e. the three cycles in about a minute). */
  timeScale?: number
  /** Ingest port (default 0 = any free port). */
  port?: number
  /** Admin (web page) port (default 0 = any free port). */
  adminPort?: number
  /** Address of both listeners (default 127.0.0.1). */
  host?: string
  /** HTTPS with the generated CA (default false: plain HTTP, nothing to trust or generate). */
  tls?: boolean
  /** Certificate cache directory when `tls` is on (default: defaultCertDir(), a per-user cache). */
  certDir?: string
  /** Retry profile of the sender (default `wallarm`). */
  profile?: RetryProfile
  /** Tag the sender delivers to (the URL path). Default `wallarm.demo`. */
  tag?: string
  /** Who may use the page and admin API (a token is generated when `host` is not loopback), stream bounds. */
  adminSettings?: AdminSettings
}

/** A demo that has been set up but not started. */
export interface Demo {
  readonly scenario: DemoScenario
  readonly timeScale: number
  /**
   * Subscribes to one kind of event (`demo.on('attempt', (e) => ...)`, as the sender's `on(event,
   * listener)`), or to every event with a listener alone; returns the unsubscribe function.
   * Subscribe before start().
   */
  on<K extends DemoEventName>(event: K, listener: (event: Extract<DemoEvent, { type: K }>) => void): () => void
  on(listener: (event: DemoEvent) => void): () => void
  /** Starts the receiver, the page and the sender; resolves once the first delivery is handed over. */
  start(): Promise<void>
  /** Resolves with the `done` event when every delivery has ended (the page stays up). */
  readonly finished: Promise<DemoDoneEvent>
  /** The ingest and page URLs (after start). */
  readonly ingestUrl: string | undefined
  readonly pageUrl: string | undefined
  /** Stops the sender (pending retries cancelled), the receiver and the page. Safe to call twice. */
  close(): Promise<void>
}

function describeFailure(outcome: AttemptOutcome): string | undefined {
  switch (outcome.kind) {
    case 'response':
      return undefined
    case 'timeout':
      return `${outcome.phase} timeout`
    case 'network':
      return outcome.code
    case 'tls':
      return `TLS ${outcome.code}`
    case 'cancelled':
      return 'cancelled'
  }
}

/** Sets up a demo (nothing runs until start()). Throws FF_ERR_OPTION on a bad scenario or scale. */
export function createDemo(options: DemoOptions = {}): Demo {
  const found = demoScenario(options.scenario ?? 'retry')
  if (!found) {
    throw new FakeFluentdError(
      ErrorCodes.FF_ERR_OPTION,
      `Unknown demo scenario "${String(options.scenario)}": use one of ${DEMO_SCENARIOS.join(', ')}.`,
    )
  }
  const scenario: DemoScenario = found
  const timeScale = options.timeScale ?? scenario.defaultTimeScale
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_OPTION, `Invalid time scale ${String(timeScale)}: use a positive number such as 0.02.`)
  }
  const profile = options.profile ?? wallarmProfile
  const tag = options.tag ?? 'wallarm.demo'
  const listeners = new Set<(event: DemoEvent) => void>()
  const emit = (event: DemoEvent): void => {
    for (const l of [...listeners]) l(event)
  }
  const pageContext: WebPageContext = {
    profile,
    timeScale,
    caption: `demo: ${scenario.name} at time scale ${timeScale}`,
  }

  let receiver: Receiver | undefined
  let sender: Sender | undefined
  let started = false
  let starting: Promise<void> | undefined
  let closed = false
  const stagger = new AbortController()
  // The page's token (generated when the page is served beyond loopback), carried in its URL fragment.
  const adminToken = adminTokenFor(options.host ?? '127.0.0.1', options.adminSettings?.security?.token)
  const tokenFragment = adminToken !== undefined ? `#token=${encodeURIComponent(adminToken)}` : ''
  let resolveFinished!: (event: DemoDoneEvent) => void
  const finished = new Promise<DemoDoneEvent>((resolve) => {
    resolveFinished = resolve
  })
  let startMono = 0
  let attemptsTotal = 0

  const demo: Demo = {
    scenario,
    timeScale,
    finished,
    get ingestUrl() {
      return receiver ? `${receiver.url}/${tag}` : undefined
    },
    get pageUrl() {
      return receiver?.adminUrl ? `${receiver.adminUrl}/${tokenFragment}` : undefined
    },
    on(first: DemoEventName | ((event: DemoEvent) => void), second?: (event: never) => void): () => void {
      const listener: (event: DemoEvent) => void =
        typeof first === 'function' ? first : (event) => void (event.type === first ? (second as (e: DemoEvent) => void)(event) : undefined)
      listeners.add(listener)
      return () => listeners.delete(listener)
    },

    start() {
      if (started) return Promise.reject(new FakeFluentdError(ErrorCodes.FF_ERR_OPTION, 'The demo has already been started.'))
      started = true
      starting = startStory()
      return starting
    },

    async close() {
      if (closed) return
      closed = true
      stagger.abort()
      // A start still binding its listeners finishes first, so that nothing is left open.
      await starting?.catch(() => undefined)
      const s = sender
      const r = receiver
      // The sender first, so that no attempt is made against a closing receiver.
      if (s) await s.close()
      if (r) await r.close()
      if (!sender) resolveFinished({ type: 'done', ending: 'stopped', asExpected: false, elapsedMs: 0, attempts: 0 })
    },
  }

  /** Receiver, page and sender up, then the deliveries handed over (the first one synchronously). */
  async function startStory(): Promise<void> {
    // Loaded here, not with this module, so that importing the demo (the CLI lists its stories)
    // does not load the receiver, the sender (undici), the validator and the page.
    const [{ startReceiver }, { createSender }, { createValidator }, { mountWebPage }, { demoNotifications }] = await Promise.all([
      import('../server/index.js'),
      import('../sender/index.js'),
      import('../validation/index.js'),
      import('../web/index.js'),
      import('./notifications.js'),
    ])
    const rcv = await startReceiver({
      port: options.port ?? 0,
      host: options.host ?? '127.0.0.1',
      tls: options.tls ?? false,
      ...(options.certDir !== undefined ? { certDir: options.certDir } : {}),
      adminPort: options.adminPort ?? 0,
      adminHost: options.host ?? '127.0.0.1',
      adminMount: (app) => mountWebPage(app, pageContext),
      adminSettings: { ...options.adminSettings, security: { ...options.adminSettings?.security, ...(adminToken !== undefined ? { token: adminToken } : {}) } },
      // Verdicts on the page ("valid"): the samples pass their schemas.
      validator: createValidator(),
      validate: 'warn',
    })
    receiver = rcv
    if (closed) return // close() is waiting for this start and closes the receiver
    rcv.faults?.setPlan(scenario.plan(profile, timeScale))
    const ingestUrl = `${rcv.url}/${tag}`
    sender = createSender(
      { url: ingestUrl, ...(rcv.ca ? { ca: rcv.ca } : {}), verifyTls: true },
      { profile, timeScale },
    )
    const s = sender
    pageContext.sender = () => ({ disabled: s.disabled, window: s.windowStats() })
    if (rcv.protocol === 'https') pageContext.caPath = rcv.caPath ?? null
    const lastEnd = new Map<number, number>()
    startMono = performance.now()
    // The sender announces the disable before the end of the attempt that tripped it: hold it until
    // that attempt has been told, so the story never shows an attempt after the disable.
    let disabledEvent: DemoEvent | undefined
    s.on('attempt-end', ({ deliveryId, record }) => {
      attemptsTotal++
      const prevEnd = lastEnd.get(deliveryId)
      lastEnd.set(deliveryId, record.endedAt)
      const failure = describeFailure(record.outcome)
      emit({
        type: 'attempt',
        delivery: deliveryId,
        attempt: record.attempt,
        cycle: record.cycle,
        position: record.indexInCycle,
        ...(record.scheduledIntervalMs !== null ? { plannedMs: record.scheduledIntervalMs } : {}),
        ...(prevEnd !== undefined ? { actualMs: record.startedAt - prevEnd } : {}),
        durationMs: record.endedAt - record.startedAt,
        ok: record.ok,
        ...(record.outcome.kind === 'response' ? { status: record.outcome.status } : {}),
        ...(failure !== undefined ? { failure } : {}),
        atMs: record.startedAt - startMono,
      })
      if (disabledEvent) {
        const event = disabledEvent
        disabledEvent = undefined
        emit(event)
      }
    })
    s.on('retry-scheduled', (r) => {
      emit({ type: 'waiting', delivery: r.deliveryId, nextAttempt: r.attempt, cycle: r.cycle, delayMs: r.intervalMs, dueMono: r.dueAt })
    })
    s.on('delivered', ({ deliveryId, result }) => emit({ type: 'delivered', delivery: deliveryId, attempts: result.attempts.length }))
    s.on('dropped', ({ deliveryId, result }) => emit({ type: 'dropped', delivery: deliveryId, attempts: result.attempts.length }))
    s.on('disabled', ({ stats }) => {
      disabledEvent = { type: 'disabled', attempts: stats.attempts, failed: stats.failed, ratio: stats.failureRatio }
    })

    emit({
      type: 'ready',
      scenario: scenario.name,
      story: scenario.story,
      timeScale,
      ingestUrl,
      pageUrl: `${rcv.adminUrl ?? ''}/${tokenFragment}`,
      ...(rcv.caPath ? { caPath: rcv.caPath } : {}),
      profileName: profile.name,
      cycles: profileCycles(profile).map((c) => c.map((ms) => ms * timeScale)),
      requestTimeoutMs: profile.requestTimeoutMs * timeScale,
      deliveries: scenario.deliveries,
      expectedDurationMs: expectedDuration(scenario, profile, timeScale),
      ending: scenario.ending,
    })

    const notifications = demoNotifications(scenario.deliveries)
    const runs: Array<Promise<DeliveryResult>> = []
    const handOver = async (): Promise<void> => {
      for (const [i, notification] of notifications.entries()) {
        if (i > 0 && scenario.staggerMs > 0) {
          try {
            await systemClock.sleep(scenario.staggerMs * timeScale, stagger.signal)
          } catch {
            return // closed while staggering: no more deliveries
          }
        }
        if (closed) return
        runs.push(s.deliver([notification]))
      }
    }
    // The first delivery is handed over synchronously; the rest of the story runs in the background.
    const story = handOver().then(async () => doneEvent(await Promise.all(runs)))
    void story.then(resolveFinished, () => resolveFinished(doneEvent([])))
  }

  function doneEvent(results: DeliveryResult[]): DemoDoneEvent {
    const outcomes = new Set(results.map((r) => r.outcome))
    let ending: DemoDoneEvent['ending']
    if (closed || outcomes.has('cancelled') || results.length === 0) ending = 'stopped'
    else if (outcomes.has('disabled') || sender?.disabled) ending = 'disabled'
    else if (outcomes.has('dropped')) ending = 'dropped'
    else ending = 'delivered'
    const event: DemoDoneEvent = {
      type: 'done',
      ending,
      asExpected: ending === scenario.ending,
      elapsedMs: performance.now() - startMono,
      attempts: attemptsTotal,
    }
    emit(event)
    return event
  }

  return demo
}
