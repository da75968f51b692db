/**
 * Admin API protection (issue 12 item 5): a foreign Host gets 403 naming --admin-allowed-host, a
 * cross-origin PUT/POST/DELETE gets 403, a token (when configured) is required by the API and the
 * SSE stream, and the two curl commands of the issue answer 403 against the real `serve`.
 */
import { execFile } from 'node:child_process'
import { connect } from 'node:net'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { adminTokenFor, allowedHostNames, checkAdminToken, hostName, isLoopbackAddress } from '../../../src/admin/security.js'
import { mountWebPage } from '../../../src/web/mount.js'
import { spawnServe } from '../../helpers/cli.js'
import { startTestReceiver } from '../../helpers/receiver.js'

const run = promisify(execFile)

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers ?? {}, body: init.body })
  const text = await res.body.text()
  let body: unknown = text
  try {
    body = JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.statusCode, type: String(res.headers['content-type']), headers: res.headers, body }
}

const PLAN = JSON.stringify({ rules: [{ then: { status: 503 } }] })

describe('admin API: Host check', () => {
  it('answers the names it was started for and 403 (problem+json naming the flag) to any other Host', async () => {
    const r = await startTestReceiver({ adminPort: 0, hosts: ['fluentd.test'], adminMount: (app) => mountWebPage(app) })
    const port = r.adminPort!
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LocalHost.:${port}`, `fluentd.test:${port}`, 'localhost']) {
      expect((await call(`${r.adminUrl}/api/requests`, { headers: { host } })).status, host).toBe(200)
    }
    for (const path of ['/api/requests', '/api/stream', '/api/faults', '/', '/web/app.js']) {
      const res = await call(`${r.adminUrl}${path}`, { headers: { host: `attacker.example:${port}` } })
      expect(res.status, path).toBe(403)
      expect(res.type).toMatch(/^application\/problem\+json/)
      expect(res.body).toMatchObject({ status: 403, title: 'Host not allowed', flag: '--admin-allowed-host' })
      expect((res.body as { detail: string }).detail).toContain('--admin-allowed-host attacker.example')
      expect((res.body as { detail: string }).detail).toContain('--admin-allowed-host any')
    }
    // DNS rebinding cannot change anything either.
    const put = await call(`${r.adminUrl}/api/faults`, { method: 'PUT', headers: { host: `attacker.example:${port}`, 'content-type': 'application/json' }, body: PLAN })
    expect(put.status).toBe(403)
    expect(r.faults!.describe()).toMatchObject({ rules: [] })
  })

  it('a request without any Host (HTTP/1.0, never a browser) is answered', async () => {
    const r = await startTestReceiver({ adminPort: 0 })
    const socket = connect(r.adminPort!, '127.0.0.1')
    let text = ''
    socket.on('data', (d: Buffer) => (text += d.toString()))
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.write('GET /api/health HTTP/1.0\r\n\r\n')
    await closed
    expect(text).toMatch(/^HTTP\/1\.1 200 /)
  })

  it('--admin-allowed-host NAME adds a name; any turns the check off', async () => {
    const named = await startTestReceiver({ adminPort: 0, adminSettings: { security: { allowedHosts: ['dev.example'] } } })
    expect((await call(`${named.adminUrl}/api/health`, { headers: { host: 'dev.example:1' } })).status).toBe(200)
    expect((await call(`${named.adminUrl}/api/health`, { headers: { host: 'other.example' } })).status).toBe(403)
    const any = await startTestReceiver({ adminPort: 0, adminSettings: { security: { allowedHosts: ['any'] } } })
    expect((await call(`${any.adminUrl}/api/health`, { headers: { host: 'other.example' } })).status).toBe(200)
  })
})

describe('admin API: Origin check on PUT, POST and DELETE', () => {
  it('refuses a cross-origin Origin, accepts its own origin and clients that send none', async () => {
    const r = await startTestReceiver({ adminPort: 0 })
    const own = `http://127.0.0.1:${r.adminPort}`
    const json = { 'content-type': 'application/json' }
    for (const origin of [`http://127.0.0.1:${r.adminPort! + 1}`, 'http://attacker.example', 'null', `https://127.0.0.1:${r.adminPort}`]) {
      const put = await call(`${r.adminUrl}/api/faults`, { method: 'PUT', headers: { ...json, origin }, body: PLAN })
      expect(put.status, origin).toBe(403)
      expect(put.body).toMatchObject({ title: 'Cross-origin request refused' })
      expect((await call(`${r.adminUrl}/api/requests`, { method: 'DELETE', headers: { origin } })).status).toBe(403)
      expect((await call(`${r.adminUrl}/api/faults`, { method: 'DELETE', headers: { origin } })).status).toBe(403)
    }
    expect(r.faults!.describe()).toMatchObject({ rules: [] })
    expect((await call(`${r.adminUrl}/api/faults`, { method: 'PUT', headers: { ...json, origin: own }, body: PLAN })).status).toBe(200)
    expect((await call(`${r.adminUrl}/api/faults`, { method: 'DELETE' })).status).toBe(200)
    // A GET with a foreign Origin is answered (the browser hides it from that origin: no CORS headers).
    const get = await call(`${r.adminUrl}/api/requests`, { headers: { origin: 'http://attacker.example' } })
    expect(get.status).toBe(200)
    expect(get.headers['access-control-allow-origin']).toBeUndefined()
  })
})

describe('admin API: token', () => {
  const TOKEN = 'a-test-token-0123456789'

  it('API and SSE answer 401 without the token and work with it; the page itself needs none', async () => {
    const r = await startTestReceiver({ adminPort: 0, adminSettings: { security: { token: TOKEN } }, adminMount: (app) => mountWebPage(app) })
    for (const path of ['/api/requests', '/api/health', '/api/faults', '/api/stream', '/api/profile', '/api/deliveries']) {
      const res = await call(`${r.adminUrl}${path}`)
      expect(res.status, path).toBe(401)
      expect(res.type).toMatch(/^application\/problem\+json/)
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/)
      expect((await call(`${r.adminUrl}${path}`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401)
    }
    expect((await call(`${r.adminUrl}/api/requests`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200)
    expect((await call(`${r.adminUrl}/api/faults`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: PLAN })).status).toBe(200)
    // The token as a query parameter is accepted on the stream only (EventSource cannot set headers).
    expect((await call(`${r.adminUrl}/api/requests?token=${TOKEN}`)).status).toBe(401)
    const ac = new AbortController()
    const stream = await request(`${r.adminUrl}/api/stream?token=${TOKEN}`, { signal: ac.signal })
    expect(stream.statusCode).toBe(200)
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/)
    ac.abort()
    await stream.body.dump().catch(() => undefined)
    expect((await call(`${r.adminUrl}/`)).status).toBe(200)
  })

  it('names from the bind address and --host are taken whole (IPv6 included); Host values lose their port', () => {
    expect([...allowedHostNames('::1', { hosts: ['fe80::1', 'Example.TEST.'], allowedHosts: ['[2001:db8::5]'] })].sort()).toEqual(
      ['127.0.0.1', '2001:db8::5', '::1', 'example.test', 'fe80::1', 'localhost'],
    )
    expect(hostName('[fe80::1]:9881')).toBe('fe80::1')
    expect(hostName('Example.test.:80')).toBe('example.test')
    expect(hostName('localhost')).toBe('localhost')
  })

  it('a token is generated for a non-loopback bind and none is needed on loopback', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackAddress(a), a).toBe(true)
    for (const a of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '::ffff:10.0.0.1']) expect(isLoopbackAddress(a), a).toBe(false)
    expect(adminTokenFor('127.0.0.1')).toBeUndefined()
    expect(adminTokenFor('127.0.0.1', TOKEN)).toBe(TOKEN)
    const generated = adminTokenFor('0.0.0.0')
    expect(generated).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(adminTokenFor('0.0.0.0')).not.toBe(generated)
    expect(checkAdminToken('short')).toMatch(/16 to 256/)
    expect(checkAdminToken('has a space in it 0123')).toMatch(/without spaces/)
    expect(checkAdminToken(TOKEN)).toBeUndefined()
  })
})

describe('serve: the two curl commands of issue 12', () => {
  it('answer 403, and the same requests with the right Host answer 200', async () => {
    const serve = await spawnServe(['--port', '0', '--admin-port', 'any', '--output', 'none'])
    const admin = serve.adminUrl!
    const port = new URL(admin).port
    const curl = async (args: string[]): Promise<{ status: number; body: string }> => {
      const { stdout } = await run('curl', ['-s', '-w', '\n%{http_code}', ...args])
      const i = stdout.lastIndexOf('\n')
      return { status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) }
    }
    const read = await curl(['-H', `Host: attacker.example:${port}`, `${admin}/api/requests`])
    expect(read.status).toBe(403)
    expect(read.body).toContain('--admin-allowed-host')
    const write = await curl([
      '-X', 'PUT', '-H', `Host: attacker.example:${port}`, '-H', `Origin: http://attacker.example:${port}`,
      '-H', 'Content-Type: application/json', '--data', '{"rules":[{"then":{"status":503}}]}', `${admin}/api/faults`,
    ])
    expect(write.status).toBe(403)
    const plan = await curl([`${admin}/api/faults`])
    expect(plan.status).toBe(200)
    expect(JSON.parse(plan.body)).toMatchObject({ rules: [] })
    expect((await curl(['-H', `Host: localhost:${port}`, `${admin}/api/requests`])).status).toBe(200)
  })

  it('--admin-token: 401 without it, 200 with it; a bad token value exits 2 naming the flag', async () => {
    const token = 'serve-token-0123456789'
    const serve = await spawnServe(['--port', '0', '--admin-port', 'any', '--output', 'none', '--admin-token', token, '--admin-allowed-host', 'dev.example'])
    expect(serve.stderr()).toContain(`/#token=${token}`)
    expect((await call(`${serve.adminUrl!}/api/requests`)).status).toBe(401)
    expect((await call(`${serve.adminUrl!}/api/requests`, { headers: { authorization: `Bearer ${token}`, host: 'dev.example' } })).status).toBe(200)
    const { runCli } = await import('../../helpers/cli.js')
    for (const [args, flag] of [
      [['serve', '--admin-token', 'short'], '--admin-token'],
      [['demo', '--admin-token', 'with space 0123456789'], '--admin-token'],
      [['serve', '--admin-stream-buffer', '10'], '--admin-stream-buffer'],
      [['demo', '--admin-stream-buffer', 'lots'], '--admin-stream-buffer'],
      [['serve', '--admin-max-streams', '0'], '--admin-max-streams'],
      [['demo', '--admin-stream-replay', '-1'], '--admin-stream-replay'],
    ] as const) {
      const bad = await runCli([...args])
      expect(bad.code, args.join(' ')).toBe(2)
      expect(bad.stderr, args.join(' ')).toContain(flag)
      expect(bad.stderr).not.toMatch(/\n\s+at /)
    }
  })
})
