import { describe, expect, it } from 'vitest'
import { FakeFluentdError, ErrorCodes } from '../../../src/errors.js'
import { validateFaultPlan } from '../../../src/faults/index.js'

function rejects(plan: unknown): string {
  try {
    validateFaultPlan(plan)
  } catch (err) {
    expect(err).toBeInstanceOf(FakeFluentdError)
    expect((err as FakeFluentdError).code).toBe(ErrorCodes.FF_ERR_FAULT_SPEC)
    return (err as Error).message
  }
  throw new Error(`expected the plan to be rejected: ${JSON.stringify(plan)}`)
}

describe('validateFaultPlan: the documented examples', () => {
  it.each([
    { rules: [{ steps: [{ status: 503 }] }] },
    { rules: [{ steps: [{ status: 500, times: 3 }] }] },
    { rules: [{ steps: [{ delayMs: 16000, status: 200 }] }] },
    { rules: [{ steps: [{ action: 'hang' }] }] },
    { rules: [{ steps: [{ action: 'reset' }] }] },
    { rules: [{ steps: [{ action: 'stall-tls' }] }] },
    { rules: [{ steps: [{ probability: 0.6, status: 503 }] }] },
    {
      seed: 7,
      rules: [
        {
          id: 'r1',
          match: { method: 'PUT', tag: 'wallarm.*', header: { 'X-Env': 'ci' }, attempt: [1, 3] },
          steps: [{ status: 500, times: 3 }, { delayMs: 16000, status: 200 }],
          then: { status: 200 },
        },
      ],
    },
  ])('accepts %j', (plan) => {
    expect(validateFaultPlan(plan)).toEqual(plan)
  })

  it('accepts every step form', () => {
    const plan = {
      rules: [
        {
          match: { method: ['put', 'POST'], header: { a: { regex: '^x' }, b: { present: false }, c: { equals: 'v' } }, attempt: { min: 2 } },
          steps: [
            { status: 429, retryAfter: 5, body: 'slow down', headers: { 'X-A': '1' } },
            { delay: { uniform: [10, 20] }, status: 200 },
            { delay: { lognormal: { medianMs: 100, sigma: 0.5, maxMs: 1000 } } },
            { action: 'close' },
            { action: 'slow-body', durationMs: 1000, status: 200 },
            { action: 'refuse', durationMs: 5000 },
            { action: 'pass' },
            { probability: 0.5, action: 'reset', else: { status: 503 } },
            { delayMs: 10, action: 'reset' },
          ],
        },
        { steps: [{ probability: 0.5, action: 'stall-tls' }] },
      ],
    }
    expect(validateFaultPlan(plan)).toEqual(plan)
  })

  it('returns a frozen copy', () => {
    const plan = validateFaultPlan({ rules: [{ steps: [{ status: 503 }] }] })
    expect(Object.isFrozen(plan)).toBe(true)
    expect(Object.isFrozen(plan.rules[0]!.steps![0])).toBe(true)
  })
})

describe('validateFaultPlan: schema rejections', () => {
  it('rejects an unknown key in a step, naming the path and the allowed keys', () => {
    const msg = rejects({ rules: [{ steps: [{ status: 503 }, { dealyMs: 5000 }] }] })
    expect(msg).toContain("rules[0].steps[1]: unknown key 'dealyMs'; allowed keys: action, status, body, headers, retryAfter, delayMs, delay")
  })
  it('rejects unknown keys at the top, in a rule, in match and in delay', () => {
    expect(rejects({ rules: [], sed: 1 })).toContain("(plan): unknown key 'sed'; allowed keys: $schema, seed, description, rules")
    expect(rejects({ rules: [{ step: [] }] })).toContain("rules[0]: unknown key 'step'; allowed keys: id, description, match, steps, then")
    expect(rejects({ rules: [{ match: { methd: 'PUT' }, steps: [{ status: 500 }] }] })).toContain("rules[0].match: unknown key 'methd'; allowed keys: method, tag, header, body, attempt")
    expect(rejects({ rules: [{ steps: [{ delay: { gauss: 1 } }] }] })).toContain("rules[0].steps[0].delay: unknown key 'gauss'; allowed keys: uniform, lognormal")
    expect(rejects({ rules: [{ steps: [{ probability: 0.5, status: 500, else: { stauts: 200 } }] }] })).toContain("rules[0].steps[0].else: unknown key 'stauts'")
  })
  it('rejects a missing rules list, bad statuses, probabilities and actions', () => {
    expect(rejects({})).toContain("(plan): missing 'rules'")
    expect(rejects({ rules: [{ steps: [{ status: 600 }] }] })).toContain('rules[0].steps[0].status: must be <= 599')
    expect(rejects({ rules: [{ steps: [{ status: 99 }] }] })).toContain('rules[0].steps[0].status: must be >= 100')
    expect(rejects({ rules: [{ steps: [{ probability: 1.5, status: 503 }] }] })).toContain('rules[0].steps[0].probability: must be <= 1')
    expect(rejects({ rules: [{ steps: [{ action: 'explode' }] }] })).toContain('rules[0].steps[0].action: "explode" is not one of: respond, pass, hang')
    expect(rejects({ rules: [{ steps: [{ status: 500, times: 0 }] }] })).toContain('rules[0].steps[0].times: must be >= 1')
  })
  it('describes anyOf failures with the allowed forms', () => {
    expect(rejects({ rules: [{ match: { attempt: 'two' }, steps: [{ status: 500 }] }] })).toBe(
      'invalid fault plan: rules[0].match.attempt: must be an attempt number (1-based), [min, max] or {"min": n, "max": m}',
    )
    expect(rejects({ rules: [{ match: { header: { 'X-A': 5 } }, steps: [{ status: 500 }] }] })).toContain(
      'rules[0].match.header.X-A: must be an exact value (string)',
    )
  })
  it('lists every error at once', () => {
    const msg = rejects({ rules: [{ steps: [{ status: 700 }, { bogus: 1 }] }] })
    expect(msg).toContain('steps[0].status')
    expect(msg).toContain("steps[1]: unknown key 'bogus'")
  })
})

describe('validateFaultPlan: combinations that make no sense', () => {
  it.each([
    [{ rules: [{}] }, 'rules[0]: a rule needs "steps" or "then"'],
    [{ rules: [{ steps: [{ action: 'hang', status: 500 }] }] }, 'rules[0].steps[0]: "status" goes with "respond" or "slow-body", not with "hang"'],
    [{ rules: [{ steps: [{ action: 'respond' }] }] }, 'rules[0].steps[0]: "respond" needs a "status"'],
    [{ rules: [{ steps: [{ action: 'slow-body', status: 200 }] }] }, '"slow-body" needs "durationMs"'],
    [{ rules: [{ steps: [{ action: 'refuse' }] }] }, '"refuse" needs "durationMs"'],
    [{ rules: [{ steps: [{ status: 1 }, { durationMs: 5, status: 500 }] }] }, 'rules[0].steps[0].status: must be >= 100'],
    [{ rules: [{ steps: [{ status: 500 }, { durationMs: 5, status: 500 }] }] }, 'rules[0].steps[1]: "durationMs" goes with "slow-body" or "refuse", not with "respond"'],
    [{ rules: [{ steps: [{ body: 'x' }] }] }, '"body" goes with a status'],
    [{ rules: [{ steps: [{ action: 'reset', retryAfter: 3 }] }] }, '"retryAfter" goes with a status'],
    [{ rules: [{ steps: [{ delayMs: 5, delay: { uniform: [1, 2] } }] }] }, 'give either "delayMs" (fixed) or "delay" (random), not both'],
    [{ rules: [{ steps: [{ delayMs: 5, action: 'hang' }] }] }, 'a delay before "hang" makes no difference'],
    [{ rules: [{ steps: [{ delay: { uniform: [5, 1] } }] }] }, 'rules[0].steps[0].delay.uniform: min 5 ms is greater than max 1 ms'],
    [{ rules: [{ steps: [{ delay: { lognormal: { medianMs: 100, sigma: 1, maxMs: 10 } } }] }] }, 'maxMs 10 is below medianMs 100'],
    [{ rules: [{ steps: [{ status: 500, else: { status: 200 } }] }] }, '"else" needs "probability"'],
    [{ rules: [{ steps: [{ probability: 0.5 }] }] }, 'a "probability" step needs the action to take on a hit'],
    [{ rules: [{ steps: [{ probability: 0.5, status: 500, else: { status: 200, times: 2 } }] }] }, '"times" is not allowed in "else"'],
    [{ rules: [{ steps: [{ probability: 0.5, status: 500, else: { probability: 0.5, status: 200 } }] }] }, 'a nested "probability"'],
    [{ rules: [{ steps: [{ probability: 0.5, status: 500, else: { action: 'stall-tls' } }] }] }, 'rules[0].steps[0].else: stall-tls in "else" of a request step'],
    [{ rules: [{ steps: [{ probability: 0.5, action: 'stall-tls', else: { status: 500 } }] }] }, 'rules[0].steps[0].else: a stall-tls step is decided when the connection opens'],
    [{ rules: [{ then: { status: 500, times: 2 } }] }, 'rules[0].then: "times" makes no sense in "then"'],
    [{ rules: [{ match: { method: 'PUT' }, steps: [{ status: 500 }, { action: 'stall-tls' }] }] }, 'rules[0].steps[1]: stall-tls happens before any request is read'],
    [{ rules: [{ match: { attempt: [3, 1] }, steps: [{ status: 500 }] }] }, 'rules[0].match.attempt: the range is empty (min 3 > max 1)'],
    [{ rules: [{ match: { header: { 'X-A': { regex: '(' } } }, steps: [{ status: 500 }] }] }, 'rules[0].match.header.X-A: bad regular expression'],
    [{ rules: [{ match: { tag: 'a.{b' }, steps: [{ status: 500 }] }] }, "rules[0].match.tag: unbalanced '{'"],
  ])('rejects %j', (plan, message) => {
    expect(rejects(plan)).toContain(message)
  })
})
