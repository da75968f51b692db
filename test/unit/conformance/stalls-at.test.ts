/**
 * stallsAt (lag-probe.ts): only a sender's stall that ended right at a stamp the judges use counts,
 * and it counts at that stamp.
 * @see issue 22 (item 13)
 */
import { describe, expect, it } from 'vitest'
import { RUN_QUEUE_POLL_MS, stallsAt } from '../../../src/conformance/lag-probe.js'

describe('stallsAt', () => {
  const samples = [
    { mono: 1000, lateMs: 40 }, // a stall that ended 5 ms before the attempt at 1005
    { mono: 1010, lateMs: 45 },
    { mono: 2500, lateMs: 300 }, // a long stall that moved no stamp
  ]

  it('takes the longest stall ending from one poll before a stamp to two polls after, placed at the stamp', () => {
    expect(stallsAt(samples, [1005])).toEqual([{ mono: 1005, lateMs: 45 }])
    expect(stallsAt(samples, [1010 - 2 * RUN_QUEUE_POLL_MS])).toEqual([{ mono: 990, lateMs: 45 }])
  })

  it('leaves out stalls away from every stamp', () => {
    expect(stallsAt(samples, [1500, 2000, 2500 + 2 * RUN_QUEUE_POLL_MS + 1])).toEqual([])
    expect(stallsAt(samples, [])).toEqual([])
  })
})
