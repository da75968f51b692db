/**
 * `serve --bind`: the banner prints URLs a client can use and the generated certificate carries the
 * names it needs. Tests bind only 127.0.0.1 (the logic for other binds: test/unit/cli/addresses.test.ts).
 */
import { X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnServe } from '../helpers/cli.js'

describe('serve --bind 127.0.0.1', () => {
  it('prints the loopback URL, no "reachable from other machines" line, and a certificate with the loopback names and --host', async () => {
    const certDir = mkdtempSync(join(tmpdir(), 'ff-bind-'))
    const s = await spawnServe(['--port', '0', '--admin-port', '0', '--bind', '127.0.0.1', '--cert-dir', certDir, '--host', 'fluentd.example'])
    try {
      expect(s.ingestUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
      expect(s.stderr()).toContain(`listening on ${s.ingestUrl}  (POST ${s.ingestUrl}/<tag>)`)
      expect(s.stderr()).not.toContain('reachable from other machines')
      const cert = new X509Certificate(readFileSync(join(certDir, 'server.pem')))
      expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:fluentd.example')
    } finally {
      await s.stop()
    }
  })
})
