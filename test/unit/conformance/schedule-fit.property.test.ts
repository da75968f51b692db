/**
 * The schedule fit over every kind of schedule a profile can give (constant, table, exponential) and
 * any slack weights: never a degenerate figure, a correct sender fits, one 10 % off is seen.
 * A constant schedule once gave k = 0.66 ± 8.8e12: its Sxx was a floating-point leftover, not 0.
 */
import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { fitSchedule, SCALE_TOLERANCE } from '../../../src/conformance/judges/precision.js'

/** Expected intervals, ms, as a retry.cycle-N scenario judges them (already scaled). */
const constant = fc.record({ ms: fc.double({ min: 0, max: 60_000, noNaN: true }), n: fc.integer({ min: 3, max: 12 }) }).map(({ ms, n }) => Array<number>(n).fill(ms))
const table = fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), { minLength: 3, maxLength: 12 })
const exponential = fc
  .record({ initial: fc.double({ min: 1, max: 5_000, noNaN: true }), factor: fc.double({ min: 1, max: 3, noNaN: true }), max: fc.double({ min: 1, max: 600_000, noNaN: true }), n: fc.integer({ min: 3, max: 12 }) })
  .map(({ initial, factor, max, n }) => Array.from({ length: n }, (_, i) => Math.min(initial * factor ** i, Math.max(max, initial))))
/** Times a scale (the scenario's time scale) so that tiny and huge magnitudes both appear. */
const schedule = fc.tuple(fc.oneof(constant, table, exponential), fc.constantFrom(1, 0.3, 0.005, 0.001)).map(([xs, scale]) => xs.map((x) => x * scale))

interface Case {
  xs: number[]
  /** Slack width per point, ms (undefined: unweighted). */
  widths: Array<number | undefined>
  /** Residual per point as a fraction of its width, in [-1, 1]. */
  noise: number[]
  /** The sender's constant overhead, ms. */
  offset: number
}

const cases = schedule.chain((xs) =>
  fc.record({
    xs: fc.constant(xs),
    widths: fc.array(fc.option(fc.double({ min: 6, max: 400, noNaN: true }), { nil: undefined }), { minLength: xs.length, maxLength: xs.length }),
    noise: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: xs.length, maxLength: xs.length }),
    offset: fc.double({ min: 0, max: 20, noNaN: true }),
  }),
)

/**
 * Residuals of a correct sender: at most 1/8 of each point's slack width (1 ms when unweighted).
 * With at most 12 points, that keeps a fitted k within sqrt(12)/8 x SCALE_TOLERANCE of the truth.
 */
const residual = (c: Case, i: number): number => ((c.widths[i] ?? 1) / 8) * c.noise[i]!
const points = (c: Case, scale: number): Array<{ expectedMs: number; observedMs: number; widthMs?: number }> =>
  c.xs.map((x, i) => ({ expectedMs: x, observedMs: scale * x + c.offset + residual(c, i), ...(c.widths[i] !== undefined ? { widthMs: c.widths[i] } : {}) }))
const maxResidual = (c: Case): number => Math.max(...c.xs.map((_, i) => (c.widths[i] ?? 1) / 8))
/** The weighted mean of the expected values, as the fit weighs them. */
const weightedMean = (c: Case): number => {
  const w = c.widths.map((x) => (x === undefined ? 1 : 1 / x ** 2))
  return c.xs.reduce((s, x, i) => s + w[i]! * x, 0) / w.reduce((s, x) => s + x, 0)
}

describe('schedule fit, any schedule and any weights (property)', () => {
  test('figures are finite and k is never wild', () => {
    fc.assert(
      fc.property(cases, fc.double({ min: 0.5, max: 2, noNaN: true }), (c, scale) => {
        const fit = fitSchedule(points(c, scale))!
        expect(fit.n).toBe(c.xs.length)
        for (const v of [fit.k, fit.kErr, fit.c]) expect(Number.isFinite(v)).toBe(true)
        // A sloped fit only where the schedule resolves k: a sender at scale 0.5..2 shows as one.
        expect(fit.k).toBeGreaterThan(0.4)
        expect(fit.k).toBeLessThan(2.1)
        expect(fit.kErr).toBeLessThan(1)
      }),
      { numRuns: 2000 },
    )
  })

  test('a correct sender fits: k within the tolerance, c its overhead', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const fit = fitSchedule(points(c, 1))!
        expect(Math.abs(fit.k - 1)).toBeLessThanOrEqual(SCALE_TOLERANCE)
        // c is the overhead, give or take the residuals and what a slightly-off k moved onto it.
        expect(Math.abs(fit.c - c.offset)).toBeLessThanOrEqual(maxResidual(c) + Math.abs(fit.k - 1) * weightedMean(c) + 1e-6)
      }),
      { numRuns: 2000 },
    )
  })

  test('a sender 10 % slow is caught: by k when the schedule resolves it, else by the offset', () => {
    fc.assert(
      fc.property(cases, (c) => {
        const fit = fitSchedule(points(c, 1.1))!
        if (fit.sloped) expect(fit.k - 1).toBeGreaterThan(SCALE_TOLERANCE)
        else expect(fit.c - c.offset).toBeGreaterThanOrEqual(0.1 * weightedMean(c) - maxResidual(c) - 1e-6)
      }),
      { numRuns: 2000 },
    )
  })

  test('a constant schedule is never sloped, whatever its weights (the 0.66 ± 8.8e12 case)', () => {
    fc.assert(
      fc.property(constant, fc.array(fc.double({ min: 1, max: 500, noNaN: true }), { minLength: 12, maxLength: 12 }), (xs, widths) => {
        const fit = fitSchedule(xs.map((x, i) => ({ expectedMs: x, observedMs: x + 3, widthMs: widths[i]! })))!
        expect(fit).toMatchObject({ sloped: false, k: 1, kErr: 0 })
        expect(fit.c).toBeCloseTo(3, 6)
      }),
    )
  })
})
