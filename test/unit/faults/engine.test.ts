import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import { createFaultEngine, SeededRandom } from '../../../src/faults/index.js'
import type { FaultEngine, RequestFacts } from '../../../src/faults/index.js'

let nextConn = 1
function req(over: Partial<RequestFacts> = {}): RequestFacts {
  return { method: 'POST', path: '/wallarm.alerts', tag: 'wallarm.alerts', headers: {}, remoteAddress: '127.0.0.1', connectionId: nextConn++, attempt: 1, ...over }
}
const conn = () => ({ remoteAddress: '127.0.0.1', connectionId: nextConn++ })

/** The action types (with status for respond) of n requests. */
function run(engine: FaultEngine, n: number, facts: Partial<RequestFacts> = {}): string[] {
  return Array.from({ length: n }, () => {
    const d = engine.decideRequest(req(facts))
    return d.action.type === 'respond' || d.action.type === 'slow-body' ? `${d.action.type}:${d.action.status}` : d.action.type
  })
}

describe('fault engine: steps', () => {
  it('with no plan, passes and accepts', () => {
    const engine = createFaultEngine()
    expect(engine.decideRequest(req())).toEqual({ delayMs: 0, action: { type: 'pass' } })
    expect(engine.decideConnection(conn())).toEqual({ delayMs: 0, action: { type: 'accept' } })
  })

  it('the simplest plan: one 503, then Fluentd behaviour', () => {
    const engine = createFaultEngine({ plan: { rules: [{ steps: [{ status: 503 }] }] } })
    const first = engine.decideRequest(req())
    expect(first.action).toEqual({ type: 'respond', status: 503 })
    expect(first.applied).toEqual({ ruleIndex: 0, step: 0, explain: 'respond 503 (rule 0, step 1 of 1)' })
    expect(engine.decideRequest(req())).toEqual({ delayMs: 0, action: { type: 'pass' } })
  })

  it('each action type comes out as the receiver contract expects', () => {
    const engine = createFaultEngine({
      plan: {
        rules: [
          {
            steps: [
              { status: 429, retryAfter: 7, body: 'slow down', headers: { 'X-A': '1' } },
              { delayMs: 16000, status: 200 },
              { action: 'hang' },
              { action: 'reset' },
              { action: 'close' },
              { action: 'slow-body', durationMs: 1000, status: 201, body: 'ok' },
              { action: 'refuse', durationMs: 5000 },
              { action: 'pass' },
              { delayMs: 250 },
              { delayMs: 5, action: 'reset' },
            ],
          },
        ],
      },
    })
    const d = Array.from({ length: 11 }, () => engine.decideRequest(req()))
    expect(d.map((x) => [x.delayMs, x.action])).toEqual([
      [0, { type: 'respond', status: 429, body: 'slow down', headers: { 'X-A': '1', 'Retry-After': '7' } }],
      [16000, { type: 'respond', status: 200 }],
      [0, { type: 'hang' }],
      [0, { type: 'reset' }],
      [0, { type: 'close' }],
      [0, { type: 'slow-body', durationMs: 1000, status: 201, body: 'ok' }],
      [0, { type: 'refuse', durationMs: 5000 }],
      [0, { type: 'pass' }],
      [250, { type: 'pass' }],
      [5, { type: 'reset' }],
      [0, { type: 'pass' }],
    ])
    expect(d[1]!.applied!.explain).toBe('wait 16000 ms, then respond 200 (rule 0, step 2 of 10)')
    expect(d[2]!.applied!.explain).toBe('hang (never answer) (rule 0, step 3 of 10)')
    expect(d[10]!.applied).toBeUndefined()
  })

  it('times repeats a step, then uses then for every further request', () => {
    const engine = createFaultEngine({ plan: { rules: [{ id: 'r1', steps: [{ status: 500, times: 3 }, { status: 502 }], then: { status: 201 } }] } })
    const d = Array.from({ length: 6 }, () => engine.decideRequest(req()))
    expect(d.map((x) => (x.action as { status: number }).status)).toEqual([500, 500, 500, 502, 201, 201])
    expect(d.map((x) => x.applied!.step)).toEqual([0, 0, 0, 1, 'then', 'then'])
    expect(d[1]!.applied!.explain).toBe('respond 500 (rule 0 "r1", step 1 of 2, use 2 of 3)')
    expect(d[5]!.applied).toEqual({ ruleIndex: 0, ruleId: 'r1', step: 'then', explain: 'respond 201 (rule 0 "r1", then (use 2))' })
  })

  it('resetCounters restarts the sequence; setPlan replaces it; clear removes all', () => {
    const engine = createFaultEngine({ plan: { rules: [{ steps: [{ status: 500, times: 2 }] }] } })
    expect(run(engine, 3)).toEqual(['respond:500', 'respond:500', 'pass'])
    engine.resetCounters()
    expect(run(engine, 1)).toEqual(['respond:500'])
    engine.setPlan({ rules: [{ then: { action: 'hang' } }] })
    expect(run(engine, 2)).toEqual(['hang', 'hang'])
    engine.clear()
    expect(run(engine, 1)).toEqual(['pass'])
  })

  it('a rejected setPlan keeps the old plan', () => {
    const engine = createFaultEngine({ plan: { rules: [{ then: { status: 503 } }] } })
    expect(() => engine.setPlan({ rules: [{ steps: [{ bogus: 1 }] }] })).toThrow(/unknown key 'bogus'/)
    expect(run(engine, 1)).toEqual(['respond:503'])
  })
})

describe('fault engine: matchers and several rules', () => {
  const plan = {
    rules: [
      { id: 'put', match: { method: 'PUT' }, steps: [{ status: 500, times: 2 }] },
      { id: 'ci', match: { header: { 'X-Env': 'ci' } }, then: { status: 502 } },
      { id: 'tag', match: { tag: 'other.**' }, then: { status: 404 } },
      { id: 'late', match: { attempt: [3, 4] }, then: { status: 503 } },
    ],
  }

  it('first matching rule wins; a used-up rule without then falls through', () => {
    const engine = createFaultEngine({ plan })
    expect(run(engine, 3, { method: 'put', headers: { 'x-env': 'ci' } })).toEqual(['respond:500', 'respond:500', 'respond:502'])
    expect(run(engine, 1, { method: 'PUT' })).toEqual(['pass'])
    expect(run(engine, 1, { tag: 'other' })).toEqual(['respond:404'])
    expect(run(engine, 1, { tag: 'other.x.y' })).toEqual(['respond:404'])
    expect(run(engine, 1, { tag: 'others' })).toEqual(['pass'])
    expect(run(engine, 4, { attempt: 2 })).toEqual(['pass', 'pass', 'pass', 'pass'])
    expect(run(engine, 1, { attempt: 3 })).toEqual(['respond:503'])
    expect(run(engine, 1, { attempt: 4 })).toEqual(['respond:503'])
    expect(run(engine, 1, { attempt: 5 })).toEqual(['pass'])
  })

  it('method lists, header regex, presence and absence, attempt objects', () => {
    const engine = createFaultEngine({
      plan: {
        rules: [
          { match: { method: ['put', 'PATCH'] }, then: { status: 501 } },
          { match: { header: { Authorization: { regex: '^Bearer ' } } }, then: { status: 502 } },
          { match: { header: { 'X-Trace': { present: true } } }, then: { status: 503 } },
          { match: { header: { 'X-Key': { present: false } }, attempt: { min: 2 } }, then: { status: 401 } },
        ],
      },
    })
    expect(run(engine, 1, { method: 'PATCH', headers: { 'x-key': 'k' } })).toEqual(['respond:501'])
    expect(run(engine, 1, { headers: { authorization: 'Bearer t', 'x-key': 'k' } })).toEqual(['respond:502'])
    expect(run(engine, 1, { headers: { authorization: 'Basic t', 'x-key': 'k' } })).toEqual(['pass'])
    expect(run(engine, 1, { headers: { 'x-trace': '', 'x-key': 'k' } })).toEqual(['respond:503'])
    expect(run(engine, 1, { attempt: 1 })).toEqual(['pass'])
    expect(run(engine, 1, { attempt: 9 })).toEqual(['respond:401'])
  })

  it('a header given several times is matched as the comma-joined value', () => {
    const engine = createFaultEngine({ plan: { rules: [{ match: { header: { 'X-A': 'a, b' } }, then: { status: 500 } }] } })
    expect(run(engine, 1, { headers: { 'x-a': ['a', 'b'] } })).toEqual(['respond:500'])
  })
})

describe('fault engine: connection-level steps (stall-tls)', () => {
  it('stall-tls x2 then 200: two stalled handshakes, then a delivery', () => {
    const engine = createFaultEngine({ plan: { rules: [{ steps: [{ action: 'stall-tls', times: 2 }], then: { status: 200 } }] } })
    const c1 = engine.decideConnection(conn())
    expect(c1.action).toEqual({ type: 'stall-tls' })
    expect(c1.applied!.explain).toBe('stall the TLS handshake (never answer the ClientHello) (rule 0, step 1 of 1, use 1 of 2)')
    expect(engine.decideConnection(conn()).action).toEqual({ type: 'stall-tls' })
    const c3 = engine.decideConnection(conn())
    expect(c3).toEqual({ delayMs: 0, action: { type: 'accept' } })
    expect(run(engine, 1)).toEqual(['respond:200'])
    expect(engine.decideConnection(conn()).action.type).toBe('accept')
  })

  it('a request-level step is not consumed by a connection', () => {
    const engine = createFaultEngine({ plan: { rules: [{ steps: [{ status: 500 }, { action: 'stall-tls' }, { status: 201 }] }] } })
    expect(engine.decideConnection(conn()).action.type).toBe('accept')
    expect(engine.decideConnection(conn()).action.type).toBe('accept')
    const first = engine.decideRequest(req())
    // the rule goes on with stall-tls: the 500 asks the client to open a new connection
    expect(first.action).toEqual({ type: 'respond', status: 500, headers: { Connection: 'close' } })
    // a request on a connection opened earlier cannot be stalled: closed without consuming the step
    const early = engine.decideRequest(req())
    expect(early.action).toEqual({ type: 'close' })
    expect(early.applied!.step).toBe(1)
    expect(early.applied!.explain).toContain('needs a new connection')
    expect(engine.decideConnection(conn()).action.type).toBe('stall-tls')
    expect(engine.decideConnection(conn()).action.type).toBe('accept')
    expect(run(engine, 2)).toEqual(['respond:201', 'pass'])
  })

  it('rules with request matchers are skipped at connect time', () => {
    const engine = createFaultEngine({
      plan: { rules: [{ match: { method: 'PUT' }, then: { status: 500 } }, { steps: [{ action: 'stall-tls' }] }] },
    })
    expect(engine.decideConnection(conn()).action.type).toBe('stall-tls')
    expect(engine.decideConnection(conn()).action.type).toBe('accept')
  })

  it('probability on stall-tls draws at connect time; a miss accepts and still uses the step', () => {
    const engine = createFaultEngine({ seed: 3, plan: { rules: [{ then: { probability: 0.5, action: 'stall-tls' } }] } })
    const rng = new SeededRandom(3)
    for (let i = 1; i <= 20; i++) {
      const expectedHit = rng.next() < 0.5
      const d = engine.decideConnection(conn())
      expect(d.action.type).toBe(expectedHit ? 'stall-tls' : 'accept')
      expect(d.applied!.draw).toMatchObject({ seed: 3, n: i, probability: 0.5, hit: expectedHit })
    }
  })
})

describe('fault engine: seeded draws', () => {
  const plan = { rules: [{ then: { probability: 0.6, status: 503, else: { status: 200 } } }] }

  it('the same seed gives the same decisions; each draw is journaled', () => {
    const a = createFaultEngine({ seed: 42, plan })
    const b = createFaultEngine({ seed: 42, plan })
    const da = Array.from({ length: 50 }, () => a.decideRequest(req()))
    const db = Array.from({ length: 50 }, () => b.decideRequest(req()))
    expect(da).toEqual(db)
    const rng = new SeededRandom(42)
    da.forEach((d, i) => {
      const value = rng.next()
      expect(d.applied!.draw).toEqual({ seed: 42, n: i + 1, value, probability: 0.6, hit: value < 0.6 })
      expect((d.action as { status: number }).status).toBe(value < 0.6 ? 503 : 200)
    })
    const hits = da.filter((d) => d.applied!.draw!.hit).length
    expect(hits).toBeGreaterThan(15)
    expect(hits).toBeLessThan(45)
  })

  it('the plan seed wins over the engine seed; resetCounters replays the stream', () => {
    const engine = createFaultEngine({ seed: 1, plan: { ...plan, seed: 7 } })
    const first = Array.from({ length: 10 }, () => engine.decideRequest(req()).applied!.draw!.value)
    engine.resetCounters()
    const again = Array.from({ length: 10 }, () => engine.decideRequest(req()).applied!.draw!.value)
    expect(again).toEqual(first)
    expect(engine.decideRequest(req()).applied!.draw!.seed).toBe(7)
    expect(first[0]).toBe(new SeededRandom(7).next())
  })

  it('different seeds give different streams', () => {
    const a = Array.from({ length: 5 }, () => new SeededRandom(1).next())
    const r = new SeededRandom(2)
    expect(Array.from({ length: 5 }, () => r.next())).not.toEqual(a)
  })

  it('random delays are reproducible and in range', () => {
    const p = {
      seed: 9,
      rules: [{ then: { delay: { uniform: [100, 200] as [number, number] }, status: 200 } }, { then: { status: 200 } }],
    }
    const a = createFaultEngine({ plan: p })
    const b = createFaultEngine({ plan: p })
    for (let i = 0; i < 30; i++) {
      const da = a.decideRequest(req())
      expect(da.delayMs).toBe(b.decideRequest(req()).delayMs)
      expect(da.delayMs).toBeGreaterThanOrEqual(100)
      expect(da.delayMs).toBeLessThanOrEqual(200)
      expect(da.applied!.explain).toMatch(/^wait \d+ ms \(a random 100 ms\.\.200 ms \(uniform\), draw #\d+, seed 9\), then respond 200/)
    }
    const ln = createFaultEngine({ plan: { rules: [{ then: { delay: { lognormal: { medianMs: 1000, sigma: 0.5, maxMs: 3000 } } } }] } })
    const delays = Array.from({ length: 200 }, () => ln.decideRequest(req()).delayMs).sort((x, y) => x - y)
    expect(delays[199]).toBeLessThanOrEqual(3000)
    expect(delays[100]).toBeGreaterThan(700)
    expect(delays[100]).toBeLessThan(1400)
  })
})

describe('fault engine: describe()', () => {
  it('lists each rule with its remaining steps in words', () => {
    const clock = new ManualClock()
    const engine = createFaultEngine({
      clock,
      plan: { rules: [{ id: 'r1', match: { method: 'PUT', tag: 'wallarm.*' }, steps: [{ status: 500, times: 3 }, { delayMs: 16000, status: 200 }], then: { status: 200 } }] },
    })
    engine.decideRequest(req({ method: 'PUT' }))
    const d = engine.describe() as { seed: number; setAt: string; rules: Array<{ remaining: string[]; next: unknown; steps: Array<{ used: number }> }>; text: string }
    expect(d.seed).toBe(1)
    expect(d.setAt).toBe(new Date(clock.wallNow()).toISOString())
    expect(d.rules[0]!.next).toBe(0)
    expect(d.rules[0]!.steps[0]!.used).toBe(1)
    expect(d.rules[0]!.remaining).toEqual([
      'step 1: respond 500 (2 more times)',
      'step 2: wait 16000 ms, then respond 200',
      'then, for every further request: respond 200',
    ])
    expect(d.text).toBe(
      'rule 0 "r1" (method PUT, tag wallarm.*):\n  step 1: respond 500 (2 more times)\n  step 2: wait 16000 ms, then respond 200\n  then, for every further request: respond 200',
    )
    expect((createFaultEngine().describe() as { text: string }).text).toBe('no fault rules: every request is answered like Fluentd')
  })
})
