/**
 * The profile settings real senders need: proportional jitter (Fluentd's retry_randomize), a time
 * limit on retrying (retry_timeout), and one retry state shared by every delivery (head-of-line).
 * The schedule functions and the reference sender on a ManualClock with a scripted transport.
 */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import type { AttemptFn, AttemptOutcome } from '../../../src/sender/attempt.js'
import { expectedSchedule, intervalRange, loadProfile, maxAttempts, nextRetry, parseProfile, wallarmProfile, type RetryProfile } from '../../../src/profile/index.js'
import { createSender } from '../../../src/sender/sender.js'
import { seededRng } from '../../../src/sender/rng.js'

const URL_ = 'https://127.0.0.1:9/wallarm'
const note = (n: number): { summary: string; details: { notification_type: string } } => ({ summary: `s${n}`, details: { notification_type: 'create_user' } })
const fail: AttemptOutcome = { kind: 'response', status: 503 }
const ok: AttemptOutcome = { kind: 'response', status: 200 }

function scripted(clock: ManualClock, outcomes: (i: number) => AttemptOutcome, durationMs = 0): AttemptFn & { calls: number } {
  const fn = (async (_req, ctx) => {
    const i = fn.calls++
    if (durationMs > 0) {
      try {
        await clock.sleep(durationMs, ctx.signal)
      } catch {
        return { kind: 'cancelled' }
      }
    }
    return outcomes(i)
  }) as AttemptFn & { calls: number }
  fn.calls = 0
  return fn
}

const exponential = (extra: Partial<RetryProfile['schedule']>, rest: Partial<RetryProfile> = {}): RetryProfile =>
  parseProfile({ extends: 'wallarm', name: 'x', autoDisable: null, schedule: { kind: 'exponential', initialMs: 1000, multiplier: 2, maxMs: 60_000, maxRetries: 6, jitter: 'none', ...extra }, ...rest })

describe('proportional jitter', () => {
  const p = exponential({ jitter: 'proportional', jitterRatio: 0.125, firstIntervalExact: true })

  it('gives each interval a ±12.5 % range, the first one exact (Fluentd)', () => {
    expect(intervalRange(p, 1)).toEqual([1000, 1000])
    expect(intervalRange(p, 2)).toEqual([1750, 2250])
    expect(intervalRange(p, 3)).toEqual([3500, 4500])
    expect(expectedSchedule(p).map((a) => a.intervalMs)).toEqual([null, 1000, 2000, 4000, 8000, 16_000, 32_000])
  })

  it('draws every interval inside its range, the whole range reached', () => {
    const rng = seededRng(7)
    const drawn = Array.from({ length: 400 }, () => nextRetry(p, 2, rng)!.intervalMs)
    expect(Math.min(...drawn)).toBeGreaterThanOrEqual(1750)
    expect(Math.max(...drawn)).toBeLessThanOrEqual(2250)
    expect(Math.min(...drawn)).toBeLessThan(1780)
    expect(Math.max(...drawn)).toBeGreaterThan(2220)
    expect(nextRetry(p, 1, rng)!.intervalMs).toBe(1000)
  })

  it('applies to table schedules too, and needs its ratio', () => {
    const t = parseProfile({ extends: 'wallarm', schedule: { kind: 'table', cycles: [[2000, 2000]], jitter: 'proportional', jitterRatio: 0.1 } })
    expect(intervalRange(t, 2)).toEqual([1800, 2200])
    expect(() => exponential({ jitter: 'proportional' })).toThrow(/needs "jitterRatio"/)
    expect(() => exponential({ jitterRatio: 0.1 })).toThrow(/only applies to "jitter": "proportional"/)
  })
})

describe('give up after a total time', () => {
  const limited = (lastRetry: 'at-deadline' | 'none'): RetryProfile => exponential({ maxRetries: null }, { giveUpAfter: { ms: 10_000, lastRetry } })

  it('cuts the nominal schedule: at-deadline moves the last retry to the deadline (Fluentd), none leaves it out', () => {
    expect(expectedSchedule(limited('at-deadline')).map((a) => a.intervalMs)).toEqual([null, 1000, 2000, 4000, 3000])
    expect(maxAttempts(limited('at-deadline'))).toBe(5)
    expect(expectedSchedule(limited('none')).map((a) => a.intervalMs)).toEqual([null, 1000, 2000, 4000])
  })

  it('the sender measures the limit on its clock from the end of the first failed attempt', async () => {
    const clock = new ManualClock()
    // 250 ms attempts: the first failure ends at 250; retries at 1250, 3500, 7750, then 10250 (the deadline), then drop.
    const attempt = scripted(clock, () => fail, 250)
    const sender = createSender({ url: URL_ }, { clock, attempt, profile: limited('at-deadline') })
    const p = sender.deliver(note(1))
    await clock.runAll()
    const r = await p
    expect(r.outcome).toBe('dropped')
    expect(r.attempts.map((a) => a.startedAt)).toEqual([0, 1250, 3500, 7750, 10_250])
    const none = createSender({ url: URL_ }, { clock, attempt: scripted(clock, () => fail, 250), profile: limited('none') })
    const q = none.deliver(note(2))
    await clock.runAll()
    expect((await q).attempts).toHaveLength(4)
  })

  it('a count limit of null needs a time limit; a schedule past 10 000 retries is refused', () => {
    expect(() => exponential({ maxRetries: null })).toThrow(/needs "giveUpAfter"/)
    expect(() => exponential({ multiplier: 1, maxRetries: null }, { giveUpAfter: { ms: 72 * 3600_000, lastRetry: 'at-deadline' } })).toThrow(/more than 10000 retries/)
  })
})

describe('shared retry state (head-of-line)', () => {
  const shared = (drop = false): RetryProfile => parseProfile({ extends: 'wallarm', autoDisable: null, schedule: { kind: 'table', cycles: [[1000, 1000, 1000]] }, sharedRetryState: true, ...(drop ? { dropQueuedOnGiveUp: true } : {}) })

  it('a later delivery waits behind a failing one, and starts once it is delivered', async () => {
    const clock = new ManualClock()
    const attempt = scripted(clock, (i) => (i < 2 ? fail : ok), 10)
    const sender = createSender({ url: URL_ }, { clock, attempt, profile: shared() })
    const a = sender.deliver(note(1))
    const b = sender.deliver(note(2))
    await clock.runAll()
    const [ra, rb] = [await a, await b]
    expect(ra.attempts.map((x) => x.startedAt)).toEqual([0, 1010, 2020])
    expect(rb.attempts.map((x) => x.startedAt)).toEqual([2030])
    expect([ra.outcome, rb.outcome]).toEqual(['delivered', 'delivered'])
  })

  it('without it, both deliveries fail and retry at once', async () => {
    const clock = new ManualClock()
    const attempt = scripted(clock, (i) => (i < 2 ? fail : ok), 10)
    const sender = createSender({ url: URL_ }, { clock, attempt, profile: { ...shared(), sharedRetryState: false } })
    const a = sender.deliver(note(1))
    const b = sender.deliver(note(2))
    await clock.runAll()
    expect((await a).attempts.map((x) => x.startedAt)).toEqual([0, 1010])
    expect((await b).attempts.map((x) => x.startedAt)).toEqual([0, 1010])
  })

  it('dropQueuedOnGiveUp: the deliveries waiting when one is dropped go with it, unsent; a later one is sent', async () => {
    const clock = new ManualClock()
    const attempt = scripted(clock, () => fail, 10)
    const sender = createSender({ url: URL_ }, { clock, attempt, profile: shared(true) })
    const a = sender.deliver(note(1))
    const b = sender.deliver(note(2))
    await clock.runAll()
    expect((await a).attempts).toHaveLength(4)
    expect(await b).toMatchObject({ outcome: 'dropped', attempts: [] })
    const c = sender.deliver(note(3))
    await clock.runAll()
    expect((await c).attempts).toHaveLength(4)
    expect(() => parseProfile({ extends: 'wallarm', dropQueuedOnGiveUp: true })).toThrow(/only applies with "sharedRetryState": true/)
  })
})

describe('shipped profiles', () => {
  it.each(['fluentd-exponential', 'fluentd-periodic', 'undici-retry-agent', 'got-retry'])('%s loads and names its source', (name) => {
    const p = loadProfile(name)
    expect(p.source ?? '').toMatch(/https:\/\//)
    expect(maxAttempts(p)).toBeGreaterThan(1)
  })

  it('wallarm is unchanged: 17 attempts, no limit, one state per delivery', () => {
    expect(maxAttempts(wallarmProfile)).toBe(17)
    expect(wallarmProfile.giveUpAfter ?? null).toBeNull()
    expect(wallarmProfile.sharedRetryState ?? false).toBe(false)
  })
})

describe('the Fluentd defaults, read from retry_state.rb', () => {
  it('fluentd-exponential: 1 s exact, then doubling within ±12.5 %, the last retry at 72 h: 19 attempts', () => {
    const p = loadProfile('fluentd-exponential')
    const s = expectedSchedule(p)
    expect(s).toHaveLength(19)
    expect(s.slice(1, 5).map((a) => a.intervalRangeMs)).toEqual([[1000, 1000], [1750, 2250], [3500, 4500], [7000, 9000]])
    expect(s[18]!.offsetMs).toBe(72 * 3600_000)
    expect(p.sharedRetryState && p.dropQueuedOnGiveUp).toBe(true)
  })

  it('fluentd-periodic: five 2 s intervals, exact', () => {
    expect(expectedSchedule(loadProfile('fluentd-periodic')).map((a) => a.intervalRangeMs)).toEqual([null, ...Array<[number, number]>(5).fill([2000, 2000])])
  })
})
