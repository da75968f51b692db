/**
 * Every bound of a fault plan has a `serve` flag that moves it (README "Limits"): the built CLI runs
 * with each bound lowered (from the command line, a FAKE_FLUENTD_* variable and a --config file) and
 * raised, and real `PUT /api/faults` requests and `--faults` files meet them. A plan beyond a bound is
 * refused with 400 (PUT) or exit 2 (--faults), naming the flag; one within it is accepted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { runCli, spawnServe, type ServeProcess } from '../../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'ff-plan-limits-'))
const base = ['--port', '0', '--admin-port', '0', '--no-tls', '--output', 'none']

/** One rule answering 503 with `match`. */
const ruleWith = (match: object): object => ({ rules: [{ match, steps: [{ status: 503 }] }] })
/** `n` rules of 4 values each (rule, steps, step, status), so 2 + 4n values with the plan and its list. */
const rules = (n: number): object => ({ rules: Array.from({ length: n }, () => ({ steps: [{ status: 503 }] })) })
/** 6 levels: plan, rules, rule, steps, step, headers (as deep as a header matcher: plan, rules, rule, match, header, X-Id). */
const sixLevels = { rules: [{ steps: [{ status: 500, headers: { 'X-A': 'b' } }] }] }
/** 7 levels: plan, rules, rule, steps, step, else, headers. */
const sevenLevels = { rules: [{ steps: [{ probability: 0.5, status: 500, else: { status: 200, headers: { 'X-A': 'b' } } }] }] }
const padded = (bytes: number): object => ({ description: 'x'.repeat(bytes), rules: [] })

async function put(serve: ServeProcess, plan: object): Promise<{ status: number; detail: string }> {
  const res = await request(`${serve.adminUrl!}/api/faults`, { method: 'PUT', body: JSON.stringify(plan), headers: { 'content-type': 'application/json' } })
  const body = (await res.body.json()) as { detail?: string }
  return { status: res.statusCode, detail: body.detail ?? '' }
}

/** [flag, a plan beyond the lowered bound, one just within it]. */
const lowered: [string, object, object][] = [
  ['--fault-plan-max-bytes', padded(2100), padded(1900)],
  ['--fault-plan-max-depth', sevenLevels, sixLevels],
  ['--fault-plan-max-values', rules(13), rules(12)],
  ['--fault-tag-pattern-max', ruleWith({ tag: 'wallarm.*' }), ruleWith({ tag: 'wallarm*' })],
  ['--fault-regex-max', ruleWith({ header: { 'X-Id': { regex: '^(a+)+$$' } } }), ruleWith({ header: { 'X-Id': { regex: '^(a+)+$' } } })],
  ['--fault-regex-max', ruleWith({ body: { pointer: '/a', regex: '^(a+)+$$' } }), ruleWith({ body: { pointer: '/a', regex: '^(a+)+$' } })],
  ['--fault-pointer-max', ruleWith({ body: { pointer: '/details/x', present: true } }), ruleWith({ body: { pointer: '/details', present: true } })],
  ['--fault-pointer-max-parts', ruleWith({ body: { pointer: '/a/b/c', present: true } }), ruleWith({ body: { pointer: '/a/b', present: true } })],
]

describe('fault plan bounds follow their serve flags', () => {
  it('lowered (command line, FAKE_FLUENTD_* and --config): PUT /api/faults answers 400 naming the flag beyond each bound, 200 within it', async () => {
    const config = join(dir, 'lowered.json')
    writeFileSync(config, JSON.stringify({ faultPointerMax: 8, faultPointerMaxParts: 2 }))
    const serve = await spawnServe([...base, '--fault-plan-max-bytes', '2k', '--fault-plan-max-depth', '6', '--fault-plan-max-values', '50', '--config', config], {
      env: { FAKE_FLUENTD_FAULT_TAG_PATTERN_MAX: '8', FAKE_FLUENTD_FAULT_REGEX_MAX: '7' },
    })
    for (const [flag, beyond, within] of lowered) {
      const refused = await put(serve, beyond)
      expect({ flag, status: refused.status }).toEqual({ flag, status: 400 })
      expect(refused.detail).toContain(`(${flag})`)
      expect(refused.detail).toMatch(/^invalid fault plan: /)
      expect({ flag, status: (await put(serve, within)).status }).toEqual({ flag, status: 200 })
    }
    await serve.stop()
  })

  it('raised: plans beyond every default are accepted by PUT /api/faults and from --faults', async () => {
    const big: [string, string, object][] = [
      ['--fault-plan-max-bytes', '2m', padded(1_500_000)],
      ['--fault-plan-max-values', '30000', rules(6000)],
      ['--fault-tag-pattern-max', '400', ruleWith({ tag: 'a'.repeat(300) })],
      ['--fault-regex-max', '3000', ruleWith({ header: { 'X-Id': { regex: 'a'.repeat(2000) } } })],
      ['--fault-pointer-max', '2000', ruleWith({ body: { pointer: '/' + 'a'.repeat(1500), present: true } })],
      ['--fault-pointer-max-parts', '40', ruleWith({ body: { pointer: '/a'.repeat(35), present: true } })],
    ]
    // No plan the schema accepts is deeper than 8 levels: beyond 32 the walk stops before the schema
    // is asked; with the bound raised, the schema refuses the plan instead.
    const deep = { rules: [{ match: { body: { pointer: '/a', equals: JSON.parse('['.repeat(35) + ']'.repeat(35)) as unknown } }, steps: [{ status: 503 }] }] }
    const defaults = await spawnServe(base)
    for (const [flag, , plan] of [...big, ['--fault-plan-max-depth', '40', deep] as const]) {
      const refused = await put(defaults, plan)
      expect({ flag, status: refused.status }).toEqual({ flag, status: 400 })
      expect(refused.detail).toContain(`(${flag})`)
    }
    await defaults.stop()
    const raised = await spawnServe([...base, ...big.flatMap(([flag, value]) => [flag, value]), '--fault-plan-max-depth', '40'])
    for (const [flag, , plan] of big) expect({ flag, status: (await put(raised, plan)).status }).toEqual({ flag, status: 200 })
    const deepRefused = await put(raised, deep)
    expect(deepRefused.status).toBe(400)
    expect(deepRefused.detail).toContain('rules[0].match.body.equals: must be one of the allowed forms')
    expect(deepRefused.detail).not.toContain('--fault-plan-max-depth')
    await raised.stop()
    const file = join(dir, 'big-plan.json')
    writeFileSync(file, JSON.stringify({ ...rules(6000), description: 'x'.repeat(1_200_000) }))
    const fromFile = await spawnServe([...base, '--faults', file, '--fault-plan-max-bytes', '2m', '--fault-plan-max-values', '30000'])
    const described = await request(`${fromFile.adminUrl!}/api/faults`)
    expect(((await described.body.json()) as { plan: { rules: unknown[] } }).plan.rules).toHaveLength(6000)
    await fromFile.stop()
  }, 60_000)

  it('--faults beyond a bound: exit 2, one line naming the file and the flag; a bad flag value names the flag', async () => {
    const file = join(dir, 'plan.json')
    writeFileSync(file, JSON.stringify(ruleWith({ tag: 'wallarm.**' })))
    const bytes = await runCli(['serve', ...base, '--faults', file, '--fault-plan-max-bytes', '64'])
    expect(bytes.code).toBe(2)
    expect(bytes.stderr.trim()).toMatch(/^fake-fluentd: --faults \S+plan\.json: the fault plan is 67 bytes; at most 64 bytes are allowed \(--fault-plan-max-bytes\)$/)
    const tag = await runCli(['serve', ...base, '--faults', file, '--fault-tag-pattern-max', '9'])
    expect(tag.code).toBe(2)
    expect(tag.stderr.trim()).toMatch(/^fake-fluentd: --faults \S+: invalid fault plan: rules\[0\]\.match\.tag: the tag pattern is 10 characters long; at most 9 are allowed \(--fault-tag-pattern-max\)$/)
    const forwardFile = join(dir, 'forward-plan.json')
    writeFileSync(forwardFile, JSON.stringify({ rules: [], forward: [{ match: { tag: 'wallarm.**' }, action: 'withhold-ack' }] }))
    const forward = await runCli(['serve', ...base, '--forward-port', '0', '--faults', forwardFile, '--fault-tag-pattern-max', '9'])
    expect(forward.code).toBe(2)
    expect(forward.stderr.trim()).toMatch(/^fake-fluentd: forward fault rule 0: match\.tag: the tag pattern is 10 characters long; at most 9 are allowed \(--fault-tag-pattern-max\)$/)
    const spec = await runCli(['serve', ...base, '--fault', 'header=X-Id~^a+$ 503', '--fault-regex-max', '3'])
    expect(spec.code).toBe(2)
    expect(spec.stderr).toContain('the regular expression is 4 characters long; at most 3 are allowed (--fault-regex-max)')
    for (const [flag, value] of [['--fault-plan-max-depth', '0'], ['--fault-plan-max-bytes', '1x'], ['--fault-tag-pattern-max', 'many']]) {
      const bad = await runCli(['serve', ...base, flag!, value!])
      expect(bad.code).toBe(2)
      expect(bad.stderr).toContain(`option '${flag!} `)
      expect(bad.stderr).not.toMatch(/\n\s+at /)
    }
  }, 30_000)
})
