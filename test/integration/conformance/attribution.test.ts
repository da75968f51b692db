/**
 * Verdicts attributed to the rule a sender breaks (issue 18 item 2), with a real command sender:
 * a schedule that differs fails retry.cycle-1 and blocks what relies on it; a slower schedule is
 * followed by the deadline, so give-up still counts every attempt.
 */
import { describe, expect, test } from 'vitest'
import { runJudged } from './judged-run.js'
import { certDir, expectCaughtBy, fixture } from './broken-sender-cases.js'

describe('attribution with a real sender', () => {
  test('intervals half the profile: retry.cycle-1 fails, retry.interval-from is blocked by it (and counted apart)', async () => {
    const report = await runJudged({ sender: { kind: 'command', command: `node "${fixture}" --flaw=wrong-intervals` }, scenarios: 'retry.cycle-1,retry.interval-from', certDir })
    const by = Object.fromEntries(report.results.map((r) => [r.id, r]))
    expect(by['retry.cycle-1']!.status, by['retry.cycle-1']!.message).toBe('failed')
    expect(by['retry.cycle-1']!.message).toMatch(/about 0\.5\d x the profile's at scale 1; the profile expects 1, 3, 5, 10, 10 s/)
    expect(by['retry.interval-from']!.status, by['retry.interval-from']!.message).toBe('blocked')
    expect(by['retry.interval-from']!.blockedBy).toEqual(['retry.cycle-1'])
    expect(by['retry.interval-from']!.message).toMatch(/^BLOCKED: this scenario relies on the rule "interval", judged by retry\.cycle-1/)
    expect(report.totals).toMatchObject({ failed: 1, blocked: 1 })
  }, 60_000)

  test('intervals three times the profile: retry.cycle-1 fails; retry.give-up follows the sender past its planned deadline and passes', async () => {
    await expectCaughtBy({ flaw: 'slow-intervals', run: 'retry.cycle-1,retry.give-up', caughtBy: ['retry.cycle-1'] })
  }, 90_000)
})
