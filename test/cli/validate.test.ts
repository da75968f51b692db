import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { CLI_PATH } from '../helpers/cli.js'

// The built binary as a black box: run `npm run build` first (npm test does).
const root = fileURLToPath(new URL('../../', import.meta.url))
const cli = CLI_PATH
const fixtures = join(root, 'test/fixtures/notifications')

function run(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'validate', ...args], { cwd: root, input: input ?? '', encoding: 'utf8' })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

describe('fake-fluentd validate', () => {
  it('exits 0 and prints one line per notification for valid files (array and NDJSON)', () => {
    const r = run([join(fixtures, 'valid/new_hits-webhook-2026.json'), join(fixtures, 'valid/vuln-webhook.ndjson')])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/new_hits-webhook-2026\.json #0 new_hits valid/)
    expect(r.stdout).toMatch(/new_hits-webhook-2026\.json #1 new_hits valid/)
    expect(r.stdout).toMatch(/vuln-webhook\.ndjson line 1 #0 vuln valid/)
    expect(r.stdout).toMatch(/3 checked: 3 valid, 0 invalid/)
  })

  it('exits 1 and prints each error as pointer: message', () => {
    const r = run([join(fixtures, 'invalid/ip_blocked-missing-ip.json')])
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/ip_blocked invalid/)
    expect(r.stdout).toContain('  /details/ip: missing required property "ip"')
  })

  it('reads standard input with "-", detects NDJSON and reports a bad line with its number', () => {
    const good = JSON.stringify({ summary: 's', details: { client_name: 'c', cloud: 'EU', notification_type: 'create_user' } })
    const r = run(['-'], `${good}\n{not json\n${good}\n`)
    expect(r.status).toBe(1)
    expect(r.stdout).toMatch(/\(stdin\) line 1 #0 create_user valid/)
    expect(r.stdout).toMatch(/\(stdin\) line 2 #1 invalid: line 2 is not JSON/)
    expect(r.stdout).toMatch(/\(stdin\) line 3 #2 create_user valid/)
  })

  it('reports an unknown notification_type by name', () => {
    const r = run(['-'], JSON.stringify({ summary: 's', details: { client_name: 'c', cloud: 'EU', notification_type: 'x' } }))
    expect(r.status).toBe(1)
    expect(r.stdout).toContain('/details/notification_type: unknown notification_type "x"; known: ')
  })

  it('--json prints a machine-readable report', () => {
    const r = run(['--json', join(fixtures, 'invalid/not-an-object.json'), join(fixtures, 'valid/ip_blocked-webhook-2022.json')])
    expect(r.status).toBe(1)
    const report = JSON.parse(r.stdout) as {
      valid: number
      invalid: number
      files: Array<{ file: string; format: string; verdicts: Array<{ valid: boolean; errors: unknown[] }> }>
    }
    expect(report).toMatchObject({ valid: 1, invalid: 1 })
    expect(report.files[0]?.verdicts[0]).toMatchObject({
      valid: false,
      type: null,
      errors: [{ pointer: '', keyword: 'type', message: 'must be an object (a notification), got integer' }],
    })
    expect(report.files[1]).toMatchObject({ format: 'json', verdicts: [{ index: 0, type: 'ip_blocked', valid: true }] })
  })

  it('exits 2 for a missing file and for empty input', () => {
    const missing = run([join(fixtures, 'no-such-file.json')])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/no-such-file\.json: cannot read: ENOENT/)
    const dir = mkdtempSync(join(tmpdir(), 'ff-validate-'))
    writeFileSync(join(dir, 'empty.json'), '\n')
    const empty = run([join(dir, 'empty.json')])
    expect(empty.status).toBe(2)
    expect(empty.stderr).toMatch(/no notifications in the input/)
  })

  it('exits 2 on a bad --format', () => {
    expect(run(['--format', 'xml', '-'], '{}').status).toBe(2)
  })
})
