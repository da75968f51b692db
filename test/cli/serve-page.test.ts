/** `fake-fluentd serve` serves the web page on its admin port, with the page's CSP. @see issue 7 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnServe } from '../helpers/cli.js'

describe('serve: web page on the admin port', () => {
  it('GET / is the page, with its assets and the wallarm schedule at scale 1', async () => {
    const serve = await spawnServe(['--no-tls', '--port', '0', '--admin-port', 'any'])
    expect(serve.stderr()).toContain(`web page on ${serve.adminUrl}/`)
    const page = await fetch(`${serve.adminUrl}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(await page.text()).toContain('<title>fake-fluentd</title>')
    const js = await fetch(`${serve.adminUrl}/web/app.js`)
    expect(js.status).toBe(200)
    await js.arrayBuffer()
    const profile = (await (await fetch(`${serve.adminUrl}/api/profile`)).json()) as { profile: { name: string; timeScale: number; maxAttempts: number } }
    expect(profile.profile).toMatchObject({ name: 'wallarm', timeScale: 1, maxAttempts: 17 })
    // Plain HTTP: no CA for the page's hints to name.
    expect(profile).not.toHaveProperty('caPath')
    const stopped = await serve.stop()
    expect(stopped.code).toBe(0)
  })

  it("names serve's CA file in the page's TLS hints (GET /api/profile), as serve printed it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-serve-page-'))
    const serve = await spawnServe(['--port', '0', '--admin-port', 'any', '--cert-dir', join(dir, 'certs')])
    expect(serve.caPath).toBe(join(dir, 'certs', 'ca.pem'))
    const profile = (await (await fetch(`${serve.adminUrl}/api/profile`)).json()) as { caPath?: string | null }
    expect(profile.caPath).toBe(serve.caPath)
    expect((await serve.stop()).code).toBe(0)
  })
})
