/**
 * The reference sender passes every scenario, in process and as a sender-contract command
 * (`node dist/cli/main.js send --contract`, built by `npm run build`), and so does the example sender
 * of docs/examples. Each is the whole default suite (about 15 s).
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { runConformance } from '../../../src/conformance/runner.js'
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

/**
 * Runs the whole suite; a scenario that failed is run once more on its own, and must pass then.
 * The judges stay as strict as they are: this only absorbs a one-off stall of a shared CI machine
 * (seen about once in 20 whole-suite runs: a single interval 5-20 ms over its tolerance). A sender
 * that is really wrong fails both times. Returns the failures of the second run, or ''.
 */
async function failuresAfterOneRerun(sender: Parameters<typeof runConformance>[0]['sender']): Promise<{ first: ConformanceReport; failures: string }> {
  const first = await runConformance({ sender, certDir })
  const failed = first.results.filter((r) => r.status !== 'passed').map((r) => r.id)
  if (failed.length === 0) return { first, failures: '' }
  const again = await runConformance({ sender, certDir, scenarios: failed.join(',') })
  return { first, failures: failures(again) }
}

describe('reference senders pass the whole suite', () => {
  test('builtin (in process)', async () => {
    const { first, failures: f } = await failuresAfterOneRerun({ kind: 'builtin' })
    expect(f).toBe('')
    expect(first.totals.total).toBe(25)
    expect(first.durationMs).toBeLessThan(120_000)
  }, 150_000)

  test.skipIf(!existsSync(cli))('reference sender as a command: send --contract', async () => {
    const { failures: f } = await failuresAfterOneRerun({ kind: 'command', command: `node "${cli}" send --contract` })
    expect(f).toBe('')
  }, 150_000)

  test('docs/examples/example-sender.mjs', async () => {
    const { failures: f } = await failuresAfterOneRerun({ kind: 'command', command: `node "${root}docs/examples/example-sender.mjs"` })
    expect(f).toBe('')
  }, 150_000)
})
