import { describe, expect, it } from 'vitest'
import { createFaultEngine } from '../../../src/faults/engine.js'
import { validateFaultPlan } from '../../../src/faults/validate-plan.js'
import { DEMO_SCENARIOS, demoScenario, RETRY_DEFAULT_TIME_SCALE } from '../../../src/demo/scenarios.js'
import { demoNotifications } from '../../../src/demo/notifications.js'
import { wallarmProfile } from '../../../src/profile/index.js'
import { expectedSchedule } from '../../../src/profile/index.js'

const facts = (attempt: number) => ({
  method: 'POST',
  path: '/wallarm.demo',
  tag: 'wallarm.demo',
  headers: {},
  remoteAddress: '127.0.0.1',
  connectionId: attempt,
  attempt,
})

describe('demo scenarios', () => {
  it('every plan is a valid fault plan', () => {
    for (const name of DEMO_SCENARIOS) {
      const scenario = demoScenario(name)!
      expect(() => validateFaultPlan(scenario.plan(wallarmProfile, scenario.defaultTimeScale)), name).not.toThrow()
    }
    expect(demoScenario('nope')).toBeUndefined()
  })

  it('retry fails every one of the 17 attempts, and its default scale runs the three cycles in about a minute', () => {
    const engine = createFaultEngine()
    engine.setPlan(demoScenario('retry')!.plan(wallarmProfile, RETRY_DEFAULT_TIME_SCALE))
    for (let n = 1; n <= 17; n++) {
      expect(engine.decideRequest(facts(n)).action).toEqual({ type: 'respond', status: 503 })
    }
    const schedule = expectedSchedule(wallarmProfile)
    const totalS = (schedule.at(-1)!.offsetMs * RETRY_DEFAULT_TIME_SCALE) / 1000
    expect(totalS).toBeGreaterThan(50)
    expect(totalS).toBeLessThan(70)
  })

  it('recovery answers 500 three times, then lets Fluentd answer', () => {
    const engine = createFaultEngine()
    engine.setPlan(demoScenario('recovery')!.plan(wallarmProfile, 1))
    const actions = [1, 2, 3, 4, 5].map((n) => engine.decideRequest(facts(n)).action)
    expect(actions.slice(0, 3)).toEqual([0, 1, 2].map(() => ({ type: 'respond', status: 500 })))
    expect(actions[3]).toEqual({ type: 'pass' })
  })

  it('timeout answers three times later than the scaled request timeout', () => {
    const engine = createFaultEngine()
    const scale = 0.5
    engine.setPlan(demoScenario('timeout')!.plan(wallarmProfile, scale))
    const first = engine.decideRequest(facts(1))
    expect(first.delayMs).toBeGreaterThan(wallarmProfile.requestTimeoutMs * scale)
    engine.decideRequest(facts(2))
    engine.decideRequest(facts(3))
    expect(engine.decideRequest(facts(4)).delayMs).toBe(0)
  })

  it('auto-disable hands over enough failing deliveries to reach the minimum attempts', () => {
    const s = demoScenario('auto-disable')!
    expect(s.deliveries).toBeGreaterThanOrEqual(2)
    expect(s.deliveries * 17).toBeGreaterThan(wallarmProfile.autoDisable!.minAttempts)
  })

  it('each delivery gets its own body', () => {
    const bodies = demoNotifications(4).map((n) => JSON.stringify(n))
    expect(new Set(bodies).size).toBe(4)
  })
})
