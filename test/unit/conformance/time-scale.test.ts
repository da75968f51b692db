/**
 * Time compression real senders can follow (issue 18 item 5): by default every timeout a timeout
 * scenario hands the sender is a whole number of seconds once scaled; --time-scale overrides it.
 */
import { describe, expect, it } from 'vitest'
import { listScenarios } from '../../../src/conformance/runner.js'
import { wholeSecondScale } from '../../../src/conformance/scenarios/timeout.js'
import { scenarios } from '../../../src/conformance/scenarios/index.js'
import { DEFAULT_TOLERANCE, scaleOf } from '../../../src/conformance/runner.js'
import { wallarmProfile, type RetryProfile } from '../../../src/profile/index.js'

const whole = (ms: number): boolean => Math.abs(ms / 1000 - Math.round(ms / 1000)) < 1e-9 && ms >= 1000

describe('timeout scenarios at whole seconds', () => {
  it('wholeSecondScale: the whole second nearest the nominal scale, at least 1 s', () => {
    expect(wholeSecondScale(15_000) * 15_000).toBeCloseTo(2000, 9)
    expect(wholeSecondScale(20_000) * 20_000).toBeCloseTo(2000, 9)
    expect(wholeSecondScale(3_000) * 3_000).toBeCloseTo(1000, 9)
  })

  for (const profile of [wallarmProfile, { ...wallarmProfile, name: 'odd', requestTimeoutMs: 7_300, connectTimeoutMs: 12_345 } as RetryProfile]) {
    it(`every timeout handed in the timeout scenarios is whole seconds (${profile.name})`, () => {
      for (const def of scenarios.filter((s) => s.family === 'timeout')) {
        const timeScale = scaleOf(def, profile, undefined)
        const built = def.build({ profile, timeScale, tolerance: DEFAULT_TOLERANCE })
        const request = (built.settings.requestTimeoutMs ?? profile.requestTimeoutMs) * timeScale
        const connect = (built.settings.connectTimeoutMs ?? profile.connectTimeoutMs) * timeScale
        expect([def.id, whole(request), whole(connect)], `${def.id}: ${request} / ${connect} ms`).toEqual([def.id, true, true])
      }
    })
  }

  it('--time-scale overrides it', () => {
    const listed = listScenarios(wallarmProfile, 0.1).filter((s) => s.family === 'timeout')
    expect(listed.every((s) => s.defaultTimeScale === 0.1)).toBe(true)
  })
})
