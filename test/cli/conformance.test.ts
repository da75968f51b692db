/** `fake-fluentd conformance` as a black box (built binary): exit codes 0/1/2, --list, --junit/--json. */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { CLI_PATH } from '../helpers/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const cli = CLI_PATH
const fixture = join(root, 'test/fixtures/senders/configurable-sender.mjs')
const certDir = join(root, '.tmp/certs')

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'conformance', '--cert-dir', certDir, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe.skipIf(!existsSync(cli))('fake-fluentd conformance (CLI)', () => {
  test('--list prints every scenario with its time scale', () => {
    const r = run(['--list'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/retry\.cycle-3 +x0\.005 +[0-9.]+ s/)
    expect(r.stdout).toContain('29 scenario(s)')
  })

  test('usage errors exit 2: no sender, two senders, unknown scenario', () => {
    expect(run(['--scenarios', 'delivery.single']).status).toBe(2)
    expect(run(['--sender', 'builtin', '--sender-url', 'http://127.0.0.1:1/']).status).toBe(2)
    const r = run(['--sender', 'builtin', '--scenarios', 'nope.*'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('no scenario matches "nope.*"')
  })

  test('passing sender exits 0; failing exits 1 and writes JUnit and JSON with the comparison', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-conf-'))
    expect(run(['--sender-cmd', `node "${fixture}"`, '--scenarios', 'delivery.single,format.headers', '--quiet']).status).toBe(0)
    const junit = join(dir, 'j.xml')
    const json = join(dir, 'r.json')
    const r = run(['--sender-cmd', `node "${fixture}" --flaw=drops-headers`, '--scenarios', 'delivery.single,format.headers', '--junit', junit, '--json', json])
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('FAILED format.headers')
    expect(r.stderr).toMatch(/FAIL format\.headers/)
    const xml = readFileSync(junit, 'utf8')
    expect(xml).toMatch(/<testcase classname="conformance.format" name="format.headers: [^"]*"[^>]*>\s*<failure/)
    expect(xml).toContain('X-Auth-Token: (absent)')
    const report = JSON.parse(readFileSync(json, 'utf8')) as { totals: { passed: number; failed: number } }
    expect(report.totals).toMatchObject({ passed: 1, failed: 1 })
  }, 60_000)
})
