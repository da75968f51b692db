/**
 * Shared by broken-senders.test.ts and broken-window.test.ts: a flaw of the configurable sender
 * (test/fixtures/senders/configurable-sender.mjs), the scenarios run against it, and the ones that
 * must catch it; every other scenario of the run must pass.
 */
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { runJudged } from './judged-run.js'

export const fixture = fileURLToPath(new URL('../../fixtures/senders/configurable-sender.mjs', import.meta.url))
export const certDir = fileURLToPath(new URL('../../../.tmp/certs', import.meta.url))

export interface Case {
  flaw: string
  run: string
  caughtBy: string[]
}

/** Runs the case's scenarios against the flawed sender: exactly `caughtBy` fail, each with its evidence. */
export async function expectCaughtBy({ flaw, run, caughtBy }: Case): Promise<void> {
  const report = await runJudged({ sender: { kind: 'command', command: `node "${fixture}" --flaw=${flaw}` }, scenarios: run, certDir })
  const failed = report.results.filter((r) => r.status !== 'passed').map((r) => r.id)
  expect(failed.sort(), report.results.map((r) => `${r.id}: ${r.status}\n${r.message ?? ''}`).join('\n')).toEqual([...caughtBy].sort())
  for (const r of report.results.filter((x) => caughtBy.includes(x.id))) {
    expect(r.status).toBe('failed')
    expect(r.message).toBeTruthy()
    expect(r.checks.some((c) => !c.passed && c.expected !== '' && c.observed !== '')).toBe(true)
  }
}
