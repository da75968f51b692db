/**
 * The reference sender: delivers notifications under a retry profile, each delivery independent
 * and concurrent with its own schedule (or, with a shared retry state, one at a time in order), all
 * sharing the integration's auto-disable window. Waiting
 * goes through the injected clock with an AbortSignal, so auto-disable and close() cancel every
 * pending retry at once. It prints nothing: subscribe to its events.
 * @see docs/design.md "Delivery rules"
 */
import { readFileSync } from 'node:fs'
import { systemClock, type Clock } from '../clock/index.js'
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import { DisableWindow, isSuccessStatus, nextRetry, wallarmProfile, type RetryProfile, type Rng, type WindowStats } from '../profile/index.js'
import { performAttempt, type AttemptFn, type AttemptOutcome, type AttemptRequest } from './attempt.js'
import { CONTENT_TYPES, encodeBody, type Notification } from './body.js'
import {
  TypedEmitter,
  type AttemptRecord,
  type DeliveryOutcome,
  type DeliveryResult,
  type ScheduledRetry,
  type SenderEventName,
  type SenderListener,
} from './events.js'
import { seededRng } from './rng.js'
import type { IntegrationSettings } from './settings.js'
import { integrationDisabledNotification } from './system-notification.js'

/** How the sender runs (all optional). */
export interface SenderOptions {
  /** Delivery rules (default: the built-in `wallarm` profile). */
  profile?: RetryProfile
  /** Time source for intervals, timeouts and the window (default systemClock). */
  clock?: Clock
  /** Multiplies every interval, timeout and the window; wins over settings.timeScale (default 1). */
  timeScale?: number
  /** Seeds the jitter of exponential profiles (ignored when `rng` is given). */
  seed?: number
  /** Uniform [0, 1) source for jitter (default: seeded from `seed`, else Math.random). */
  rng?: Rng
  /** Transport of one attempt (default: undici, performAttempt); replace it for simulations. */
  attempt?: AttemptFn
}

/** A running sender for one integration. */
export interface Sender {
  readonly profile: RetryProfile
  /** The effective time scale. */
  readonly timeScale: number
  /** True once the integration has been auto-disabled. */
  readonly disabled: boolean
  /**
   * Delivers one body: a notification, or an array of notifications sent together. Resolves when
   * the delivery ends (never rejects for delivery failures); after auto-disable or close() it
   * resolves at once with 'disabled' / 'cancelled' and no request.
   */
  deliver(notifications: Notification | readonly Notification[]): Promise<DeliveryResult>
  /** Subscribes to an event; returns the unsubscribe function. */
  on<E extends SenderEventName>(event: E, listener: SenderListener<E>): () => void
  /** The auto-disable window now (null when the profile never disables). */
  windowStats(): WindowStats | null
  /** Cancels pending retries and in-flight attempts; resolves when every delivery has ended. */
  close(): Promise<void>
}

function isSuccess(profile: RetryProfile, outcome: AttemptOutcome): boolean {
  return outcome.kind === 'response' && isSuccessStatus(profile, outcome.status)
}

function bad(message: string): FakeFluentdError {
  return new FakeFluentdError(ErrorCodes.FF_ERR_OPTION, message)
}

function readCa(settings: IntegrationSettings): string | undefined {
  if (settings.ca) return settings.ca
  if (!settings.caFile) return undefined
  try {
    return readFileSync(settings.caFile, 'utf8')
  } catch (err) {
    throw new FakeFluentdError(
      ErrorCodes.FF_ERR_INPUT,
      `Cannot read the CA certificate file "${settings.caFile}": ${(err as NodeJS.ErrnoException).code ?? 'error'}; give a PEM file.`,
      { cause: err },
    )
  }
}

function buildHeaders(settings: IntegrationSettings, contentType: string): Record<string, string> {
  const headers: Record<string, string> = {}
  const extra = settings.headers ?? {}
  // A user header may override Content-Type (Wallarm's Terraform example does).
  const overridesType = Object.keys(extra).some((k) => k.toLowerCase() === 'content-type')
  if (!overridesType) headers['content-type'] = contentType
  for (const [name, value] of Object.entries(extra)) headers[name] = value
  return headers
}

/** Creates a sender for one integration. Throws FF_ERR_OPTION / FF_ERR_INPUT on bad settings. */
export function createSender(settings: IntegrationSettings, options: SenderOptions = {}): Sender {
  const profile = options.profile ?? wallarmProfile
  const clock = options.clock ?? systemClock
  const timeScale = options.timeScale ?? settings.timeScale ?? 1
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw bad(`The time scale must be a positive number, got ${timeScale}.`)
  try {
    const u = new URL(settings.url)
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol')
  } catch {
    throw bad(`The integration URL must be an http(s) URL, got "${settings.url}".`)
  }
  const method = settings.method ?? 'POST'
  if (method !== 'POST' && method !== 'PUT') throw bad(`The method must be POST or PUT, got "${String(method)}".`)
  const format = settings.format ?? 'json'
  if (format !== 'json' && format !== 'ndjson') throw bad(`The format must be json or ndjson, got "${String(format)}".`)
  const requestTimeoutMs = (settings.requestTimeoutMs ?? profile.requestTimeoutMs) * timeScale
  const connectTimeoutMs = (settings.connectTimeoutMs ?? profile.connectTimeoutMs) * timeScale
  if (!(requestTimeoutMs > 0) || !(connectTimeoutMs > 0)) throw bad('Timeouts must be positive numbers of milliseconds.')
  const ca = readCa(settings)
  const verifyTls = settings.verifyTls ?? true
  const headers = buildHeaders(settings, CONTENT_TYPES[format])
  const rng = options.rng ?? (options.seed !== undefined ? seededRng(options.seed) : Math.random)
  const attemptFn = options.attempt ?? performAttempt

  const emitter = new TypedEmitter()
  const rule = profile.autoDisable
  const window = rule ? new DisableWindow({ ...rule, windowMs: rule.windowMs * timeScale }, clock) : null
  /** Aborted on disable or close: cancels every pending retry. */
  const waits = new AbortController()
  /** Aborted on close only: cancels in-flight attempts too. */
  const closing = new AbortController()
  let stopped: 'disabled' | 'closed' | null = null
  let nextId = 1
  const active = new Set<Promise<DeliveryResult>>()

  const disable = (): void => {
    if (stopped) return
    stopped = 'disabled'
    const stats = window!.stats()
    waits.abort(new Error('integration disabled'))
    emitter.emit('disabled', {
      at: clock.now(),
      stats,
      notification: integrationDisabledNotification({
        url: settings.url,
        stats,
        windowMs: window!.rule.windowMs,
        thresholdRatio: window!.rule.failureRatio,
        minAttempts: window!.rule.minAttempts,
        wallNowMs: clock.wallNow(),
      }),
    })
  }

  /** With a shared retry state: the end of the last delivery handed over (the next waits for it). */
  let queueTail: Promise<unknown> = Promise.resolve()
  /** Counts deliveries dropped with dropQueuedOnGiveUp: one waiting across a change is dropped unsent. */
  let queueDrops = 0

  const run = async (deliveryId: number, list: readonly Notification[], dropUnsent = false): Promise<DeliveryResult> => {
    const startedAt = clock.now()
    const attempts: AttemptRecord[] = []
    const finish = (outcome: DeliveryOutcome): DeliveryResult => {
      const result: DeliveryResult = { deliveryId, outcome, attempts, startedAt, endedAt: clock.now() }
      if (outcome === 'delivered') emitter.emit('delivered', { deliveryId, result })
      if (outcome === 'dropped') emitter.emit('dropped', { deliveryId, result })
      emitter.emit('ended', { deliveryId, result })
      return result
    }
    const stopOutcome = (): DeliveryOutcome => (stopped === 'closed' ? 'cancelled' : 'disabled')
    const request: AttemptRequest = {
      url: settings.url,
      method,
      headers,
      body: encodeBody(list, format),
      ...(ca ? { ca } : {}),
      verifyTls,
      connectTimeoutMs,
      requestTimeoutMs,
    }
    if (dropUnsent) return finish('dropped')
    let pending: ScheduledRetry | null = null
    /** End of the first failed attempt: where a time limit (giveUpAfter) is measured from. */
    let firstFailureEnd: number | null = null
    for (let n = 1; ; n++) {
      if (stopped) return finish(stopOutcome())
      const attemptStart = clock.now()
      emitter.emit('attempt-start', {
        deliveryId,
        attempt: n,
        cycle: pending?.cycle ?? 0,
        indexInCycle: pending?.indexInCycle ?? 0,
        startedAt: attemptStart,
        scheduledIntervalMs: pending?.intervalMs ?? null,
      })
      const outcome = await attemptFn(request, { clock, signal: closing.signal })
      const ok = isSuccess(profile, outcome)
      const record: AttemptRecord = {
        attempt: n,
        cycle: pending?.cycle ?? 0,
        indexInCycle: pending?.indexInCycle ?? 0,
        startedAt: attemptStart,
        endedAt: clock.now(),
        outcome,
        ok,
        scheduledIntervalMs: pending?.intervalMs ?? null,
        profileIntervalMs: pending?.profileIntervalMs ?? null,
      }
      attempts.push(record)
      // Attempts cut by close() say nothing about the receiver; after disable nothing is judged.
      if (outcome.kind !== 'cancelled' && !stopped && window) {
        window.record(ok)
        if (window.shouldDisable()) disable()
      }
      if (!ok && firstFailureEnd === null) firstFailureEnd = record.endedAt
      const elapsedMs = profile.giveUpAfter && firstFailureEnd !== null ? (record.endedAt - firstFailureEnd) / timeScale : undefined
      const next = ok || stopped ? null : nextRetry(profile, n, rng, elapsedMs)
      const scheduled: ScheduledRetry | null = next
        ? {
            deliveryId,
            afterAttempt: n,
            attempt: next.attempt,
            cycle: next.cycle,
            indexInCycle: next.indexInCycle,
            intervalMs: next.intervalMs * timeScale,
            profileIntervalMs: next.intervalMs,
            dueAt: (profile.intervalFrom === 'attempt-start' ? record.startedAt : record.endedAt) + next.intervalMs * timeScale,
          }
        : null
      emitter.emit('attempt-end', { deliveryId, record, nextRetry: scheduled })
      if (ok) return finish('delivered')
      if (stopped) return finish(stopOutcome())
      if (!scheduled) return finish('dropped')
      emitter.emit('retry-scheduled', scheduled)
      try {
        // attempt-end: the whole interval from now; attempt-start: what is left of it (0 when the
        // failed attempt took longer).
        await clock.sleep(Math.max(0, scheduled.dueAt - clock.now()), waits.signal)
      } catch {
        // The wait was cancelled by auto-disable or close(); the loop head reports which.
      }
      pending = scheduled
    }
  }

  return {
    profile,
    timeScale,
    get disabled() {
      return stopped === 'disabled'
    },
    deliver(input) {
      const list: readonly Notification[] = Array.isArray(input) ? (input as readonly Notification[]) : [input as Notification]
      if (list.some((n) => !n || typeof n !== 'object' || Array.isArray(n))) {
        return Promise.reject(bad('A delivery is a notification object or an array of notification objects.'))
      }
      const id = nextId++
      let p: Promise<DeliveryResult>
      if (profile.sharedRetryState) {
        // Head-of-line: this delivery starts once every earlier one has ended.
        const drops = queueDrops
        p = queueTail.then(() => run(id, list, profile.dropQueuedOnGiveUp === true && queueDrops !== drops))
        p.then((r) => {
          if (r.outcome === 'dropped' && r.attempts.length > 0) queueDrops++
        }, () => undefined)
        queueTail = p.catch(() => undefined)
      } else {
        p = run(id, list)
      }
      active.add(p)
      void p.finally(() => active.delete(p)).catch(() => {
        // The caller gets the rejection from deliver(); this copy only tracks activity.
      })
      return p
    },
    on: (event, listener) => emitter.on(event, listener),
    windowStats: () => window?.stats() ?? null,
    async close() {
      if (!stopped) stopped = 'closed'
      waits.abort(new Error('sender closed'))
      closing.abort(new Error('sender closed'))
      await Promise.allSettled([...active])
    },
  }
}
