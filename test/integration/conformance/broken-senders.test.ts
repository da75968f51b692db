/**
 * Proof that the judges can fail: each deliberate flaw of the configurable sender
 * (test/fixtures/senders/configurable-sender.mjs) is caught by the scenario that should catch it and
 * by no unrelated one in the subset run, through the command adapter. The full flaw x scenario
 * matrix is in docs/sender-contract.md. The flaw that needs the long window scenario is in
 * broken-window.test.ts, so that vitest runs it beside these.
 */
import { describe, expect, test } from 'vitest'
import { runConformance } from '../../../src/conformance/runner.js'
import { certDir, expectCaughtBy, fixture, type Case } from './broken-sender-cases.js'

const cases: Case[] = [
  { flaw: 'no-retry', run: 'retry.on-5xx,delivery.single,format.headers', caughtBy: ['retry.on-5xx'] },
  { flaw: 'wrong-intervals', run: 'retry.cycle-1,retry.on-4xx,delivery.single', caughtBy: ['retry.cycle-1'] },
  { flaw: 'gives-up-early', run: 'retry.give-up,retry.cycle-1,retry.on-5xx', caughtBy: ['retry.give-up'] },
  { flaw: 'retries-forever', run: 'retry.give-up,delivery.single,retry.on-5xx', caughtBy: ['retry.give-up'] },
  { flaw: 'retries-after-2xx', run: 'retry.stops-after-2xx,delivery.single,retry.on-5xx', caughtBy: ['retry.stops-after-2xx'] },
  { flaw: 'ignores-request-timeout', run: 'timeout.request-after,timeout.request-before,delivery.single', caughtBy: ['timeout.request-after'] },
  { flaw: 'never-disables', run: 'disable.at-threshold,disable.below-threshold,delivery.single', caughtBy: ['disable.at-threshold'] },
  { flaw: 'disables-too-early', run: 'disable.below-threshold,disable.at-threshold,delivery.single', caughtBy: ['disable.below-threshold'] },
  { flaw: 'always-post', run: 'format.method-put,delivery.single,format.headers', caughtBy: ['format.method-put'] },
  { flaw: 'drops-headers', run: 'format.headers,delivery.single,format.method-put', caughtBy: ['format.headers'] },
  { flaw: 'wrong-format', run: 'format.json-array,format.ndjson,delivery.single', caughtBy: ['format.json-array'] },
  { flaw: 'skips-tls-verify', run: 'tls.untrusted-refused,tls.accepted-with-ca,tls.accepted-verify-off', caughtBy: ['tls.untrusted-refused'] },
]

// Concurrent (two at a time, vitest.config.ts): each case is an out-of-process sender waiting on timers.
describe.concurrent('broken senders are caught by the right scenario only', () => {
  test.each(cases)('$flaw → $caughtBy', async (c) => {
    await expectCaughtBy(c)
  }, 60_000)

  test('a command that dies early is FF_ERR_SENDER_EXITED, with its exit code and stderr', async () => {
    const report = await runConformance({ sender: { kind: 'command', command: `node "${fixture}" --flaw=exits-early; echo "gone" >&2; exit 3` }, scenarios: 'format.json-array', certDir })
    const r = report.results[0]!
    expect(r.status).toBe('error')
    expect(r.errorCode).toBe('FF_ERR_SENDER_EXITED')
    expect(r.message).toContain('exit code 3')
    expect(r.message).toContain('gone')
  }, 30_000)

  test('the wrong-intervals failure shows expected and observed timelines side by side', async () => {
    const report = await runConformance({ sender: { kind: 'command', command: `node "${fixture}" --flaw=wrong-intervals` }, scenarios: 'retry.cycle-1', certDir })
    const r = report.results[0]!
    expect(r.status).toBe('failed')
    expect(r.timeline).toMatch(/expected interval ms \| observed interval ms/)
    expect(r.timeline).toMatch(/\| 900 \(c1\.2\) +\| 4[0-9]{2} +\|/)
    expect(r.message).toContain(r.timeline!)
  }, 30_000)
})
