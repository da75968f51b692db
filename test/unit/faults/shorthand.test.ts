import { describe, expect, it } from 'vitest'
import { ErrorCodes, FakeFluentdError } from '../../../src/errors.js'
import { createFaultEngine, parseFaultShorthand } from '../../../src/faults/index.js'

const EXPECTED =
  'expected one of: <status>[xN], delay=<dur>[:<step>], rate=<p>:<step>, hang, reset, close, stall-tls, refuse=<dur>, slow=<dur>[:<status>], pass'

function error(...specs: string[]): string {
  try {
    parseFaultShorthand(specs)
  } catch (err) {
    expect(err).toBeInstanceOf(FakeFluentdError)
    expect((err as FakeFluentdError).code).toBe(ErrorCodes.FF_ERR_FAULT_SPEC)
    return (err as Error).message
  }
  throw new Error(`expected ${JSON.stringify(specs)} to be refused`)
}

describe('parseFaultShorthand: steps', () => {
  it.each([
    ['500x3,200', { id: '500x3,200', steps: [{ status: 500, times: 3 }], then: { status: 200 } }],
    ['503', { id: '503', then: { status: 503 } }],
    ['500x3', { id: '500x3', steps: [{ status: 500, times: 3 }] }],
    ['500,502,200', { id: '500,502,200', steps: [{ status: 500 }, { status: 502 }], then: { status: 200 } }],
    ['delay=16s', { id: 'delay=16s', then: { delayMs: 16000 } }],
    ['delay=16s:200', { id: 'delay=16s:200', then: { delayMs: 16000, status: 200 } }],
    ['delay=500ms:reset', { id: 'delay=500ms:reset', then: { delayMs: 500, action: 'reset' } }],
    ['delay=1s..5s:503', { id: 'delay=1s..5s:503', then: { delay: { uniform: [1000, 5000] }, status: 503 } }],
    ['delay=2sx2,200', { id: 'delay=2sx2,200', steps: [{ delayMs: 2000, times: 2 }], then: { status: 200 } }],
    ['rate=0.6:503', { id: 'rate=0.6:503', then: { probability: 0.6, status: 503 } }],
    ['rate=0.5:hang', { id: 'rate=0.5:hang', then: { probability: 0.5, action: 'hang' } }],
    ['rate=0.1:delay=2s:500', { id: 'rate=0.1:delay=2s:500', then: { probability: 0.1, delayMs: 2000, status: 500 } }],
    ['hang', { id: 'hang', then: { action: 'hang' } }],
    ['reset', { id: 'reset', then: { action: 'reset' } }],
    ['close', { id: 'close', then: { action: 'close' } }],
    ['pass', { id: 'pass', then: { action: 'pass' } }],
    ['stall-tls', { id: 'stall-tls', then: { action: 'stall-tls' } }],
    ['stall-tlsx2,200', { id: 'stall-tlsx2,200', steps: [{ action: 'stall-tls', times: 2 }], then: { status: 200 } }],
    ['refuse=5s', { id: 'refuse=5s', then: { action: 'refuse', durationMs: 5000 } }],
    ['refuse=5sx1', { id: 'refuse=5sx1', steps: [{ action: 'refuse', durationMs: 5000, times: 1 }] }],
    ['slow=10s', { id: 'slow=10s', then: { action: 'slow-body', durationMs: 10000 } }],
    ['slow=10s:202', { id: 'slow=10s:202', then: { action: 'slow-body', durationMs: 10000, status: 202 } }],
    ['reset,close,hang', { id: 'reset,close,hang', steps: [{ action: 'reset' }, { action: 'close' }], then: { action: 'hang' } }],
  ])('%s', (spec, rule) => {
    expect(parseFaultShorthand([spec])).toEqual({ rules: [rule] })
  })

  it('each --fault is one rule, in order', () => {
    const plan = parseFaultShorthand(['PUT 500x2', '503'])
    expect(plan.rules.map((r) => r.id)).toEqual(['PUT 500x2', '503'])
    const engine = createFaultEngine({ plan })
    const put = { method: 'PUT', path: '/t', tag: 't', headers: {}, remoteAddress: '', connectionId: 1, attempt: 1 }
    const statuses = [put, put, put, { ...put, method: 'POST' }].map((f) => {
      const a = engine.decideRequest(f).action
      return a.type === 'respond' ? a.status : a.type
    })
    expect(statuses).toEqual([500, 500, 503, 503])
  })
})

describe('parseFaultShorthand: matchers', () => {
  it.each([
    ['PUT /wallarm.* 500x3', { method: 'PUT', tag: 'wallarm.*' }],
    ['put|post 500x3', { method: ['PUT', 'POST'] }],
    ['method=PUT tag=wallarm.** 500x3', { method: 'PUT', tag: 'wallarm.**' }],
    ['header=X-Env:ci 500x3', { header: { 'X-Env': 'ci' } }],
    ['header=X-Env: 500x3', { header: { 'X-Env': '' } }],
    ['header=Authorization~^Bearer 500x3', { header: { Authorization: { regex: '^Bearer' } } }],
    ['header=X-Trace header=X-Env:ci 500x3', { header: { 'X-Trace': { present: true }, 'X-Env': 'ci' } }],
    ['attempt=2 500x3', { attempt: 2 }],
    ['attempt=2-4 500x3', { attempt: [2, 4] }],
    ['attempt=3- 500x3', { attempt: { min: 3 } }],
    ['  PUT   500x3  ', { method: 'PUT' }],
  ])('%s', (spec, match) => {
    expect(parseFaultShorthand([spec]).rules[0]!.match).toEqual(match)
  })
})

describe('parseFaultShorthand: refusals name the position and the expected form', () => {
  it('the example from the issue', () => {
    expect(error('dealy=5s')).toBe(`--fault "dealy=5s": unknown step 'dealy' at position 1; ${EXPECTED}`)
  })
  it.each([
    [['500x3,2OO'], "unknown step '2OO' at position 7"],
    [['500x0'], "bad count 'x0' at position 4; expected x<N> with N >= 1"],
    [['hangx'], "bad count 'x' at position 5"],
    [['700'], "bad status '700' at position 1; expected a status from 200 to 599"],
    [['500,,200'], 'empty step at position 5'],
    [['delay=5x'], "bad duration '5x' at position 7; a duration takes a unit: ms, s, m or h (e.g. delay=5s)"],
    [['refuse=2x'], "bad duration '2x' at position 8; a duration takes a unit: ms, s, m or h (e.g. refuse=2s)"],
    [['delay=5q'], "bad duration '5q' at position 7; expected delay=<dur>[:<step>] where <dur> is a number with a unit ms, s, m or h"],
    [['delay'], "missing duration after 'delay' at position 6"],
    [['delay=5s:hang'], "a delay before 'hang' makes no difference (position 10)"],
    [['delay=5s:rate=0.5:500'], "unknown step 'rate' at position 10; expected one of: <status>, reset, close, pass, refuse=<dur>, slow=<dur>[:<status>]"],
    [['delay=5s..1s'], "empty delay range '5s..1s' at position 7"],
    [['rate=1.5:503'], "bad probability '1.5' at position 6; expected rate=<p>:<step> with p from 0 to 1"],
    [['rate=0.6'], "missing step after 'rate=0.6' at position 9"],
    [['rate=0.6:dealy'], "unknown step 'dealy' at position 10"],
    [['refuse'], 'missing duration at position 7; expected refuse=<dur> where <dur> is a number with a unit'],
    [['refuse='], 'missing duration at position 8'],
    [['slow=:200'], 'missing duration at position 6'],
    [['slow=10s:2x'], "bad count 'x' at position 11"],
    [['slow=10s:abc'], "bad status 'abc' at position 10"],
    [['hang=5s'], "'hang' takes no value (at position 5)"],
    [['FOO 500'], "unknown matcher 'FOO' at position 1; expected one of: METHOD[|METHOD], /<tag-glob>"],
    [['PUT|FOO 500'], "unknown matcher 'PUT|FOO' at position 1"],
    [['method=FOO 500'], "unknown method 'FOO' at position 8"],
    [['colour=red 500'], "unknown matcher 'colour' at position 1"],
    [['/ 500'], 'empty tag pattern at position 1'],
    [['attempt=0 500'], "bad attempt '0' at position 9"],
    [['attempt=4-2 500'], "bad attempt '4-2' at position 9"],
    [['header=X-A~( 500'], 'bad regular expression at position 12'],
    [['header=Bad Name 500'], "unknown matcher 'Name' at position 12"],
    [['PUT PUT 500'], 'method given twice at position 5'],
    [[''], 'empty spec'],
    [['PUT stall-tls'], 'stall-tls happens before any request is read'],
    [['500', 'dealy=5s'], `--fault "dealy=5s": unknown step 'dealy' at position 1`],
  ])('%j', (specs, message) => {
    expect(error(...specs)).toContain(message)
  })
})
