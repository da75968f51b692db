/** The frame scanner (resumable, bounded), Ruby's float time split, the stdout time and the fault shorthand. */
import { encode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import { FrameError, newScan, scanFrame } from '../../../src/forward/frame-scanner.js'
import { floatTimeParts } from '../../../src/forward/message.js'
import { formatEventTime, parseForwardShorthand } from '../../../src/forward/index.js'

const limits = { maxBytes: 1 << 20, maxDepth: 10 }

describe('scanFrame', () => {
  it('finds the end of one value fed byte by byte, and of several values back to back', () => {
    const one = encode(['tag', [[1, { a: [1, 2, { b: 'x'.repeat(300) }] }]], { chunk: 'c' }])
    const scan = newScan()
    let end = -1
    for (let n = 1; n <= one.length; n++) {
      end = scanFrame(one.subarray(0, n), scan, 0, limits)
      if (n < one.length) expect(end).toBe(-1)
    }
    expect(end).toBe(one.length)
    const two = Buffer.concat([one, encode(null)])
    expect(scanFrame(two, newScan(), 0, limits)).toBe(one.length)
    expect(scanFrame(two, newScan(one.length), one.length, limits)).toBe(two.length)
  })

  it('refuses declared sizes over the limit and nesting over the depth at the header', () => {
    expect(() => scanFrame(Buffer.from([0xc6, 0x00, 0x20, 0x00, 0x00]), newScan(), 0, limits)).toThrow(FrameError)
    expect(() => scanFrame(Buffer.alloc(11, 0x91), newScan(), 0, limits)).toThrow('nested deeper than 10 levels')
    expect(scanFrame(Buffer.alloc(10, 0x91), newScan(), 0, limits)).toBe(-1)
    expect(() => scanFrame(Buffer.from([0xc1]), newScan(), 0, limits)).toThrow('byte 0xc1 at offset 0 is not msgpack')
  })
})

describe('times', () => {
  it('a float time splits as Ruby Time.at(float) does: the exact binary value, truncated to ns', () => {
    expect(floatTimeParts(1767225600.5)).toEqual({ sec: 1767225600, nsec: 500_000_000 })
    // 1603834606.123 is 1603834606.1229999065399169921875 as a double.
    expect(floatTimeParts(1603834606.123)).toEqual({ sec: 1603834606, nsec: 122_999_906 })
  })

  it('formatEventTime keeps all nine digits', () => {
    expect(formatEventTime(1767225600, 123456789)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.123456789 [+-]\d{4}$/)
    expect(formatEventTime(1767225600, 5)).toMatch(/\.000000005 /)
  })
})

describe('parseForwardShorthand', () => {
  it('reads items in order, with arguments and counts', () => {
    expect(parseForwardShorthand(['no-ack x2,ack', 'ack-late=2s', 'refuse-key=nope', 'drop-heartbeat*3'])).toEqual([
      { action: 'withhold-ack', times: 2 },
      { action: 'ack' },
      { action: 'ack-late', delayMs: 2000 },
      { action: 'refuse-key', reason: 'nope' },
      { action: 'drop-heartbeat', times: 3 },
    ])
  })

  it('refuses unknown actions and missing or extra arguments with FF_ERR_FAULT_SPEC', () => {
    for (const bad of ['explode', 'ack-late', 'reset=1s', 'ack-late=soon']) {
      expect(() => parseForwardShorthand([bad])).toThrow(expect.objectContaining({ code: 'FF_ERR_FAULT_SPEC' }))
    }
  })
})
