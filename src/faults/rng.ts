/**
 * Seeded random numbers for fault decisions (a plan is deterministic under a seed): mulberry32, a small
 * well-known 32-bit PRNG. Same seed + same sequence of draws = same numbers, on every platform.
 */

/** A stream of uniform numbers in [0, 1) that counts its draws. */
export class SeededRandom {
  readonly seed: number
  #state: number
  #count = 0

  /** `seed` is taken modulo 2^32. */
  constructor(seed: number) {
    this.seed = seed >>> 0
    this.#state = this.seed
  }

  /** How many numbers were drawn so far (the next draw is number `drawCount + 1`). */
  get drawCount(): number {
    return this.#count
  }

  /** The next number in [0, 1). */
  next(): number {
    this.#count++
    this.#state = (this.#state + 0x6d2b79f5) >>> 0
    let t = this.#state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** Uniform in [minMs, maxMs]. */
  uniform(minMs: number, maxMs: number): number {
    return minMs + (maxMs - minMs) * this.next()
  }

  /** Log-normal with the given median and sigma (Box-Muller, two draws), capped at `maxMs` when given. */
  lognormal(medianMs: number, sigma: number, maxMs?: number): number {
    const u1 = 1 - this.next() // (0, 1]: log is finite
    const u2 = this.next()
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
    const value = medianMs * Math.exp(sigma * z)
    return maxMs === undefined ? value : Math.min(value, maxMs)
  }
}
