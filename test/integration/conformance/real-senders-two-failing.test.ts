/**
 * retry.two-failing tells a sender with one retry state per delivery from one whose later deliveries
 * wait behind a failing one (sharedRetryState, as Fluentd's output plugins): the reference sender
 * running one choice passes when judged against it and fails when judged against the other.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { runJudged } from './judged-run.js'
import { loadProfile, parseProfile, type RetryProfile } from '../../../src/profile/index.js'
import { CLI_PATH } from '../../helpers/cli.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const certDir = `${root}.tmp/certs`
const shared = loadProfile(`${root}profiles/fluentd-periodic.json`)
const perDelivery = parseProfile({ ...structuredClone(shared), name: 'fluentd-periodic, one state per delivery', sharedRetryState: false, dropQueuedOnGiveUp: false })
const profileFile = (p: RetryProfile): string => (p === shared ? `${root}profiles/fluentd-periodic.json` : `${root}.tmp/per-delivery-profile.json`)

async function verdict(senderRuns: RetryProfile, judgedBy: RetryProfile): Promise<{ status: string; message: string }> {
  const report = await runJudged({
    sender: { kind: 'command', command: `node "${CLI_PATH}" send --contract --profile "${profileFile(senderRuns)}"` },
    profile: judgedBy,
    scenarios: 'retry.two-failing',
    certDir,
  })
  const r = report.results[0]!
  return { status: r.status, message: r.message ?? '' }
}

// dist/cli/main.js is built by `npm run build`, which `npm test` runs first.
describe.skipIf(!existsSync(CLI_PATH))('retry.two-failing', () => {
  test('passes when the sender keeps the state the profile says, fails when it keeps the other', async () => {
    mkdirSync(`${root}.tmp`, { recursive: true })
    writeFileSync(profileFile(perDelivery), JSON.stringify(perDelivery))
    expect(await verdict(shared, shared)).toMatchObject({ status: 'passed' })
    expect(await verdict(perDelivery, perDelivery)).toMatchObject({ status: 'passed' })
    const waitsWhenItShouldNot = await verdict(shared, perDelivery)
    expect(waitsWhenItShouldNot.status).toBe('failed')
    expect(waitsWhenItShouldNot.message).toMatch(/does not wait for the first/)
    const doesNotWait = await verdict(perDelivery, shared)
    expect(doesNotWait.status).toBe('failed')
    expect(doesNotWait.message).toMatch(/waits behind the first/)
  }, 60_000)
})
