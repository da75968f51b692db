/**
 * serve says on stderr, once per kind, what a new user got wrong: plain HTTP to the HTTPS port, a
 * client that does not trust the CA, a JSON body that does not parse, a Content-Type in_http does
 * not read. The answers stay Fluentd's.
 */
import { spawnSync } from 'node:child_process'
import { request as httpRequest } from 'node:http'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { Agent, request } from 'undici'
import { describe, expect, it } from 'vitest'
import { spawnServe } from '../helpers/cli.js'

function plainHttp(url: string): Promise<void> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const req = httpRequest({ host: hostname, port: Number(port), method: 'POST', path: '/wallarm' }, (res) => {
      res.resume()
      res.on('end', resolve)
    })
    req.on('error', () => resolve())
    req.end('[{}]')
  })
}

function untrusting(url: string): Promise<void> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), servername: 'localhost' })
    socket.once('error', () => resolve())
    socket.once('secureConnect', () => {
      socket.destroy()
      resolve()
    })
  })
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 25))
}

describe('serve hints', () => {
  it('says once per kind: HTTP to the HTTPS port, an untrusted CA, JSON that does not parse, a wrong Content-Type', async () => {
    const s = await spawnServe(['--port', '0', '--admin-port', 'off', '--cert-dir', join(mkdtempSync(join(tmpdir(), 'ff-hints-')), 'certs'), '--output', 'none'])
    const dispatcher = new Agent({ connect: { ca: readFileSync(s.caPath!, 'utf8') } })
    await plainHttp(s.ingestUrl)
    await plainHttp(s.ingestUrl)
    await untrusting(s.ingestUrl)
    // curl sends the TLS alert node's client does not: said as the same kind, so once.
    spawnSync('curl', ['-s', '-m', '5', '-d', '[{}]', `${s.ingestUrl}/wallarm`])
    const bad = await request(`${s.ingestUrl}/wallarm`, { method: 'POST', body: '{bad', headers: { 'content-type': 'application/json' }, dispatcher })
    expect(bad.statusCode).toBe(200)
    await bad.body.text()
    const plain = await request(`${s.ingestUrl}/wallarm`, { method: 'POST', body: '[{"a":1}]', headers: { 'content-type': 'text/plain' }, dispatcher })
    expect(plain.statusCode).toBe(400)
    await plain.body.text()
    await until(() => (s.stderr().match(/hint:/g) ?? []).length >= 4)
    const err = s.stderr()
    expect(err.match(/hint: a client sent plain HTTP to the HTTPS port: use https:\/\/127\.0\.0\.1:\d+\/<tag>/g)).toHaveLength(1)
    expect(err).toContain(`hint: a client closed right after the TLS handshake, without a request (it likely rejected the server certificate): give it the CA file ${s.caPath}`)
    expect(err.match(/rejected the server certificate/g)).toHaveLength(1)
    expect(err).toContain('hint: a application/json body did not parse as JSON and was dropped with 200, as Fluentd does (--strict-parse answers 400)')
    expect(err).toContain('hint: a request with Content-Type text/plain was refused with 400')
    await dispatcher.close()
    await s.stop()
  })
})
