/** 1xx statuses are refused everywhere a plan comes from; a rule behind a never-ending catch-all is warned about. */
import { describe, expect, it } from 'vitest'
import { faultPlanWarnings, parseFaultShorthand, validateFaultPlan } from '../../../src/faults/index.js'

function message(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('expected a rejection')
}

describe('1xx statuses in fault plans', () => {
  it.each([
    [{ rules: [{ steps: [{ status: 103 }] }] }, 'rules[0].steps[0]'],
    [{ rules: [{ then: { status: 100 } }] }, 'rules[0].then'],
    [{ rules: [{ steps: [{ action: 'slow-body', durationMs: 10, status: 199 }] }] }, 'rules[0].steps[0]'],
    [{ rules: [{ steps: [{ probability: 0.5, status: 500, else: { status: 101 } }] }] }, 'rules[0].steps[0].else'],
  ])('JSON plan %j is refused at %s', (plan, where) => {
    const msg = message(() => validateFaultPlan(plan))
    expect(msg).toContain(`${where}: status 1`)
    expect(msg).toContain('is an interim (1xx) answer')
    expect(msg).toContain('use a final status 200-599')
  })
  it.each([['103'], ['500x2,100'], ['slow=1s:101'], ['delay=1s:102'], ['rate=0.5:103']])('shorthand %s is refused with its position', (spec) => {
    const msg = message(() => parseFaultShorthand([spec]))
    expect(msg).toMatch(/status 1\d\d is an interim \(1xx\) answer.*\(position \d+\)$/)
  })
  it('200 and 599 still pass', () => {
    expect(() => validateFaultPlan({ rules: [{ steps: [{ status: 200 }, { status: 599 }] }] })).not.toThrow()
  })
})

describe('faultPlanWarnings', () => {
  it('warns about rules after a catch-all that never runs out', () => {
    const plan = parseFaultShorthand(['200', 'PUT 500', '/a.b 503'])
    expect(faultPlanWarnings(plan)).toEqual([
      'rules[1] ("PUT 500"), rules[2] ("/a.b 503") can never apply: rules[0] ("200") matches every request and never runs out (its "then" applies for good). Put the catch-all rule last, or give it a matcher.',
    ])
  })
  it('says nothing when the catch-all is last, runs out, or has a matcher', () => {
    expect(faultPlanWarnings(parseFaultShorthand(['PUT 500', '200']))).toEqual([])
    expect(faultPlanWarnings(parseFaultShorthand(['500x3', 'PUT 503']))).toEqual([])
    expect(faultPlanWarnings(parseFaultShorthand(['/a.** 500', '503']))).toEqual([])
    expect(faultPlanWarnings(validateFaultPlan({ rules: [{ match: {}, steps: [{ status: 500 }] }, { then: { status: 503 } }] }))).toEqual([])
  })
  it('treats an empty match as a catch-all', () => {
    const plan = validateFaultPlan({ rules: [{ match: {}, then: { status: 500 } }, { id: 'x', then: { status: 200 } }] })
    expect(faultPlanWarnings(plan)[0]).toMatch(/^rules\[1\] \("x"\) can never apply: rules\[0\] matches every request/)
  })
})
