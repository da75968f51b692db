/**
 * Time, injectable. Schedule logic takes a Clock so unit tests can drive it with a
 * ManualClock; the real thing uses the monotonic `performance.now()` and the wall clock.
 */
export interface Clock {
  /** Monotonic milliseconds (arbitrary origin); use for intervals. */
  now(): number
  /** Wall-clock milliseconds since the epoch; use for timestamps people read. */
  wallNow(): number
  /** Resolves after `ms` (monotonic); rejects with the signal's reason when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
  /**
   * Calls `fn` once after `ms` (monotonic); returns a handle for clearTimer. Delays longer than
   * 2^31-1 ms are clamped (node would fire them after 1 ms).
   */
  setTimer(fn: () => void, ms: number): TimerHandle
  /** Cancels a timer (no effect when it already fired or was cleared). */
  clearTimer(handle: TimerHandle): void
}

declare const timerBrand: unique symbol
/** An opaque timer handle (from Clock.setTimer). */
export type TimerHandle = { readonly [timerBrand]: true }

/** Longest delay node's timers honour. */
const MAX_TIMER_MS = 2 ** 31 - 1

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError')
}

/**
 * Node's timers run on libuv's loop time, which is cached in whole milliseconds at the start of
 * each loop turn: a timer armed late in a turn can fire more than 1 ms before `performance.now()`
 * says it is due (seen in CI: a 250 ms retry interval measured 248.9 ms). A sender that must
 * never retry early cannot live with that, so the real clock re-arms for whatever is left until
 * the monotonic clock has passed the due time.
 */
interface NotEarlyTimer {
  timeout: NodeJS.Timeout | undefined
}

function armNotEarly(fn: () => void, ms: number): NotEarlyTimer {
  const dueAt = performance.now() + ms
  const handle: NotEarlyTimer = { timeout: undefined }
  const fire = (): void => {
    const left = dueAt - performance.now()
    if (left > 0) {
      handle.timeout = setTimeout(fire, Math.min(Math.ceil(left), MAX_TIMER_MS))
      return
    }
    handle.timeout = undefined
    fn()
  }
  handle.timeout = setTimeout(fire, Math.min(ms, MAX_TIMER_MS))
  return handle
}

function disarm(handle: NotEarlyTimer): void {
  if (handle.timeout !== undefined) clearTimeout(handle.timeout)
  handle.timeout = undefined
}

/** The real clock: `sleep` and `setTimer` never fire before `now()` has reached their due time. */
export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal))
        return
      }
      const onAbort = (): void => {
        disarm(timer)
        reject(abortReason(signal!))
      }
      const timer = armNotEarly(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, Math.max(0, ms))
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  },
  setTimer(fn, ms) {
    return armNotEarly(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS)) as unknown as TimerHandle
  },
  clearTimer(handle) {
    disarm(handle as unknown as NotEarlyTimer)
  },
}

interface PendingSleep {
  at: number
  seq: number
  resolve: () => void
}

/**
 * A clock that only moves when told to. `advance(ms)` runs every sleep that falls due, in order,
 * letting promise continuations run between them so that chained sleeps behave as in real time.
 */
export class ManualClock implements Clock {
  #now: number
  #wallOrigin: number
  #seq = 0
  #pending: PendingSleep[] = []

  constructor(startMs = 0, wallOriginMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs
    this.#wallOrigin = wallOriginMs
  }

  now(): number {
    return this.#now
  }

  wallNow(): number {
    return this.#wallOrigin + this.#now
  }

  /** Number of sleeps and timers not yet due. */
  get pendingCount(): number {
    return this.#pending.length
  }

  /** Monotonic time of the next sleep that will fall due, or undefined. */
  nextDueAt(): number | undefined {
    return this.#pending.reduce<number | undefined>((min, p) => (min === undefined || p.at < min ? p.at : min), undefined)
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal))
        return
      }
      const entry: PendingSleep = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve: () => {} }
      const onAbort = (): void => {
        this.#pending = this.#pending.filter((p) => p !== entry)
        reject(abortReason(signal!))
      }
      entry.resolve = () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }
      this.#pending.push(entry)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const entry: PendingSleep = { at: this.#now + Math.min(Math.max(0, ms), MAX_TIMER_MS), seq: this.#seq++, resolve: fn }
    this.#pending.push(entry)
    return entry as unknown as TimerHandle
  }

  clearTimer(handle: TimerHandle): void {
    this.#pending = this.#pending.filter((p) => p !== (handle as unknown as PendingSleep))
  }

  /** Moves time forward by `ms`, resolving due sleeps and firing due timers in time order. */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    for (;;) {
      await flushMicrotasks()
      const due = this.#pending
        .filter((p) => p.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (!due) break
      this.#pending = this.#pending.filter((p) => p !== due)
      this.#now = Math.max(this.#now, due.at)
      due.resolve()
    }
    this.#now = target
    await flushMicrotasks()
  }

  /** Advances to each next due sleep until none is left or `maxMs` has passed. */
  async runAll(maxMs = Number.MAX_SAFE_INTEGER): Promise<void> {
    const limit = this.#now + maxMs
    for (;;) {
      await flushMicrotasks()
      const next = this.nextDueAt()
      if (next === undefined || next > limit) break
      await this.advance(next - this.#now)
    }
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve()
  await new Promise<void>((resolve) => setImmediate(resolve))
}

/**
 * Parses a duration: a number is milliseconds; strings take a unit: `ms`, `s`, `m`, `min`, `h`.
 * Returns undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?\s*$/i.exec(text)
  if (!m) return undefined
  const value = Number(m[1])
  const unit = (m[2] ?? 'ms').toLowerCase()
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'h' ? 3_600_000 : 60_000
  const ms = value * factor
  // 400 digits parse to Infinity: not a duration (found by test/unit/fuzz-parsers.test.ts).
  return Number.isFinite(ms) ? ms : undefined
}
