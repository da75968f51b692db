/**
 * `fake-fluentd conformance --protocol forward` as a black box (built binary, child processes): the
 * README's fluent-logger line with the reports of the HTTP runner, a client that keeps
 * out_forward's rules passing every scenario, a client with one rule broken failing exactly the
 * scenario that pins it, and the usage errors (exit 2, one line naming the flag).
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CLI_PATH } from '../../helpers/cli.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const client = 'node test/fixtures/forward/forward-client.mjs'
const clientProfile = 'test/fixtures/forward/forward-client.profile.json'

function run(args: string[], timeout = 120_000): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_PATH, 'conformance', ...args], { cwd: root, encoding: 'utf8', timeout })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

interface Report {
  totals: Record<string, number>
  results: Array<{ id: string; status: string; message?: string; checks: Array<{ evidence: number[] }>; journal: unknown[] }>
}

const statuses = (file: string): Array<[string, string]> => (JSON.parse(readFileSync(file, 'utf8')) as Report).results.map((r) => [r.id, r.status])

describe('conformance --protocol forward (CLI)', () => {
  it("the README's fluent-logger line passes what fluent-logger promises, with the HTTP runner's JUnit, JSON and HTML reports", () => {
    const line = /^fake-fluentd (conformance --protocol forward --sender-cmd .*fluent-logger-sender\.mjs.*)$/m.exec(readFileSync(join(root, 'README.md'), 'utf8'))
    expect(line).not.toBeNull()
    const dir = mkdtempSync(join(tmpdir(), 'ff-fwd-conf-'))
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI_PATH}" ${line![1]!} --junit ${dir}/j.xml --json ${dir}/r.json --html ${dir}/r.html`], { cwd: root, encoding: 'utf8', timeout: 120_000 })
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^4 passed, 0 failed, 0 blocked, 0 inconclusive, 0 error\(s\), 2 skipped of 6 in [\d.]+ s \(sender command: node docs\/examples\/forward\/fluent-logger-sender\.mjs, profile fluent-logger\)$/m)
    expect(r.stderr).toMatch(/^SKIP forward\.at-least-once-with-ack \(0\.0 s\) the profile does not promise to resend an unacked chunk$/m)
    expect(statuses(`${dir}/r.json`)).toEqual([
      ['forward.delivers-with-ack', 'passed'],
      ['forward.at-least-once-with-ack', 'skipped'],
      ['forward.no-duplicate-after-ack', 'passed'],
      ['forward.reconnect-after-reset', 'passed'],
      ['forward.handshake-refused', 'passed'],
      ['forward.heartbeat-failover', 'skipped'],
    ])
    const report = JSON.parse(readFileSync(`${dir}/r.json`, 'utf8')) as Report
    expect(report.results[0]!.checks[0]!.evidence.length).toBeGreaterThan(0)
    expect(report.results[0]!.journal.length).toBeGreaterThan(0)
    const junit = readFileSync(`${dir}/j.xml`, 'utf8')
    expect(junit).toMatch(/<testcase classname="conformance\.forward" name="forward\.delivers-with-ack: [^"]+"/)
    expect(junit).toMatch(/<testcase classname="conformance\.forward" name="forward\.heartbeat-failover: [^"]+"[^>]*>\s*<skipped message="the profile does not say the client uses heartbeats"/)
    expect(readFileSync(`${dir}/r.html`, 'utf8')).toContain('forward.reconnect-after-reset')
  }, 150_000)

  it("a client that keeps out_forward's rules passes all six, heartbeat failover included", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-fwd-conf-'))
    const r = run(['--protocol', 'forward', '--sender-cmd', client, '--profile', clientProfile, '--json', `${dir}/r.json`])
    expect(r.status, r.stdout + r.stderr).toBe(0)
    expect(statuses(`${dir}/r.json`).map(([, s]) => s)).toEqual(Array(6).fill('passed'))
  }, 150_000)

  for (const [bug, scenario, why] of [
    ['new-chunk', 'forward.at-least-once-with-ack', /not resent with its chunk id/],
    ['no-resend', 'forward.at-least-once-with-ack', /not resent with its chunk id \(1 messages/],
    ['duplicate', 'forward.no-duplicate-after-ack', /acked chunks sent again/],
    ['no-heartbeat', 'forward.heartbeat-failover', /did not reach the standby server; \d+ messages went to the server whose heartbeats were dropped/],
  ] as const) {
    it(`a client with one rule broken (${bug}) fails ${scenario} and only it`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'ff-fwd-conf-'))
      const r = run(['--protocol', 'forward', '--sender-cmd', `${client} --bug ${bug}`, '--profile', clientProfile, '--json', `${dir}/r.json`, '--quiet'])
      expect(r.status, r.stdout + r.stderr).toBe(1)
      const results = statuses(`${dir}/r.json`)
      expect(results.filter(([, s]) => s !== 'passed')).toEqual([[scenario, 'failed']])
      expect(r.stdout).toMatch(new RegExp(`^FAILED ${scenario.replace('.', '\\.')}: `, 'm'))
      expect(r.stdout).toMatch(why)
    }, 150_000)
  }

  it('a client that dies is an error of each scenario it ran, not a failure (exit 1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-fwd-conf-'))
    const r = run(['--protocol', 'forward', '--sender-cmd', 'echo broken >&2; exit 3', '--profile', clientProfile, '--scenarios', 'delivers-with-ack,forward.handshake-refused', '--json', `${dir}/r.json`, '--quiet'])
    expect(r.status).toBe(1)
    expect(statuses(`${dir}/r.json`)).toEqual([
      ['forward.delivers-with-ack', 'error'],
      ['forward.handshake-refused', 'error'],
    ])
    expect(r.stdout).toMatch(/the client exited \(status 3\) before its input was complete; stderr: broken/)
  }, 60_000)

  it('--list names the forward scenarios and the promise each pins', () => {
    const r = run(['--protocol', 'forward', '--list'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^forward\.at-least-once-with-ack +a chunk whose ack is withheld .* \[pins: resendsUnacked\]$/m)
    expect(r.stdout).toContain('6 forward scenario(s)')
    const one = run(['--protocol', 'forward', '--list', '--scenarios', 'forward.heartbeat-failover'])
    expect(one.stdout).toMatch(/^forward\.heartbeat-failover .*\n\n1 forward scenario\(s\)/m)
  })

  it.each([
    [['--protocol', 'udp'], /--protocol.*takes "http".*or "forward"/],
    [['--protocol', 'forward', '--profile', 'fluent-logger'], /--protocol forward needs the client under test as --sender-cmd/],
    [['--protocol', 'forward', '--sender', 'builtin', '--profile', 'fluent-logger'], /--sender does not apply to --protocol forward/],
    [['--protocol', 'forward', '--sender-cmd', client, '--profile', 'fluent-logger', '--time-scale', '0.5'], /--time-scale does not apply to --protocol forward/],
    [['--protocol', 'forward', '--sender-cmd', client], /--protocol forward needs --profile/],
    [['--protocol', 'forward', '--sender-cmd', client, '--profile', 'profiles/wallarm.json'], /--profile: Invalid forward client profile "profiles\/wallarm\.json":[\s\S]*unknown key "schedule"[\s\S]*an HTTP retry profile\?/],
    [['--protocol', 'forward', '--sender-cmd', client, '--profile', 'nope'], /--profile: Cannot read forward client profile "nope": ENOENT; use a file in profiles\/forward\//],
    [['--protocol', 'forward', '--sender-cmd', client, '--profile', 'fluent-logger', '--scenarios', 'delivers,forward.nope'], /--scenarios: no forward scenario "delivers", "nope"; the forward scenarios are forward\.delivers-with-ack, /],
    [['--protocol', 'forward', '--sender-cmd', 'node no-such-client.mjs', '--profile', 'fluent-logger'], /no-such-client\.mjs/],
  ])('usage error %j: exit 2, one line naming the flag', (args, message) => {
    const r = run(args, 30_000)
    expect(r.status, r.stderr).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
