import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createFaultEngine } from '../../src/faults/index.js'
import { CLI_PATH } from '../helpers/cli.js'

// The built binary as a black box: run `npm run build` first (npm test does).
const root = fileURLToPath(new URL('../../', import.meta.url))
const cli = CLI_PATH
const dir = mkdtempSync(join(tmpdir(), 'ff-serve-faults-'))

function serveSync(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'serve', '--port', '0', '--admin-port', '0', '--cert-dir', join(dir, 'certs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 15_000,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Starts `serve` (admin off) and resolves with the ingest URL once it is printed. */
function serve(args: string[]): Promise<string> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--admin-port', '0', '--output', 'none', '--cert-dir', join(dir, 'certs'), ...args], { cwd: root })
  onTestFinished(() => {
    child.kill('SIGTERM')
  })
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`no ingest URL printed: ${out}`)), 15_000)
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8')
      const m = /listening on (https?:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)))
  })
}

describe('fake-fluentd serve: fault flags', () => {
  it('a bad --fault spec exits 2 with the position and the expected form', () => {
    const r = serveSync(['--fault', '500x3', '--fault', 'dealy=5s'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`--fault "dealy=5s": unknown step 'dealy' at position 1; expected one of: <status>[xN], delay=<dur>[:<step>], rate=<p>:<step>`)
  })

  it('a bad --faults file and a bad --seed exit 2', () => {
    const bad = join(dir, 'bad-plan.json')
    writeFileSync(bad, JSON.stringify({ rules: [{ steps: [{ status: 503, dealyMs: 1 }] }] }))
    const r = serveSync(['--faults', bad])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("rules[0].steps[0]: unknown key 'dealyMs'")
    expect(serveSync(['--seed', 'abc']).status).toBe(2)
  })

  it('--faults, --fault and --seed build the start-up plan (file rules first, --seed for the draws)', async () => {
    const file = join(dir, 'plan.json')
    writeFileSync(file, JSON.stringify({ seed: 1, rules: [{ id: 'from-file', match: { method: 'PUT' }, then: { status: 418 } }] }))
    const base = await serve(['--no-tls', '--faults', file, '--fault', 'header=X-R rate=0.5:503', '--fault', '500x3', '--seed', '7'])
    const post = async (headers: Record<string, string> = {}, method = 'POST'): Promise<number> =>
      (await fetch(`${base}/wallarm.alerts`, { method, headers: { 'content-type': 'application/json', ...headers }, body: '[{"a":1}]' })).status
    expect(await post({}, 'PUT')).toBe(418)
    const drawn: number[] = []
    for (let i = 0; i < 8; i++) drawn.push(await post({ 'X-R': '1' }))
    const twin = createFaultEngine({ plan: { seed: 7, rules: [{ match: { header: { 'X-R': { present: true } } }, then: { probability: 0.5, status: 503 } }] } })
    const expected = drawn.map(() => {
      const a = twin.decideRequest({ method: 'POST', path: '/t', tag: 't', headers: { 'x-r': '1' }, remoteAddress: '', connectionId: 1, attempt: 1 }).action
      return a.type === 'respond' ? a.status : 200
    })
    expect(drawn).toEqual(expected)
    expect([await post(), await post(), await post(), await post()]).toEqual([500, 500, 500, 200])
  })
})
