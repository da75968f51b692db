/** The measured-precision pieces: lag attribution, the schedule fit, the mutant generator. Pure. */
import { describe, expect, test } from 'vitest'
import { fitSchedule, mergePrecision, precisionOf, slackBetween } from '../../../src/conformance/judges/precision.js'
import { lagAt } from '../../../src/conformance/lag-probe.js'
import { generateMutants, mutantAdapter } from '../../../src/conformance/mutants.js'
import type { SenderAdapter } from '../../../src/conformance/adapters/types.js'
import type { ConformanceSettings } from '../../../src/conformance/types.js'
import { wallarmProfile } from '../../../src/profile/index.js'
import { maxAttempts } from '../../../src/profile/index.js'

describe('lag probe attribution', () => {
  test('a block that ended just before a stamp, or covers it, counts; one long before or after does not', () => {
    const samples = [
      { mono: 95, lateMs: 4 }, // ended 5 ms before the stamp at 100: counts
      { mono: 120, lateMs: 30 }, // blocked from ~86 to 120: covers 100, counts
      { mono: 50, lateMs: 10 }, // long before
      { mono: 200, lateMs: 10 }, // after
    ]
    expect(lagAt(samples, 100)).toBe(30)
    expect(lagAt(samples, 100, 'sum')).toBe(34)
    expect(lagAt([], 100)).toBe(0)
  })

  test('slack: 3 ms early and the base late, each widened by the lag at the stamps', () => {
    expect(slackBetween({ absMs: 6, rel: 0 }, 1000, [], 0, 1000)).toEqual({ earlyMs: 3, lateMs: 6, lagMs: 0 })
    expect(slackBetween({ absMs: 6, rel: 0.01 }, 1000, [{ mono: 1000, lateMs: 5 }], 0, 1000)).toEqual({ earlyMs: 13, lateMs: 21, lagMs: 5 })
    // In process, a block right after the answer delays the sender too: both lags on the late side.
    const lag = [{ mono: 2, lateMs: 4 }, { mono: 1000, lateMs: 5 }]
    expect(slackBetween({ absMs: 6, rel: 0 }, 1000, lag, 0, 1000)).toEqual({ earlyMs: 7, lateMs: 11, lagMs: 5 })
    expect(slackBetween({ absMs: 6, rel: 0 }, 1000, lag, 0, 1000, true)).toEqual({ earlyMs: 7, lateMs: 15, lagMs: 9 })
    // Out of process, a probe process's lateness at either stamp widens the late side only.
    expect(slackBetween({ absMs: 6, rel: 0 }, 1000, [], 0, 1000, false, [{ mono: 700, lateMs: 12 }, { mono: 100, lateMs: 3 }, { mono: 1600, lateMs: 50 }])).toEqual({ earlyMs: 3, lateMs: 21, lagMs: 15 })
    expect(slackBetween({ absMs: 6, rel: 0 }, 1000, [], 0, 1000, true, [{ mono: 999, lateMs: 12 }])).toEqual({ earlyMs: 3, lateMs: 6, lagMs: 0 })
  })
})

describe('schedule fit', () => {
  test('recovers k and c; too few points or one expected value give none', () => {
    const fit = fitSchedule([300, 900, 1500, 3000].map((e) => ({ expectedMs: e, observedMs: 1.1 * e + 4 })))!
    expect(fit.k).toBeCloseTo(1.1, 6)
    expect(fit.c).toBeCloseTo(4, 6)
    expect(fit.kErr).toBeCloseTo(0, 6)
    expect(fitSchedule([{ expectedMs: 1, observedMs: 1 }])).toBeUndefined()
    // Equal intervals: no slope to fit; k is taken as 1 and the offset is the mean deviation.
    expect(fitSchedule([1, 1, 1].map(() => ({ expectedMs: 5, observedMs: 7 })))).toEqual({ k: 1, kErr: 0, c: 2, n: 3, sloped: false })
  })

  test('an interval the runner lag made uncertain (wide slack) does not drag the fit of the sharp ones', () => {
    // retry.cycle-1 at scale 0.3, its first interval stamped 80 ms late behind 94 ms of runner lag.
    const observed = [
      { expectedMs: 300, observedMs: 380, widthMs: 172 },
      { expectedMs: 900, observedMs: 905, widthMs: 45 },
      { expectedMs: 1500, observedMs: 1506, widthMs: 40 },
      { expectedMs: 3000, observedMs: 3004, widthMs: 45 },
      { expectedMs: 3000, observedMs: 3006, widthMs: 45 },
    ]
    const plain = fitSchedule(observed.map(({ expectedMs, observedMs }) => ({ expectedMs, observedMs })))!
    expect(plain.c).toBeGreaterThan(27)
    const weighted = fitSchedule(observed)!
    expect(Math.abs(weighted.k - 1)).toBeLessThan(0.01)
    expect(Math.abs(weighted.c)).toBeLessThan(27)
    // A sender 5 % slow is still seen as one, beside the same disturbed interval.
    const slow = fitSchedule(observed.map((p, i) => (i === 0 ? p : { ...p, observedMs: p.expectedMs * 1.05 + 3 })))!
    expect(slow.k).toBeGreaterThan(1.04)
    // Equal widths are the ordinary least-squares line.
    expect(fitSchedule(observed.map((p) => ({ ...p, widthMs: 40 })))!.k).toBeCloseTo(plain.k, 9)
  })

  test('precision merges medians and keeps the worst', () => {
    const a = precisionOf([{ earlyMs: 3, lateMs: 6, lagMs: 0 }, { earlyMs: 5, lateMs: 20, lagMs: 14 }, { earlyMs: 3, lateMs: 7, lagMs: 1 }])
    expect(a).toMatchObject({ judged: 3, earlyMs: 3, lateMs: 7, worstLateMs: 20, lagMs: 14 })
    expect(mergePrecision([a, undefined])).toMatchObject({ judged: 3, worstLateMs: 20 })
  })
})

describe('mutants of the wallarm profile', () => {
  const { mutants, unobservable } = generateMutants(wallarmProfile)

  test('each number 10 % off both ways (0 s -> 1 s), each choice flipped, one field at a time', () => {
    expect(mutants).toHaveLength(31 + 2 + 2 + 2 + 2 + 2 + 2 + 1 + 3)
    expect(unobservable.map((u) => u.id)).toEqual(['success 200..299 -> 180..299'])
    const byId = new Map(mutants.map((m) => [m.id, m.profile]))
    expect(byId.get('interval c1.2 +10%')!.schedule).toEqual({ kind: 'table', cycles: [[1000, 3300, 5000, 10000, 10000], wallarmProfile.schedule.kind === 'table' ? wallarmProfile.schedule.cycles[1] : [], wallarmProfile.schedule.kind === 'table' ? wallarmProfile.schedule.cycles[2] : []] })
    expect(byId.get('interval c2.1 0 s -> 1 s')!.schedule.kind === 'table' && byId.get('interval c2.1 0 s -> 1 s')!.schedule).toMatchObject({ cycles: [expect.anything(), [1000, 1000, 3000, 5000, 30000], expect.anything()] })
    expect(maxAttempts(byId.get('max attempts 17 -> 15')!)).toBe(15)
    expect(maxAttempts(byId.get('max attempts 17 -> 19')!)).toBe(19)
    expect(byId.get('window -10%')!.autoDisable!.windowMs).toBe(0.9 * 12 * 3600_000)
    expect(byId.get('interval from attempt-start')!.intervalFrom).toBe('attempt-start')
    expect(byId.get('success 200..299 -> 200..269')!.successStatus).toEqual([[200, 269]])
    // Only the named field differs.
    for (const m of mutants) expect({ ...m.profile, name: '' }).not.toEqual({ ...wallarmProfile, name: '' })
  })

  test('a mutant sender scales the timeouts it is handed by its own error', async () => {
    const m = mutants.find((x) => x.id === 'request timeout +10%')!
    let seen: ConformanceSettings | undefined
    const inner: SenderAdapter = {
      label: 'inner',
      reportsEvents: true,
      start: (o) => {
        seen = o.settings
        return Promise.reject(new Error('not started'))
      },
    }
    const settings: ConformanceSettings = { url: 'https://127.0.0.1:9/x', method: 'POST', headers: {}, caFile: '', verifyTls: true, format: 'json', requestTimeoutMs: 15000, connectTimeoutMs: 20000, timeScale: 0.1 }
    const adapter = mutantAdapter(wallarmProfile, m, inner)
    await expect(adapter.start({ settings, scenarioId: 'x', onEvent: () => {} })).rejects.toThrow('not started')
    expect(seen!.requestTimeoutMs).toBeCloseTo(16500, 6)
    expect(seen!.connectTimeoutMs).toBe(20000)
    expect(adapter.label).toBe('mutant: request timeout +10%')
  })
})
