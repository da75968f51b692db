import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadProfile, wallarmProfile } from '../../../src/profile/index.js'
import type { RetryProfile } from '../../../src/profile/index.js'
import { seededRng } from '../../../src/sender/rng.js'
import { expectedSchedule, intervalRange, maxAttempts, nextRetry } from '../../../src/profile/index.js'

const S = 1000
const M = 60_000

describe('wallarm schedule', () => {
  const expected: Array<[number, number, number]> = [
    // [interval ms, cycle, index in cycle], one per retry
    [1 * S, 1, 1], [3 * S, 1, 2], [5 * S, 1, 3], [10 * S, 1, 4], [10 * S, 1, 5],
    [0, 2, 1], [1 * S, 2, 2], [3 * S, 2, 3], [5 * S, 2, 4], [30 * S, 2, 5],
    [1 * M, 3, 1], [1 * M, 3, 2], [3 * M, 3, 3], [5 * M, 3, 4], [10 * M, 3, 5], [30 * M, 3, 6],
  ]

  it('gives every interval of the three cycles, in order, then drops', () => {
    expected.forEach(([ms, cycle, index], i) => {
      expect(nextRetry(wallarmProfile, i + 1)).toEqual({ intervalMs: ms, cycle, indexInCycle: index, attempt: i + 2 })
      expect(intervalRange(wallarmProfile, i + 1)).toEqual([ms, ms])
    })
    expect(nextRetry(wallarmProfile, 17)).toBeNull()
    expect(nextRetry(wallarmProfile, 18)).toBeNull()
    expect(intervalRange(wallarmProfile, 17)).toBeNull()
  })

  it('rejects attempt numbers that are not positive integers', () => {
    expect(nextRetry(wallarmProfile, 0)).toBeNull()
    expect(nextRetry(wallarmProfile, -1)).toBeNull()
    expect(nextRetry(wallarmProfile, 1.5)).toBeNull()
  })

  it('makes 17 attempts at most', () => {
    expect(maxAttempts(wallarmProfile)).toBe(17)
  })

  it('lists the expected timeline with offsets (attempts taking no time)', () => {
    const s = expectedSchedule(wallarmProfile)
    expect(s).toHaveLength(17)
    expect(s[0]).toEqual({ attempt: 1, cycle: 0, indexInCycle: 0, intervalMs: null, intervalRangeMs: null, offsetMs: 0 })
    expect(s[5]).toMatchObject({ attempt: 6, cycle: 1, indexInCycle: 5, intervalMs: 10 * S, offsetMs: 29 * S })
    expect(s[6]).toMatchObject({ attempt: 7, cycle: 2, indexInCycle: 1, intervalMs: 0, offsetMs: 29 * S })
    expect(s[10]!.offsetMs).toBe(29 * S + 39 * S)
    expect(s[16]).toMatchObject({ attempt: 17, cycle: 3, indexInCycle: 6, intervalMs: 30 * M, offsetMs: 68 * S + 50 * M })
  })

  it('is pure: the same input gives the same output, whatever the rng', () => {
    const rng = (): number => {
      throw new Error('a table schedule draws no jitter')
    }
    expect(nextRetry(wallarmProfile, 3, rng)).toEqual(nextRetry(wallarmProfile, 3, rng))
  })
})

describe('exponential schedule with jitter', () => {
  const base: RetryProfile = { ...loadProfile('exponential-jitter') }
  const withJitter = (jitter: 'none' | 'full' | 'equal'): RetryProfile => ({
    ...base,
    schedule: { kind: 'exponential', initialMs: 1000, multiplier: 2, maxMs: 10_000, maxRetries: 6, jitter },
  })

  it('doubles up to the cap without jitter', () => {
    const p = withJitter('none')
    expect([1, 2, 3, 4, 5, 6].map((n) => nextRetry(p, n)!.intervalMs)).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000])
    expect(nextRetry(p, 7)).toBeNull()
    expect(maxAttempts(p)).toBe(7)
    expect(nextRetry(p, 3)).toMatchObject({ cycle: 1, indexInCycle: 3, attempt: 4 })
  })

  it('draws full jitter in [0, d] and equal jitter in [d/2, d], reproducibly under a seed', () => {
    for (const jitter of ['full', 'equal'] as const) {
      const p = withJitter(jitter)
      const a = seededRng(42)
      const b = seededRng(42)
      for (let n = 1; n <= 6; n++) {
        const [min, max] = intervalRange(p, n)!
        for (let k = 0; k < 50; k++) {
          const x = nextRetry(p, n, a)!.intervalMs
          expect(x).toBeGreaterThanOrEqual(min)
          expect(x).toBeLessThanOrEqual(max)
          expect(nextRetry(p, n, b)!.intervalMs).toBe(x)
        }
      }
      expect(intervalRange(p, 4)).toEqual(jitter === 'full' ? [0, 8000] : [4000, 8000])
    }
  })

  it('uses the extremes of the rng at the ends of the range', () => {
    const p = withJitter('equal')
    expect(nextRetry(p, 2, () => 0)!.intervalMs).toBe(1000)
    expect(nextRetry(p, 2, () => 0.999999)!.intervalMs).toBeCloseTo(2000, 0)
  })

  it('the shipped exponential-jitter profile: 9 attempts, 5 s doubling, capped at 10 min', () => {
    const s = expectedSchedule(base)
    expect(s).toHaveLength(9)
    expect(s.slice(1).map((e) => e.intervalMs)).toEqual([5, 10, 20, 40, 80, 160, 320, 600].map((x) => x * S))
    expect(s[1]!.intervalRangeMs).toEqual([0, 5 * S])
  })
})

describe('the wallarm profile', () => {
  it('is the same as profiles/wallarm.json', () => {
    const file = JSON.parse(readFileSync(new URL('../../../profiles/wallarm.json', import.meta.url), 'utf8')) as Record<string, unknown>
    delete file.$schema
    expect(file).toEqual(JSON.parse(JSON.stringify(wallarmProfile)))
    expect(loadProfile('profiles/wallarm.json')).toEqual(wallarmProfile)
  })

  it('fixes the open points of the seed', () => {
    expect(wallarmProfile).toMatchObject({
      requestTimeoutMs: 15_000,
      connectTimeoutMs: 20_000,
      successStatus: [[200, 299]],
      followRedirects: false,
      intervalFrom: 'attempt-end',
      autoDisable: { windowMs: 12 * 3_600_000, failureRatio: 0.6, minAttempts: 20 },
    })
    expect(Object.isFrozen(wallarmProfile.schedule)).toBe(true)
  })
})
