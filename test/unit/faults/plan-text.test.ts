/**
 * parsePlanText: a plan's JSON text is refused for its size or nesting before JSON.parse sees it
 * (JSON.parse of 200,000 nested objects held the event loop ~150 ms); brackets inside strings do
 * not count.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCodes, FakeFluentdError } from '../../../src/errors.js'
import { DEFAULT_PLAN_LIMITS, parsePlanText } from '../../../src/faults/index.js'

const limits = { ...DEFAULT_PLAN_LIMITS, maxDepth: 3, maxBytes: 200 }

function refusal(text: string, bounds = limits): string {
  try {
    parsePlanText(text, bounds)
  } catch (err) {
    expect(err).toBeInstanceOf(FakeFluentdError)
    expect((err as FakeFluentdError).code).toBe(ErrorCodes.FF_ERR_FAULT_SPEC)
    return (err as Error).message
  }
  throw new Error(`not refused: ${text}`)
}

describe('parsePlanText', () => {
  it('parses a plan within the bounds; brackets and escaped quotes inside strings do not nest', () => {
    const text = JSON.stringify({ description: '[[[{{{ "\\"[[[', rules: [{ id: '[{' }] })
    expect(parsePlanText(text, limits)).toEqual(JSON.parse(text))
  })

  it('refuses the first bracket beyond the depth, naming where and the flag, without parsing the rest', () => {
    expect(refusal('{"a":[{"b":[1]}]}')).toBe('invalid fault plan: nested more than 3 levels deep (at character 12); a plan is at most 3 levels (--fault-plan-max-depth)')
    const deep = '{"":'.repeat(200_000) + '1' + '}'.repeat(200_000)
    const t0 = performance.now()
    expect(refusal(deep, { ...limits, maxBytes: 2_000_000 })).toContain('(at character 13)')
    expect(performance.now() - t0).toBeLessThan(100)
  })

  it('refuses a text over the byte bound, counting UTF-8 bytes, naming the flag', () => {
    expect(refusal(JSON.stringify({ description: 'é'.repeat(95), rules: [] }))).toBe('the fault plan is 219 bytes; at most 200 bytes are allowed (--fault-plan-max-bytes)')
  })

  it('text that is not JSON throws SyntaxError (the caller says so)', () => {
    expect(() => parsePlanText('{"rules": [}', limits)).toThrow(SyntaxError)
  })
})
