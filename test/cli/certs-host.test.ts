/**
 * A new --host keeps the CA a user already pasted into Wallarm: only the server certificate is
 * issued again, covering the old names and the new one, and serve says so.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { runCli, spawnServe } from '../helpers/cli.js'

/** Completes a TLS handshake to `url` as `servername`, trusting only `ca`; resolves with the error code or 'ok'. */
function handshake(url: string, ca: string, servername: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port), ca, servername })
    socket.once('secureConnect', () => {
      socket.destroy()
      resolve('ok')
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

describe('--host keeps the CA', () => {
  it('serve --host NEW reissues only the server certificate, old and new names covered, and says so', async () => {
    const certDir = join(mkdtempSync(join(tmpdir(), 'ff-certs-host-')), 'certs')
    const first = await runCli(['certs', '--cert-dir', certDir, '--host', 'old.example'])
    expect(first.code, first.stderr).toBe(0)
    const ca = readFileSync(join(certDir, 'ca.pem'), 'utf8')

    const s = await spawnServe(['--port', '0', '--admin-port', 'off', '--cert-dir', certDir, '--output', 'none', '--host', 'new.example'])
    expect(s.stderr()).toContain('kept the CA')
    expect(s.stderr()).toContain('issued a new server certificate to add new.example')
    expect(readFileSync(join(certDir, 'ca.pem'), 'utf8')).toBe(ca)
    expect(await handshake(s.ingestUrl, ca, 'new.example')).toBe('ok')
    expect(await handshake(s.ingestUrl, ca, 'old.example')).toBe('ok')
    expect(await handshake(s.ingestUrl, ca, 'other.example')).toBe('ERR_TLS_CERT_ALTNAME_INVALID')
    await s.stop()

    // Nothing new to cover: the cached pair is reused without a word.
    const again = await spawnServe(['--port', '0', '--admin-port', 'off', '--cert-dir', certDir, '--output', 'none', '--host', 'old.example'])
    expect(again.stderr()).not.toContain('kept the CA')
    await again.stop()
  })
})
