import { describe, expect, it } from 'vitest'
import { ManualClock, parseDuration, systemClock } from '../../src/clock/index.js'

describe('ManualClock', () => {
  it('fires timers in time order only when advanced; a cleared timer never fires', async () => {
    const clock = new ManualClock()
    const order: string[] = []
    clock.setTimer(() => order.push(`b@${clock.now()}`), 300)
    const c = clock.setTimer(() => order.push('c'), 200)
    clock.setTimer(() => order.push(`a@${clock.now()}`), 100)
    clock.setTimer(() => order.push(`a2@${clock.now()}`), 100)
    expect(clock.pendingCount).toBe(4)
    await clock.advance(99)
    expect(order).toEqual([])
    clock.clearTimer(c)
    await clock.advance(250)
    expect(order).toEqual(['a@100', 'a2@100', 'b@300'])
    expect(clock.pendingCount).toBe(0)
  })

  it('a timer set by a timer fires within the same advance when it falls due', async () => {
    const clock = new ManualClock()
    const seen: number[] = []
    const tick = (): void => {
      seen.push(clock.now())
      if (seen.length < 3) clock.setTimer(tick, 40)
    }
    clock.setTimer(tick, 40)
    await clock.advance(100)
    expect(seen).toEqual([40, 80])
    await clock.advance(20)
    expect(seen).toEqual([40, 80, 120])
  })

  it('resolves sleeps in time order only when advanced', async () => {
    const clock = new ManualClock()
    const order: string[] = []
    void clock.sleep(300).then(() => order.push(`b@${clock.now()}`))
    void clock.sleep(100).then(() => order.push(`a@${clock.now()}`))
    await clock.advance(99)
    expect(order).toEqual([])
    await clock.advance(250)
    expect(order).toEqual(['a@100', 'b@300'])
    expect(clock.now()).toBe(349)
  })

  it('runs chained sleeps within one advance', async () => {
    const clock = new ManualClock()
    const seen: number[] = []
    const chain = (async () => {
      for (const ms of [1000, 3000, 5000]) {
        await clock.sleep(ms)
        seen.push(clock.now())
      }
    })()
    await clock.advance(10_000)
    await chain
    expect(seen).toEqual([1000, 4000, 9000])
  })

  it('rejects a sleep when its signal aborts', async () => {
    const clock = new ManualClock()
    const ac = new AbortController()
    const p = clock.sleep(1000, ac.signal)
    ac.abort(new Error('cancelled'))
    await expect(p).rejects.toThrow('cancelled')
    expect(clock.pendingCount).toBe(0)
  })
})

/** Keeps this turn of the event loop busy, so that libuv's cached loop time goes stale. */
function busy(ms: number): void {
  const until = performance.now() + ms
  while (performance.now() < until) {
    /* spin */
  }
}

describe('systemClock', () => {
  it('sleeps at least the time asked', async () => {
    const t0 = systemClock.now()
    await systemClock.sleep(30)
    expect(systemClock.now() - t0).toBeGreaterThanOrEqual(30)
  })

  // A bare setTimeout armed 15 ms into a busy turn fires about 15 ms early by performance.now().
  it('never wakes a sleep or fires a timer before now() reaches the due time, even armed late in a busy turn', async () => {
    await new Promise<void>((resolve) => setImmediate(resolve))
    busy(15)
    const sleptFrom = systemClock.now()
    const slept = systemClock.sleep(30).then(() => systemClock.now() - sleptFrom)
    const timedFrom = systemClock.now()
    const timed = new Promise<number>((resolve) => systemClock.setTimer(() => resolve(systemClock.now() - timedFrom), 30))
    expect(await slept).toBeGreaterThanOrEqual(30)
    expect(await timed).toBeGreaterThanOrEqual(30)
  })

  it('a timer cleared while re-armed for its remainder never fires', async () => {
    await new Promise<void>((resolve) => setImmediate(resolve))
    busy(15)
    let fired = false
    const t = systemClock.setTimer(() => (fired = true), 30)
    // The first arming falls due about 15 ms early; clear the timer after it re-armed (22 ms by now()).
    await systemClock.sleep(22)
    systemClock.clearTimer(t)
    await new Promise<void>((resolve) => setTimeout(resolve, 30))
    expect(fired).toBe(false)
  })
})

describe('parseDuration', () => {
  it.each([
    ['250', 250],
    ['250ms', 250],
    ['16s', 16_000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['30min', 1_800_000],
    ['12h', 43_200_000],
  ])('%s = %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })

  it.each(['', 'abc', '-1s', '5 days', '1e3'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined()
  })
})

describe('systemClock timers', () => {
  it('setTimer fires after the delay; clearTimer cancels', async () => {
    const fired: string[] = []
    const t = systemClock.setTimer(() => fired.push('cleared'), 5)
    systemClock.clearTimer(t)
    await new Promise<void>((resolve) => systemClock.setTimer(() => resolve(void fired.push('kept')), 10))
    expect(fired).toEqual(['kept'])
  })
})

