/**
 * The public API is the list below, written out by hand: adding or removing a runtime export of
 * the package root must change this test on purpose (no snapshot file that updates itself).
 * What belongs there: docs/design.md "Parts" (public API).
 */
import { describe, expect, it } from 'vitest'
import * as api from '../../src/index.js'

const PUBLIC_RUNTIME_EXPORTS = [
  // errors
  'ErrorCodes',
  'FakeFluentdError',
  'isFakeFluentdError',
  // time
  'ManualClock',
  'systemClock',
  // receiver
  'startReceiver',
  'createAdminApp',
  // fault plans
  'createFaultEngine',
  'parseFaultShorthand',
  'validateFaultPlan',
  // schemas and validation
  'createValidator',
  'parseNotifications',
  'sampleHit',
  'sampleNotification',
  'sampleTypes',
  // sender and profiles
  'createSender',
  'expectedSchedule',
  'intervalRange',
  'loadProfile',
  'nextRetry',
  'parseProfile',
  'settingsFromEnv',
  'settingsToEnv',
  'wallarmProfile',
  // conformance
  'listScenarios',
  'renderHtmlReport',
  'renderJsonReport',
  'renderJunitReport',
  'runConformance',
  // web page and demo
  'createDemo',
  'mountWebPage',
  // waiting for and checking requests
  'findRequests',
  'matchesRequest',
  'verifyRequests',
  'waitForRequests',
]

describe('public API (src/index.ts)', () => {
  it('exports exactly the listed runtime names', () => {
    expect(Object.keys(api).sort()).toEqual([...PUBLIC_RUNTIME_EXPORTS].sort())
  })

  it('exports nothing undefined', () => {
    const missing = Object.entries(api)
      .filter(([, value]) => value === undefined)
      .map(([name]) => name)
    expect(missing).toEqual([])
  })
})
