/**
 * A seeded random number source for jittered schedules, so that they are reproducible under a seed
 * (anchors' pitfall: unseeded randomness in anything a verdict depends on). The generator is the
 * fault engine's mulberry32 ({@link SeededRandom}); this is its plain-function face.
 */

import { SeededRandom } from '../faults/index.js'
import type { Rng } from '../profile/index.js'

export type { Rng }

/** A deterministic generator: the same seed (an unsigned 32-bit integer) gives the same sequence. */
export function seededRng(seed: number): Rng {
  const random = new SeededRandom(seed)
  return () => random.next()
}
