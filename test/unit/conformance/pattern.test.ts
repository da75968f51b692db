/**
 * Explanations in the sender's terms (issue 18 item 6): times at scale 1 in seconds, and the
 * observed pattern in words next to the profile's schedule.
 */
import { describe, expect, it } from 'vitest'
import { atScaleOne, describePattern, patternSentence } from '../../../src/conformance/judges/pattern.js'

describe('schedules in words', () => {
  it('times at scale 1', () => {
    expect(atScaleOne(300, 0.3)).toBe('1 s')
    expect(atScaleOne(450, 0.3)).toBe('1.5 s')
    expect(atScaleOne(1.8, 0.001)).toBe('1.8 s')
    expect(atScaleOne(0.3, 0.005 / 60)).toBe('3.6 s')
    expect(atScaleOne(300, 0.005)).toBe('1 min')
  })

  it('exponential, constant, or the list', () => {
    expect(describePattern([300, 600, 1200, 2400], 0.3)).toBe('double from 1 s (exponential, x2.0: 1, 2, 4, 8 s)')
    expect(describePattern([600, 601, 598], 0.3)).toBe('constant 2 s (2, 2, 1.99 s)')
    expect(describePattern([300, 900, 1500], 0.3)).toBe('1, 3, 5 s')
    expect(patternSentence([300, 600, 1200, 2400, 4800], [1000, 3000, 5000, 10_000, 10_000], 0.3)).toBe(
      'observed intervals double from 1 s (exponential, x2.0: 1, 2, 4, 8, 16 s) at scale 1; the profile expects 1, 3, 5, 10, 10 s',
    )
    expect(patternSentence([150, 450, 750], [1000, 3000, 5000], 0.3)).toBe("observed intervals 0.5, 1.5, 2.5 s, about 0.50 x the profile's at scale 1; the profile expects 1, 3, 5 s")
  })
})
