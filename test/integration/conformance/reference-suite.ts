/**
 * The reference senders must pass the whole default suite: every scenario judged and passed. A
 * scenario whose own measurement was disturbed says `inconclusive` and is measured again, at most
 * twice, as `conformance --retry-inconclusive 2` does (judged-run.ts); still inconclusive fails.
 * Each sender has its own test file, so that vitest runs the three suites in separate processes side by
 * side rather than one after the other.
 */
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import type { SenderSpec } from '../../../src/conformance/runner.js'
import { runJudged } from './judged-run.js'
import type { ConformanceReport } from '../../../src/conformance/types.js'
import { CLI_PATH } from '../../helpers/cli.js'

export const root = fileURLToPath(new URL('../../../', import.meta.url))
export const cli = CLI_PATH
const certDir = `${root}.tmp/certs`

/** Time for one whole suite (about 25 s against a correct sender), with room for a busy machine. */
export const SUITE_TIMEOUT_MS = 150_000

function failures(report: ConformanceReport): string {
  return report.results
    .filter((r) => r.status !== 'passed')
    .map((r) => `${r.id}: ${r.status}\n${r.message ?? ''}`)
    .join('\n\n')
}

/** Runs the whole default suite against `sender` and expects every scenario to pass. */
export async function expectWholeSuitePasses(sender: SenderSpec): Promise<ConformanceReport> {
  const report = await runJudged({ sender, certDir })
  expect(failures(report)).toBe('')
  return report
}
