/**
 * Verdict attribution (src/conformance/attribution.ts): a scenario whose premise is pinned by a
 * scenario that failed, or whose judge saw that premise broken, is blocked and names the scenario
 * that carries the failure; premises always point to earlier rules, so two scenarios never block
 * each other.
 */
import { describe, expect, it } from 'vitest'
import { attributeVerdicts } from '../../../src/conformance/attribution.js'
import { scenarios } from '../../../src/conformance/scenarios/index.js'
import { RULE_ORDER, type ScenarioResult, type ScenarioStatus } from '../../../src/conformance/types.js'

const result = (id: string, status: ScenarioStatus, extra: Partial<ScenarioResult> = {}): ScenarioResult => ({
  id, title: id, family: 'retry', status, timeScale: 1, durationMs: 1, checks: [], journal: [], events: [], message: `${id} message`, ...extra,
})

describe('verdict attribution', () => {
  it("every scenario's premises come before each rule it pins (no two scenarios can block each other)", () => {
    for (const s of scenarios) {
      for (const premise of s.premises ?? []) {
        for (const pin of s.pins) expect(RULE_ORDER.indexOf(premise), `${s.id}: premise ${premise} before ${pin}`).toBeLessThan(RULE_ORDER.indexOf(pin))
      }
    }
  })

  it('give-up and the disable scenarios are blocked by a failed schedule scenario, which stays failed', () => {
    const out = attributeVerdicts(
      [result('retry.cycle-1', 'failed'), result('retry.give-up', 'failed'), result('disable.below-threshold', 'failed'), result('disable.window-inside', 'inconclusive'), result('format.headers', 'failed')],
      scenarios,
      scenarios,
    )
    expect(out.map((r) => [r.id, r.status, r.blockedBy ?? []])).toEqual([
      ['retry.cycle-1', 'failed', []],
      ['retry.give-up', 'blocked', ['retry.cycle-1']],
      ['disable.below-threshold', 'blocked', ['retry.cycle-1']],
      ['disable.window-inside', 'blocked', ['retry.cycle-1']],
      // Its failure is its own: format.headers relies on no schedule.
      ['format.headers', 'failed', []],
    ])
    expect(out[1]!.message).toMatch(/^BLOCKED: this scenario relies on the rule "interval", judged by retry.cycle-1/)
  })

  it('a premise the judge saw broken blocks even when the scenario that pins it did not run; its own rule never does', () => {
    const seen = { rule: 'interval-from' as const, observed: 'the intervals fit when counted from the start' }
    const out = attributeVerdicts([result('retry.cycle-1', 'failed', { premise: seen }), result('retry.interval-from', 'failed', { premise: seen })], scenarios, scenarios)
    expect(out.map((r) => [r.id, r.status, r.blockedBy ?? []])).toEqual([
      ['retry.cycle-1', 'blocked', ['retry.interval-from']],
      ['retry.interval-from', 'failed', []],
    ])
  })

  it('retry.on-3xx (3xx taken as success) blocks nobody: the scenarios relying on 2xx being a success keep their own verdicts', () => {
    const out = attributeVerdicts([result('retry.on-3xx', 'failed'), result('retry.cycle-1', 'failed'), result('format.headers', 'failed')], scenarios, scenarios)
    expect(out.map((r) => [r.id, r.status])).toEqual([
      ['retry.on-3xx', 'failed'],
      ['retry.cycle-1', 'failed'],
      ['format.headers', 'failed'],
    ])
    // delivery.single judges the 2xx side of the same rule, and still blocks.
    const other = attributeVerdicts([result('delivery.single', 'failed'), result('format.headers', 'failed')], scenarios, scenarios)
    expect(other.map((r) => r.status)).toEqual(['failed', 'blocked'])
  })

  it('a premise the judge saw broken, while the scenario that judges it passed in the same run: the failure stays its own', () => {
    const seen = { rule: 'interval' as const, observed: 'the intervals fit neither way' }
    const out = attributeVerdicts([result('retry.cycle-1', 'passed'), result('retry.interval-from', 'failed', { premise: seen })], scenarios, scenarios)
    expect(out.map((r) => [r.id, r.status])).toEqual([
      ['retry.cycle-1', 'passed'],
      ['retry.interval-from', 'failed'],
    ])
  })

  it('nothing failed: nothing is blocked', () => {
    const out = attributeVerdicts([result('retry.cycle-1', 'passed'), result('retry.give-up', 'failed')], scenarios, scenarios)
    expect(out.map((r) => r.status)).toEqual(['passed', 'failed'])
  })
})
