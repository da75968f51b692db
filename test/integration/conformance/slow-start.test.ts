/**
 * Sender start-up is not the sender's failure (issue 18 item 3): a command sender that takes 5 s to
 * start, judged at --concurrency 8, passes what the same sender passes when it starts at once. Its
 * clock starts at its first attempt (or its ready event); the report gives its start-up time.
 * 5 s is longer than the old profile deadlines of these scenarios (retry.connection-reset: 3.75 s).
 */
import { describe, expect, test } from 'vitest'
import { runConformance } from '../../../src/conformance/runner.js'
import { certDir, fixture } from './broken-sender-cases.js'

const SCENARIOS = 'delivery.single,retry.connection-reset,retry.connection-closed,retry.on-5xx,retry.stops-after-2xx,format.headers'
const STARTUP_MS = 5000

const statuses = (r: Awaited<ReturnType<typeof runConformance>>): string =>
  r.results.map((x) => `${x.id}: ${x.status}${x.status === 'passed' ? '' : `\n${x.message ?? ''}`}`).join('\n')

describe('a sender that takes 5 s to start', () => {
  test('without a ready event: the first attempt starts the clock; the verdicts are those of a sender that starts at once', async () => {
    const [quick, slow] = await Promise.all([
      runConformance({ sender: { kind: 'command', command: `node "${fixture}"` }, scenarios: SCENARIOS, certDir, concurrency: 8 }),
      runConformance({ sender: { kind: 'command', command: `node "${fixture}" --startup-ms=${STARTUP_MS}` }, scenarios: SCENARIOS, certDir, concurrency: 8 }),
    ])
    expect(statuses(quick)).not.toMatch(/: (failed|error|blocked)/)
    expect(slow.results.map((r) => [r.id, r.status])).toEqual(quick.results.map((r) => [r.id, r.status]))
    for (const r of slow.results) expect(r.startupMs, r.id).toBeGreaterThanOrEqual(STARTUP_MS)
    for (const r of quick.results) expect(r.startupMs, r.id).toBeLessThan(STARTUP_MS)
  }, 120_000)

  test('with a ready event: the clock starts at it', async () => {
    const report = await runConformance({ sender: { kind: 'command', command: `node "${fixture}" --startup-ms=${STARTUP_MS} --ready` }, scenarios: 'retry.connection-reset,delivery.single', certDir, concurrency: 8 })
    expect(statuses(report)).not.toMatch(/: (failed|error|blocked|inconclusive)/)
    for (const r of report.results) {
      expect(r.startupMs, r.id).toBeGreaterThanOrEqual(STARTUP_MS)
      expect(r.events.some((e) => e.event === 'ready')).toBe(true)
    }
  }, 60_000)
})
