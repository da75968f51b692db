/**
 * The reference sender passes every scenario, in process and as a sender-contract command
 * (`node dist/cli/main.js send --contract`, built by `npm run build`), and so does the example sender
 * of docs/examples. Each is the whole default suite, run once: a correct sender must pass the first
 * time (a scenario whose own measurement was disturbed says `inconclusive`, and that fails here too).
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { runConformance } from '../../../src/conformance/runner.js'
import { scenarios } from '../../../src/conformance/scenarios/index.js'
import type { ConformanceReport } from '../../../src/conformance/types.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const certDir = `${root}.tmp/certs`
const cli = `${root}dist/cli/main.js`

function failures(report: ConformanceReport): string {
  return report.results
    .filter((r) => r.status !== 'passed')
    .map((r) => `${r.id}: ${r.status}\n${r.message ?? ''}`)
    .join('\n\n')
}

describe('reference senders pass the whole suite', () => {
  test('builtin (in process)', async () => {
    const report = await runConformance({ sender: { kind: 'builtin' }, certDir })
    expect(failures(report)).toBe('')
    expect(report.totals.total).toBe(scenarios.length)
  }, 150_000)

  test.skipIf(!existsSync(cli))('reference sender as a command: send --contract', async () => {
    const report = await runConformance({ sender: { kind: 'command', command: `node "${cli}" send --contract` }, certDir })
    expect(failures(report)).toBe('')
  }, 150_000)

  test('docs/examples/example-sender.mjs', async () => {
    const report = await runConformance({ sender: { kind: 'command', command: `node "${root}docs/examples/example-sender.mjs"` }, certDir })
    expect(failures(report)).toBe('')
  }, 150_000)
})
