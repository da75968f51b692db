/**
 * The schedule functions over random profiles (table or exponential, every jitter kind, with and
 * without a time limit): what the sender draws lies in the range the judges accept, and on nominal
 * timing the sender's time limit gives the judges' count.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { expectedSchedule, intervalRange, maxAttempts, nextRetry, parseProfile, type RetryProfile } from '../../../src/profile/index.js'
import { seededRng } from '../../../src/sender/rng.js'

const jitter = fc.oneof(
  fc.constant({ jitter: 'none' }),
  fc.constant({ jitter: 'full' }),
  fc.constant({ jitter: 'equal' }),
  fc.record({ jitter: fc.constant('proportional'), jitterRatio: fc.double({ min: 0.01, max: 0.5, noNaN: true }), firstIntervalExact: fc.boolean() }),
  fc.record({ jitter: fc.constant('additive'), jitterMs: fc.integer({ min: 0, max: 500 }) }),
)
const table = fc.record({ kind: fc.constant('table'), cycles: fc.array(fc.array(fc.integer({ min: 0, max: 60_000 }), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 3 }) })
const exponential = fc.record({
  kind: fc.constant('exponential'),
  initialMs: fc.integer({ min: 0, max: 5000 }),
  multiplier: fc.double({ min: 1, max: 3, noNaN: true }),
  maxMs: fc.integer({ min: 0, max: 600_000 }),
  maxRetries: fc.integer({ min: 0, max: 20 }),
})
const limit = fc.option(fc.record({ ms: fc.integer({ min: 0, max: 300_000 }), lastRetry: fc.constantFrom('at-deadline', 'none') }), { nil: undefined })
const profiles = fc.tuple(fc.oneof(table, exponential), jitter, limit).map(([schedule, j, giveUpAfter]) =>
  parseProfile({ extends: 'wallarm', name: 'random', schedule: { ...schedule, ...j }, ...(giveUpAfter ? { giveUpAfter } : {}) }),
)

describe('schedule (property)', () => {
  test('every interval the sender draws lies in the range the judges accept', () => {
    fc.assert(
      fc.property(profiles, fc.integer({ min: 0, max: 2 ** 32 - 1 }), (p: RetryProfile, seed) => {
        const rng = seededRng(seed)
        const n = maxAttempts(p)
        expect(expectedSchedule(p)).toHaveLength(n)
        for (let failed = 1; failed < n; failed++) {
          const [lo, hi] = intervalRange(p, failed)!
          expect(lo).toBeLessThanOrEqual(hi)
          expect(lo).toBeGreaterThanOrEqual(0)
          const next = nextRetry(p, failed, rng)!
          expect(next.intervalMs).toBeGreaterThanOrEqual(lo - 1e-9)
          expect(next.intervalMs).toBeLessThanOrEqual(hi + 1e-9)
        }
        expect(nextRetry(p, n, rng)).toBeNull()
      }),
      { numRuns: 500 },
    )
  })

  test('without jitter, a sender measuring the time limit on nominal timing makes the attempts the judges expect', () => {
    fc.assert(
      fc.property(profiles, (p: RetryProfile) => {
        if (!p.giveUpAfter || (p.schedule.jitter ?? 'none') !== 'none') return
        let elapsed = 0
        let attempts = 1
        for (;;) {
          const next = nextRetry(p, attempts, Math.random, elapsed)
          if (!next) break
          elapsed += next.intervalMs
          attempts++
        }
        expect(attempts).toBe(maxAttempts(p))
        expect(elapsed).toBe(expectedSchedule(p).at(-1)!.offsetMs)
      }),
      { numRuns: 1000 },
    )
  })
})
