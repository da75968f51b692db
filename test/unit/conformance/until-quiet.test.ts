import { describe, expect, test } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import { QUIET_FOR_MS, QUIET_MAX_WAIT_MS, untilQuiet, type LagProbe, type LagSample } from '../../../src/conformance/lag-probe.js'

/** A probe whose late firings are given: at `mono`, `lateMs` late. */
function probeOf(samples: LagSample[]): LagProbe {
  return {
    samples: () => [...samples],
    worstSince: (mono) => Math.max(0, ...samples.filter((s) => s.mono >= mono).map((s) => s.lateMs)),
    stop: () => {},
  }
}

/** Runs untilQuiet on a manual clock, advancing it 10 ms at a time; returns the time it waited. */
async function waited(probes: Array<LagProbe | undefined>, clock: ManualClock): Promise<number> {
  let result: number | undefined
  void untilQuiet(probes, undefined, clock).then((ms) => (result = ms))
  for (let i = 0; i < 1000 && result === undefined; i++) await clock.advance(10)
  return result!
}

describe('untilQuiet: a scenario starts once the machine has calmed down', () => {
  test('on a quiet machine it waits only for the probe history it needs', async () => {
    const clock = new ManualClock(10_000)
    expect(await waited([probeOf([{ mono: 9_000, lateMs: 80 }])], clock)).toBe(QUIET_FOR_MS + 10)
  })

  test('through a burst it waits until the burst has been over for the quiet time', async () => {
    const clock = new ManualClock(10_000)
    // Late firings of 30 ms until 10,400, on the runner's loop or in the machine probe.
    const burst = Array.from({ length: 9 }, (_, i) => ({ mono: 10_000 + i * 50, lateMs: 30 }))
    const ms = await waited([probeOf([]), probeOf(burst)], clock)
    expect(ms).toBeGreaterThan(400 + QUIET_FOR_MS)
    expect(ms).toBeLessThanOrEqual(400 + QUIET_FOR_MS + 40)
  })

  test('lateness within the quiet threshold is quiet; a machine that never calms down is waited for at most the cap', async () => {
    const jitter = Array.from({ length: 400 }, (_, i) => ({ mono: 20_000 + i * 5, lateMs: 3 }))
    expect(await waited([probeOf(jitter)], new ManualClock(20_000))).toBe(QUIET_FOR_MS + 10)
    const busy = Array.from({ length: 400 }, (_, i) => ({ mono: 20_000 + i * 10, lateMs: 25 }))
    const ms = await waited([probeOf(busy), undefined], new ManualClock(20_000))
    expect(ms).toBeGreaterThanOrEqual(QUIET_MAX_WAIT_MS)
    expect(ms).toBeLessThanOrEqual(QUIET_MAX_WAIT_MS + 20)
  })
})
