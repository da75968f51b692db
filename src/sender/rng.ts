/**
 * A small seeded random number generator (mulberry32), so that jittered schedules are reproducible
 * under a seed (anchors' pitfall: unseeded randomness in anything a verdict depends on).
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number

/** A deterministic generator: the same seed (an unsigned 32-bit integer) gives the same sequence. */
export function seededRng(seed: number): Rng {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
