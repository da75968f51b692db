/**
 * `fake-fluentd serve` as a black box (run `npm run build` first; `npm test` does).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Agent, request } from 'undici'
import { runCli, spawnServe } from '../helpers/cli.js'

const hasCurl = spawnSync('curl', ['--version']).status === 0
const tmp = () => mkdtempSync(join(tmpdir(), 'ff-serve-'))

describe('fake-fluentd serve', () => {
  it('prints the URLs and CA, answers with the printed CA, prints Fluentd lines, journals to a file', async () => {
    const dir = tmp()
    const s = await spawnServe(['--port', '0', '--admin-port', 'any', '--cert-dir', join(dir, 'certs'), '--journal', join(dir, 'j.ndjson')])
    expect(s.ingestUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    expect(s.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(s.caPath).toBe(join(dir, 'certs', 'ca.pem'))
    const agent = new Agent({ connect: { ca: readFileSync(s.caPath!, 'utf8') } })
    const res = await request(`${s.ingestUrl}/wallarm`, { method: 'POST', body: '[{"a":1}]', headers: { 'content-type': 'application/json' }, dispatcher: agent })
    await res.body.dump()
    expect(res.statusCode).toBe(200)
    if (hasCurl) {
      const out = execFileSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', s.caPath!, '-d', 'json={"c":1}', `${s.ingestUrl.replace('127.0.0.1', 'localhost')}/curl`])
      expect(out.toString()).toBe('200')
    }
    const health = await request(`${s.adminUrl}/api/health`)
    expect(await health.body.json()).toMatchObject({ status: 'ok' })
    await agent.close()
    const t0 = Date.now()
    while (!s.stdout().includes('curl: ') && hasCurl && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20))
    expect(s.stdout()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d{4} wallarm: \{"a":1\}$/m)
    const stop = await s.stop('SIGINT')
    expect(stop.code).toBe(0)
    expect(readFileSync(join(dir, 'j.ndjson'), 'utf8')).toContain('"tag":"wallarm"')
  })

  it('reuses cached certificates on the next start', async () => {
    const dir = tmp()
    const a = await spawnServe(['--port', '0', '--admin-port', '0', '--cert-dir', dir, '--output', 'none'])
    const ca1 = readFileSync(a.caPath!, 'utf8')
    await a.stop()
    const b = await spawnServe(['--port', '0', '--admin-port', 'off', '--cert-dir', dir, '--output', 'none'])
    expect(readFileSync(b.caPath!, 'utf8')).toBe(ca1)
    expect(b.adminUrl).toBeUndefined()
    await b.stop()
  })

  it('SIGTERM exits within a second with a hung request and a silent (mid-handshake) connection', async () => {
    const s = await spawnServe(['--port', '0', '--admin-port', 'any', '--cert-dir', tmp(), '--fault', 'hang', '--output', 'none'])
    const agent = new Agent({ connect: { ca: readFileSync(s.caPath!, 'utf8') } })
    const hung = request(`${s.ingestUrl}/w`, { method: 'POST', body: '{}', dispatcher: agent }).catch((e: unknown) => e)
    const u = new URL(s.ingestUrl)
    const silent = connect(Number(u.port), '127.0.0.1')
    silent.on('error', () => {})
    await new Promise((r) => setTimeout(r, 300))
    const stop = await s.stop('SIGTERM')
    expect(stop.ms).toBeLessThan(1000)
    expect(stop.code).toBe(0)
    expect(await hung).toBeInstanceOf(Error)
    silent.destroy()
    await agent.close()
  })

  it('--validate strict answers 400 to an invalid notification; --no-tls serves plain HTTP', async () => {
    const s = await spawnServe(['--port', '0', '--admin-port', '0', '--no-tls', '--validate', 'strict', '--output', 'none'])
    expect(s.ingestUrl).toMatch(/^http:/)
    expect(s.caPath).toBeUndefined()
    const res = await request(`${s.ingestUrl}/wallarm`, { method: 'POST', body: '[{"summary":1}]', headers: { 'content-type': 'application/json' } })
    const body = await res.body.text()
    expect(res.statusCode).toBe(400)
    expect(body.startsWith('400 Bad Request\nnotification 0')).toBe(true)
    await s.stop()
  })

  it('bad flags exit 2 with a message', async () => {
    for (const args of [
      ['serve', '--port', 'abc'],
      ['serve', '--output', 'loud'],
      ['serve', '--cert', 'x.pem'],
      ['serve', '--body-limit', '12q'],
      ['serve', '--require-header', 'novalue'],
      ['serve', '--fault', 'dealy=5s', '--port', '0', '--admin-port', '0', '--no-tls'],
    ]) {
      const r = await runCli(args, { cwd: tmp() })
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.length).toBeGreaterThan(0)
    }
  })

  it('a busy port is a clear error, exit 2', async () => {
    const s = await spawnServe(['--port', '0', '--admin-port', '0', '--no-tls', '--output', 'none'])
    const port = new URL(s.ingestUrl).port
    const r = await runCli(['serve', '--port', port, '--admin-port', '0', '--no-tls'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/Cannot listen/)
    await s.stop()
  })
})

describe('fake-fluentd certs', () => {
  it('creates, then shows the same certificates with SANs and fingerprint', async () => {
    const dir = tmp()
    const a = await runCli(['certs', '--cert-dir', dir, '--host', 'fluentd.test', '--json'])
    expect(a.code).toBe(0)
    const first = JSON.parse(a.stdout) as { created: boolean; server: { sans: string[]; fingerprint256: string } }
    expect(first.created).toBe(true)
    expect(first.server.sans).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1', 'fluentd.test']))
    const b = await runCli(['certs', '--cert-dir', dir, '--host', 'fluentd.test'])
    expect(b.stdout).toContain('reusing cached certificates')
    expect(b.stdout).toContain(first.server.fingerprint256)
    const c = await runCli(['certs', '--cert-dir', dir, '--host', 'other.test', '--json'])
    expect((JSON.parse(c.stdout) as { created: boolean }).created).toBe(true)
  })
})
