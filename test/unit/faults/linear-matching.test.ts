/**
 * Every pattern a user can give is matched in linear time, or refused with a message naming the rule
 * (issue 19 item 4): header regexes run on RE2 semantics, tag patterns and plans are bounded. And
 * the headers a fault answers with hold no CR, LF or other control character (item 8).
 */
import { describe, expect, it } from 'vitest'
import { ErrorCodes, FakeFluentdError } from '../../../src/errors.js'
import { createFaultEngine, parseFaultShorthand, validateFaultPlan } from '../../../src/faults/index.js'
import type { RequestFacts } from '../../../src/faults/index.js'
import { compileTagGlob } from '../../../src/faults/tag-glob.js'
import { DEFAULT_PLAN_LIMITS } from '../../../src/faults/plan-limits.js'

const req = (over: Partial<RequestFacts> = {}): RequestFacts => ({ method: 'POST', path: '/t', tag: 't', headers: {}, remoteAddress: '127.0.0.1', connectionId: 1, attempt: 1, ...over })

function refusal(plan: unknown): string {
  try {
    validateFaultPlan(plan)
  } catch (err) {
    expect(err).toBeInstanceOf(FakeFluentdError)
    expect((err as FakeFluentdError).code).toBe(ErrorCodes.FF_ERR_FAULT_SPEC)
    return (err as Error).message
  }
  throw new Error('expected the plan to be refused')
}

describe('header regexes (RE2 semantics)', () => {
  it('^(a+)+$ against 5,000 a followed by ! is decided at once (a backtracking engine doubles per a: 29 took seconds)', () => {
    const engine = createFaultEngine({ plan: { rules: [{ match: { header: { 'X-Id': { regex: '^(a+)+$' } } }, steps: [{ status: 503, times: 10 }] }] } })
    const t0 = performance.now()
    const miss = engine.decideRequest(req({ headers: { 'x-id': 'a'.repeat(5000) + '!' } }))
    const ms = performance.now() - t0
    expect(miss.action).toEqual({ type: 'pass' })
    expect(ms).toBeLessThan(1000)
    expect(engine.decideRequest(req({ headers: { 'x-id': 'aaaa' } })).action).toMatchObject({ type: 'respond', status: 503 })
  })

  it('a regex is searched anywhere in the value, as before (RegExp#test)', () => {
    const engine = createFaultEngine({ plan: { rules: [{ match: { header: { 'X-Env': { regex: 'c[i]' } } }, steps: [{ status: 500, times: 5 }] }] } })
    expect(engine.decideRequest(req({ headers: { 'x-env': 'staging-ci-1' } })).action).toMatchObject({ status: 500 })
    expect(engine.decideRequest(req({ headers: { 'x-env': 'prod' } })).action).toEqual({ type: 'pass' })
  })

  it.each([
    ['a backreference', '(a)\\1', /invalid escape/],
    ['a lookahead', '(?=a)b', /RE2 syntax/],
    ['1,025 characters', 'x'.repeat(1025), /1025 characters long; at most 1024/],
  ])('refuses %s, naming the rule', (_what, regex, why) => {
    const message = refusal({ rules: [{ match: { header: { 'X-Id': { regex } } }, steps: [{ status: 503 }] }] })
    expect(message).toMatch(/rules\[0\]\.match\.header\.X-Id/)
    expect(message).toMatch(why)
  })

  it('the shorthand refuses the same, with the position', () => {
    expect(() => parseFaultShorthand(['header=X-A~(a)\\1 500'])).toThrow(/bad regular expression at position \d+: .*invalid escape/)
  })
})

describe('tag patterns', () => {
  it('a 257-character pattern is refused naming the rule; 256 is accepted', () => {
    expect(refusal({ rules: [{ match: { tag: 'a*'.repeat(128) + 'b' }, steps: [{ status: 503 }] }] })).toMatch(/rules\[0\]\.match\.tag: the tag pattern is 257 characters long; at most 256/)
    expect(() => validateFaultPlan({ rules: [{ match: { tag: 'a*'.repeat(128) }, steps: [{ status: 503 }] }] })).not.toThrow()
  })

  it.each([
    ['a* x 128', 'a*'.repeat(128)],
    ['**. x 85', '**.'.repeat(85)],
    ['**a{a,b} x 50', '**a' + '{a,b}'.repeat(50)],
  ])('%s against 16 KB tags: within 300 ms each', (_what, pattern) => {
    const re = compileTagGlob(pattern)
    for (const tag of ['a'.repeat(16_000), 'a.'.repeat(8000), 'ab'.repeat(8000)]) {
      const t0 = performance.now()
      re.test(tag)
      expect(performance.now() - t0).toBeLessThan(300)
    }
    expect(compileTagGlob('a*'.repeat(128)).test('a'.repeat(16_000))).toBe(true)
    expect(compileTagGlob('a*'.repeat(128)).test('a'.repeat(100) + '.a')).toBe(false)
  })
})

describe('plan size and depth', () => {
  it('a plan nested 200,000 levels deep is refused at once, naming where, without overflowing the stack', () => {
    let deep: unknown = 1
    for (let i = 0; i < 200_000; i++) deep = { '': deep }
    const t0 = performance.now()
    const message = refusal(deep)
    expect(performance.now() - t0).toBeLessThan(1000)
    expect(message).toMatch(new RegExp(`nested more than ${DEFAULT_PLAN_LIMITS.maxDepth} levels deep`))
    expect(message).toContain('invalid fault plan: [""][""]')
    expect(refusal({ rules: [{ steps: [{ status: 500, headers: { a: { b: deep } } }] }] })).toContain('rules[0].steps[0].headers.a.b[""]')
  })

  it('a plan of more than 20,000 values is refused', () => {
    expect(refusal({ rules: Array.from({ length: 5000 }, () => ({ steps: [{ status: 503 }] })) })).toMatch(/more than 20000 values/)
  })
})

describe('headers a fault answers with (issue 19 item 8)', () => {
  it.each([
    ['a CRLF in a value', { 'X-A': 'a\r\nSet-Cookie: x=1' }, /headers\."X-A": the header value holds "\\r" at position 1; CR, LF and other control characters are not allowed/],
    ['an LF in a value', { 'X-A': 'a\nb' }, /headers\."X-A": the header value holds "\\n"/],
    ['a NUL in a value', { 'X-A': 'a\u0000' }, /headers\."X-A": the header value holds "\\u0000"/],
    ['a CRLF in a name', { 'X-A\r\nX-B': 'v' }, /is not an HTTP token/],
    ['a space in a name', { 'X A': 'v' }, /is not an HTTP token/],
  ])('%s is refused when the plan loads, naming the step', (_what, headers, why) => {
    const message = refusal({ rules: [{ steps: [{ status: 500, headers }] }] })
    expect(message).toMatch(/rules\[0\]\.steps\[0\]\.headers/)
    expect(message).toMatch(why)
  })

  it('a tab and non-ASCII bytes in a value are fine (node sends them)', () => {
    expect(() => validateFaultPlan({ rules: [{ steps: [{ status: 500, headers: { 'X-A': 'a\tb é' } }] }] })).not.toThrow()
  })
})
