/**
 * The real Fluentd v1.18 out_forward (require_ack_response, heartbeat_type udp, a standby server)
 * as the client under `conformance --protocol forward`: it delivers through the fake, sends a chunk
 * whose ack was withheld again with the same chunk id, reconnects after a reset, stops at a refused
 * handshake and fails over when its heartbeats go unanswered. Needs FLUENTD_SRC (an extracted
 * Fluentd source tree and the Ruby gems it needs, docs/forward.md "The real out_forward"); skipped
 * without it (CI has no Fluentd).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CLI_PATH } from '../../helpers/cli.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const fluentdSrc = process.env.FLUENTD_SRC

interface Result {
  id: string
  status: string
  checks: Array<{ observed: string }>
  journal: Array<{ kind: string; attempt?: number; outcome: string; deliveryKey?: string }>
}

describe.skipIf(!fluentdSrc)('the real Fluentd out_forward through the fake (set FLUENTD_SRC to an extracted Fluentd v1.18 source tree to run this; skipped without it)', () => {
  it('passes every forward scenario: delivered and acked, the unacked chunk resent with its chunk id, failover on silent heartbeats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-out-forward-'))
    const r = spawnSync(process.execPath, [CLI_PATH, 'conformance', '--protocol', 'forward', '--sender-cmd', 'node test/fixtures/forward/fluentd-out-forward.mjs', '--profile', 'fluentd-out-forward', '--json', `${dir}/r.json`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 280_000,
      env: { ...process.env, FLUENTD_SRC: fluentdSrc },
    })
    const results = (JSON.parse(readFileSync(`${dir}/r.json`, 'utf8')) as { results: Result[] }).results
    expect(results.map((x) => [x.id, x.status]), r.stdout + r.stderr.slice(-3000)).toEqual([
      ['forward.delivers-with-ack', 'passed'],
      ['forward.at-least-once-with-ack', 'passed'],
      ['forward.no-duplicate-after-ack', 'passed'],
      ['forward.reconnect-after-reset', 'passed'],
      ['forward.handshake-refused', 'passed'],
      ['forward.heartbeat-failover', 'passed'],
    ])
    expect(r.status).toBe(0)
    // The withheld ack: the same delivery (chunk id) again as attempt 2, acked.
    const alo = results[1]!.journal.filter((e) => e.kind === 'request')
    expect(alo.map((e) => [e.attempt, e.outcome])).toEqual([
      [1, 'hung'],
      [2, 'answered'],
    ])
    expect(alo[0]!.deliveryKey).toMatch(/^forward:/)
    expect(alo[1]!.deliveryKey).toBe(alo[0]!.deliveryKey)
    expect(results[5]!.checks[0]!.observed).toMatch(/^records 1, 2, 3 went to the standby server/)
  }, 300_000)
})
