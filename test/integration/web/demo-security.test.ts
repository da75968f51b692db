/**
 * The demo's page and stream carry the same protection as serve's admin API (issue 12 item 5):
 * a foreign Host is refused, and with a token the page URL carries it in its fragment while the API
 * and the stream answer 401 without it.
 */
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { createDemo } from '../../../src/demo/demo.js'

describe('demo: admin protection', () => {
  it('refuses a foreign Host on the page, the API and the stream', async () => {
    const demo = createDemo({ scenario: 'recovery', timeScale: 0.01 })
    try {
      await demo.start()
      const url = new URL(demo.pageUrl!)
      expect(url.hash).toBe('')
      for (const path of ['/', '/api/stream', '/api/deliveries', '/api/requests']) {
        const res = await request(`${url.origin}${path}`, { headers: { host: `attacker.example:${url.port}` } })
        expect(res.statusCode, path).toBe(403)
        expect(await res.body.text()).toContain('--admin-allowed-host')
      }
      const ok = await request(`${url.origin}/api/deliveries`)
      expect(ok.statusCode).toBe(200)
      await ok.body.dump()
    } finally {
      await demo.close()
    }
  })

  it('with a token: the page URL carries it, the API and the stream need it', async () => {
    const token = 'demo-token-0123456789abc'
    const demo = createDemo({ scenario: 'recovery', timeScale: 0.01, adminSettings: { security: { token } } })
    try {
      await demo.start()
      const url = new URL(demo.pageUrl!)
      expect(url.hash).toBe(`#token=${token}`)
      for (const path of ['/api/stream', '/api/deliveries', '/api/sender']) {
        const res = await request(`${url.origin}${path}`)
        expect(res.statusCode, path).toBe(401)
        await res.body.dump()
      }
      const ok = await request(`${url.origin}/api/deliveries`, { headers: { authorization: `Bearer ${token}` } })
      expect(ok.statusCode).toBe(200)
      await ok.body.dump()
      const page = await request(`${url.origin}/`)
      expect(page.statusCode).toBe(200)
      await page.body.dump()
    } finally {
      await demo.close()
    }
  })
})
