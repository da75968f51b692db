/**
 * Property-based fuzzing (issue 8) with fast-check and a fixed seed: the body parser, the query
 * parser, the fault-plan validator, the `--fault` shorthand, parseDuration and parseByteSize.
 * FF_FUZZ_RUNS raises the number of runs (test:soak runs 20x more); FF_FUZZ_SEED changes the seed.
 */
import fc from 'fast-check'
import { encode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import { parseDuration } from '../../src/clock/index.js'
import { FakeFluentdError } from '../../src/errors.js'
import { parseFaultShorthand, validateFaultPlan } from '../../src/faults/index.js'
import { parseByteSize } from '../../src/text/index.js'
import { MAX_RECORD_DEPTH, SYNC_PARSE_MAX, parseQuery, parseRequestBody, type ParseResult } from '../../src/receiver/parse-body.js'
import { compileTagGlob } from '../../src/faults/tag-glob.js'
import { oracleGlobSource } from './robustness/glob-oracle.js'

const RUNS = Number(process.env.FF_FUZZ_RUNS ?? 300)
const SEED = Number(process.env.FF_FUZZ_SEED ?? 20_260_808)
const opts = { numRuns: RUNS, seed: SEED }
/** setTimeout's limit: a longer delay fires after 1 ms in node. */
const MAX_TIMER_MS = 2 ** 31 - 1

const contentTypes = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'application/x-ndjson',
    'application/msgpack',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=XyZ',
    'application/csp-report',
    'text/plain',
  ),
  fc.string({ maxLength: 40 }),
  fc.constant(undefined),
)
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((a) => Buffer.from(a)),
  fc.json({ maxDepth: 4 }).map((t) => Buffer.from(t)),
  fc.string({ maxLength: 200 }).map((t) => Buffer.from(t)),
  fc.array(fc.json({ maxDepth: 3 }), { maxLength: 5 }).map((ls) => Buffer.from(ls.join('\n'))),
  fc.json({ maxDepth: 3 }).map((t) => Buffer.from('json=' + encodeURIComponent(t) + '&time=' + t.length)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(encode(v))),
)
const queries = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 60 }), fc.json({ maxDepth: 2 }).map((t) => `json=${encodeURIComponent(t)}`))

function checkResult(r: ParseResult): void {
  if (!r.ok) {
    expect(typeof r.message).toBe('string')
    return
  }
  for (const e of r.events) {
    expect(typeof e.time).toBe('number')
    expect(typeof e.record).toBe('object')
    expect(e.record).not.toBeNull()
    expect(Array.isArray(e.record)).toBe(false)
    // Everything that is emitted can be journaled (JSON.stringify must not throw).
    expect(() => JSON.stringify(e.record)).not.toThrow()
  }
}

describe('fuzz: body parsing (parseRequestBody, parseQuery)', () => {
  it('never throws on any content type, query and body bytes; results are well formed', async () => {
    await fc.assert(
      fc.asyncProperty(contentTypes, queries, bodies, async (contentType, query, body) => {
        checkResult(await parseRequestBody({ contentType, query, body, arrivalTime: 1_700_000_000.5 }))
      }),
      opts,
    )
  })

  it('a JSON object body is one event whose record equals the object (minus a numeric time)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }), async (obj) => {
        const r = await parseRequestBody({ contentType: 'application/json', query: undefined, body: Buffer.from(JSON.stringify(obj)), arrivalTime: 1 })
        const expected = JSON.parse(JSON.stringify(obj)) as Record<string, unknown>
        const t = expected['time']
        if (Object.hasOwn(expected, 'time') && t !== null && t !== false && typeof t !== 'number') {
          expect(r.ok).toBe(false) // Fluentd: can't convert ... into an exact number
          return
        }
        if (!r.ok) throw new Error(r.message)
        expect(r.events).toHaveLength(1)
        delete expected['time']
        expect(r.events[0]!.record).toEqual(expected)
      }),
      opts,
    )
  })

  it('deeply nested values never reach the events (any depth, JSON or msgpack)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: MAX_RECORD_DEPTH + 1, max: 20_000 }), fc.boolean(), async (depth, viaMsgpack) => {
        const json = '{"a":' + '['.repeat(depth) + ']'.repeat(depth) + '}'
        const body = viaMsgpack ? Buffer.from(encode({ a: nest(Math.min(depth, 1500)) }, { maxDepth: 2000 })) : Buffer.from(json)
        const r = await parseRequestBody({ contentType: viaMsgpack ? 'application/msgpack' : 'application/json', query: undefined, body, arrivalTime: 1 })
        expect(r.ok).toBe(true)
        if (r.ok) expect(r.events).toEqual([])
      }),
      { ...opts, numRuns: Math.min(RUNS, 40) },
    )
  })

  it('parseQuery never throws and never touches a prototype', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 100 }), (bytes, text) => {
        const m = parseQuery(Buffer.concat([Buffer.from(bytes), Buffer.from(text)]))
        expect(m).toBeInstanceOf(Map)
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
      }),
      opts,
    )
  })
})

function nest(depth: number): unknown {
  let v: unknown = []
  for (let i = 0; i < depth; i++) v = [v]
  return v
}

const expectSpecError = (fn: () => unknown): void => {
  try {
    fn()
  } catch (err) {
    if (!(err instanceof FakeFluentdError) || err.code !== 'FF_ERR_FAULT_SPEC') throw err
  }
}

/** Generates shorthand specs from the grammar in src/faults/shorthand.ts (mostly valid). */
const dur = fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('ms', 's', 'm', 'h', '')).map(([n, u]) => `${n}${u}`)
const status = fc.integer({ min: 100, max: 599 }).map(String)
const after = fc.oneof(status, fc.constantFrom('reset', 'close', 'pass'), dur.map((d) => `refuse=${d}`), fc.tuple(dur, status).map(([d, s]) => `slow=${d}:${s}`))
const step = fc.oneof(
  status,
  fc.tuple(dur, fc.option(after, { nil: undefined })).map(([d, a]) => `delay=${d}${a ? ':' + a : ''}`),
  fc.tuple(dur, dur, fc.option(after, { nil: undefined })).map(([a, b, x]) => `delay=${a}..${b}${x ? ':' + x : ''}`),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.oneof(status, fc.constantFrom('reset', 'close', 'hang'))).map(([p, s]) => `rate=${Number(p.toFixed(3))}:${s}`),
  fc.constantFrom('hang', 'reset', 'close', 'stall-tls', 'pass'),
  dur.map((d) => `refuse=${d}`),
  fc.tuple(dur, fc.option(status, { nil: undefined })).map(([d, s]) => `slow=${d}${s ? ':' + s : ''}`),
)
const item = fc.tuple(step, fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined })).map(([s, n]) => (n ? `${s}x${n}` : s))
const matcher = fc.oneof(
  fc.constantFrom('POST', 'PUT', 'GET|POST', '/wallarm', '/a.*', 'method=POST', 'tag=wal*'),
  fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.stringMatching(/^[a-z0-9]{0,6}$/)).map(([n, v]) => `header=${n}${v ? ':' + v : ''}`),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined })).map(([a, b]) => `attempt=${a}${b === undefined ? '' : `-${a + b}`}`),
)
const spec = fc.tuple(fc.array(matcher, { maxLength: 2 }), fc.array(item, { minLength: 1, maxLength: 4 })).map(([ms, items]) => [...ms, items.join(',')].join(' '))

describe('fuzz: fault plans and the --fault shorthand', () => {
  it('any string: a plan or FakeFluentdError FF_ERR_FAULT_SPEC, nothing else', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 40 }), spec, spec.map((s) => s.replace(/[=,:x.]/, ''))), { minLength: 1, maxLength: 3 }), (specs) => {
        expectSpecError(() => parseFaultShorthand(specs))
      }),
      opts,
    )
  })

  it('specs from the grammar are accepted (or refused with FF_ERR_FAULT_SPEC) and round-trip to valid plans', () => {
    let accepted = 0
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 3 }), (specs) => {
        let plan
        try {
          plan = parseFaultShorthand(specs)
        } catch (err) {
          if (err instanceof FakeFluentdError && err.code === 'FF_ERR_FAULT_SPEC') return
          throw err
        }
        accepted++
        const again = validateFaultPlan(JSON.parse(JSON.stringify(plan)))
        expect(again).toEqual(plan)
        expect(plan.rules).toHaveLength(specs.length)
        // Every delay an accepted plan can ask for fits a timer.
        for (const ms of JSON.stringify(plan).matchAll(/"(?:delayMs|durationMs)":([\d.e+]+)/g)) expect(Number(ms[1])).toBeLessThanOrEqual(MAX_TIMER_MS)
      }),
      opts,
    )
    // Many generated combinations are refused on purpose (a final step before the end, ...).
    expect(accepted).toBeGreaterThan(RUNS / 10)
  })

  it('validateFaultPlan on arbitrary JSON: a frozen plan or FF_ERR_FAULT_SPEC', () => {
    const stepLike = fc.record(
      { status: fc.integer({ min: 0, max: 700 }), action: fc.constantFrom('respond', 'hang', 'reset', 'close', 'slow-body', 'stall-tls', 'refuse', 'nope'), delayMs: fc.double(), durationMs: fc.integer(), probability: fc.double(), times: fc.integer({ min: -1, max: 5 }) },
      { requiredKeys: [] },
    )
    const planLike = fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.record({ rules: fc.array(fc.record({ steps: fc.array(stepLike, { maxLength: 3 }), then: stepLike, match: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }), { maxLength: 3 }), seed: fc.integer() }, { requiredKeys: ['rules'] }))
    fc.assert(
      fc.property(planLike, (json) => {
        try {
          const plan = validateFaultPlan(json)
          expect(Object.isFrozen(plan)).toBe(true)
        } catch (err) {
          if (!(err instanceof FakeFluentdError) || err.code !== 'FF_ERR_FAULT_SPEC') throw err
        }
      }),
      opts,
    )
  })
})

describe('fuzz: parseDuration and parseByteSize', () => {
  it('parseDuration: any string gives undefined or a finite number of ms >= 0', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^\s*\d{1,400}(\.\d{1,5})?\s*(ms|s|m|min|h|MS|S)?\s*$/)), (text) => {
        const ms = parseDuration(text)
        if (ms !== undefined) {
          expect(Number.isFinite(ms)).toBe(true)
          expect(ms).toBeGreaterThanOrEqual(0)
        }
      }),
      { ...opts, examples: [['9'.repeat(400)], ['9'.repeat(400) + 's'], ['1e400']] },
    )
  })

  it('parseDuration: <n><unit> is n times the unit', () => {
    const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, '': 1 }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(...Object.keys(units)), (n, unit) => {
        expect(parseDuration(`${n}${unit}`)).toBe(n * units[unit]!)
      }),
      opts,
    )
  })

  it('parseByteSize: undefined or a safe integer', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^\d{1,30}[kmgKMG]?(i?b)?$/)), (text) => {
        const n = parseByteSize(text)
        if (n !== undefined) expect(Number.isSafeInteger(n) && n >= 0).toBe(true)
      }),
      opts,
    )
  })
})

describe('fuzz: linear tag globs and sliced JSON parsing agree with their one-shot versions', () => {
  const globChar = fc.constantFrom('a', 'b', '.', '*', '**', '{', '}', ',', 'x', '+')
  it('compileTagGlob(p).test(t) equals the old backtracking regex on short patterns and tags', () => {
    fc.assert(
      fc.property(fc.array(globChar, { maxLength: 10 }), fc.stringMatching(/^[ab.x+]{0,12}$/), (parts, tag) => {
        const pattern = parts.join('')
        let oracle: RegExp | undefined
        try {
          oracle = new RegExp(`^${oracleGlobSource(pattern)}$`)
        } catch {
          expect(() => compileTagGlob(pattern)).toThrow()
          return
        }
        expect(compileTagGlob(pattern).test(tag)).toBe(oracle.test(tag))
      }),
      opts,
    )
  })

  it('a large JSON body (sliced) gives what one JSON.parse gives: the same records, or nothing when it is invalid', async () => {
    const pad = ' '.repeat(SYNC_PARSE_MAX)
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 20 }), fc.nat(), fc.constantFrom('', ']', ',', '"', '{', 'x', '\\'), async (values, at, noise) => {
        let text = `[${pad}${values.map((v) => JSON.stringify(v)).join(',')}]`
        if (noise !== '') {
          const p = SYNC_PARSE_MAX + 1 + (at % Math.max(1, text.length - SYNC_PARSE_MAX))
          text = text.slice(0, p) + noise + text.slice(p)
        }
        let expected: unknown[] | undefined
        try {
          expected = JSON.parse(text) as unknown[]
        } catch {
          expected = undefined
        }
        const r = await parseRequestBody({ contentType: 'application/json', query: undefined, body: Buffer.from(text), arrivalTime: 1, maxRecords: 1000 })
        if (!r.ok) {
          // Only a record time that is not a number rejects the request (as Fluentd).
          expect(r.message).toMatch(/^can't convert /)
          return
        }
        const objects = (expected ?? []).filter((v) => typeof v === 'object' && v !== null && !Array.isArray(v)) as Record<string, unknown>[]
        expect(r.events.map((e) => e.record)).toEqual(objects.map((o) => (Object.hasOwn(o, 'time') ? Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'time')) : o)))
        if (expected === undefined) expect(r.dropped[0]).toMatch(/^invalid JSON: /)
      }),
      opts,
    )
  })
})
