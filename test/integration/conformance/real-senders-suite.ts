/**
 * Retrying HTTP clients that others wrote, through small sender-contract adapters
 * (test/fixtures/senders/*.mjs), judged like any sender: under a profile written from their own
 * documentation they pass; under `wallarm` they fail exactly the scenarios that pin the schedule
 * they do not follow. The adapters only scale the clients' timings and set what a webhook sender
 * needs; the retrying is the library's own.
 */
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { runJudged } from './judged-run.js'
import type { ConformanceReport, ScenarioResult } from '../../../src/conformance/types.js'
import { loadProfile, wallarmProfile } from '../../../src/profile/index.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const certDir = `${root}.tmp/certs`

/** One run takes 8-20 s; room for a busy machine. */
export const REAL_SENDER_TIMEOUT_MS = 120_000

export interface RealSender {
  /** test/fixtures/senders/<adapter>.mjs */
  adapter: string
  /** profiles/<profile>.json, written from the client's documentation. */
  profile: string
  /**
   * Scenarios left out of every run, each with the reason (a finding about the client or about
   * the runner, reported rather than special-cased in the judges).
   */
  leftOut: Record<string, string>
  /** Left out of the run under the client's own profile only, with the reason. */
  leftOutOwn?: Record<string, string>
  /** Under wallarm: the scenarios that must fail, because they pin a rule the client does not follow. */
  failsUnderWallarm: string[]
  /** Under wallarm: the scenarios blocked by those failures (they rely on the broken rule, and name it). */
  blockedUnderWallarm: string[]
}

/** Scenarios no run here selects: long (cycles 2-3 take 20 s) or judging a rule neither client has (auto-disable). */
const ALWAYS_LEFT_OUT = ['disable.*', 'retry.cycle-2', 'retry.cycle-3']

function pattern(s: RealSender, own: boolean): string {
  return [...ALWAYS_LEFT_OUT, ...Object.keys(s.leftOut), ...(own ? Object.keys(s.leftOutOwn ?? {}) : [])].map((id) => `!${id}`).join(',')
}

function describeResults(results: readonly ScenarioResult[]): string {
  return results.map((r) => `${r.id}: ${r.status}${r.status === 'passed' || r.status === 'skipped' ? '' : `\n${r.message ?? ''}`}`).join('\n')
}

async function run(s: RealSender, profileName: string): Promise<ConformanceReport> {
  return runJudged({
    sender: { kind: 'command', command: `node "${root}test/fixtures/senders/${s.adapter}.mjs"` },
    profile: profileName === 'wallarm' ? wallarmProfile : loadProfile(`${root}profiles/${profileName}.json`),
    scenarios: pattern(s, profileName !== 'wallarm'),
    certDir,
  })
}

/**
 * Under its own profile nothing fails or errors. A scenario may be inconclusive when the runner's
 * own lag on this shared machine hid the verdict (it says so); every other one passes or does not apply.
 */
export async function expectPassesOwnProfile(s: RealSender): Promise<void> {
  const report = await run(s, s.profile)
  const bad = report.results.filter((r) => r.status === 'failed' || r.status === 'error')
  expect(bad.map((r) => r.id), describeResults(report.results)).toEqual([])
  expect(report.results.filter((r) => r.status === 'passed').length).toBeGreaterThanOrEqual(15)
}

/** Under wallarm exactly `failsUnderWallarm` fail and `blockedUnderWallarm` are blocked; nothing errors. */
export async function expectWallarmFailsOnlyPinned(s: RealSender): Promise<void> {
  const report = await run(s, 'wallarm')
  const failed = report.results.filter((r) => r.status === 'failed' || r.status === 'error').map((r) => r.id)
  const blocked = report.results.filter((r) => r.status === 'blocked').map((r) => r.id)
  expect({ failed: failed.sort(), blocked: blocked.sort() }, describeResults(report.results)).toEqual({ failed: [...s.failsUnderWallarm].sort(), blocked: [...s.blockedUnderWallarm].sort() })
}
