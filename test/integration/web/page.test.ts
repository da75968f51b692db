import { once } from 'node:events'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readdirSync } from 'node:fs'
import { WEB_ROOT } from '../../../src/web/assets.js'
import { mountWebPage, type WebPageContext } from '../../../src/web/mount.js'
import type { RetryProfile } from '../../../src/profile/index.js'

const profile: RetryProfile = {
  name: 'tiny',
  schedule: { kind: 'table', cycles: [[1000, 3000], [0, 30_000]] },
  requestTimeoutMs: 15_000,
  connectTimeoutMs: 20_000,
  successStatus: [[200, 299]],
  followRedirects: false,
  intervalFrom: 'attempt-end',
  autoDisable: { windowMs: 43_200_000, failureRatio: 0.6, minAttempts: 20 },
}

/** Every script of the page (web/*.js), as the browser asks for it. */
const SCRIPTS = readdirSync(WEB_ROOT).filter((f) => f.endsWith('.js')).map((f) => `/web/${f}`)

describe('web page mount', () => {
  let server: Server
  let base: string
  const ctx: WebPageContext = { profile, timeScale: 0.5, caption: 'scenario <retry>' }

  beforeAll(async () => {
    const app = express()
    mountWebPage(app, ctx)
    server = app.listen(0, '127.0.0.1')
    await once(server, 'listening')
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(async () => {
    server.closeAllConnections()
    server.close()
    await once(server, 'close')
  })

  it('serves the page with a strict Content-Security-Policy', async () => {
    const res = await fetch(`${base}/`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    expect(csp).not.toContain('unsafe-eval')
    expect(csp).toContain("object-src 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const html = await res.text()
    expect(html).toContain('<script type="module" src="/web/app.js"></script>')
    // No inline script and no inline event handler in the page itself.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(html).not.toMatch(/\son[a-z]+=/i)
  })

  it('serves each asset with its type and the same headers', async () => {
    expect(SCRIPTS.length).toBeGreaterThanOrEqual(7)
    for (const [path, type] of [
      ...SCRIPTS.map((path) => [path, /^text\/javascript/] as const),
      ['/web/style.css', /^text\/css/],
      ['/web/favicon.svg', /^image\/svg\+xml/],
    ] as const) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type'), path).toMatch(type)
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'self'")
      await res.arrayBuffer()
    }
  })

  it('never uses an HTML sink in the page scripts', async () => {
    for (const path of SCRIPTS) {
      const js = await (await fetch(`${base}${path}`)).text()
      expect(js, path).not.toMatch(/\.innerHTML\s*=|\.outerHTML\s*=|insertAdjacentHTML\(|document\.write\(|\beval\(|new Function\(|setHTMLUnsafe|createContextualFragment/)
    }
  })

  it('keeps no delivery rule in the page scripts: success, schedule and ratio come from /api/deliveries', async () => {
    for (const path of SCRIPTS) {
      const js = await (await fetch(`${base}${path}`)).text()
      expect(js, path).not.toMatch(/successStatus|\bisSuccess|groupDeliveries|analyseDelivery|cycleOf|flatIntervals|failureRatio\(|status\s*[<>]=?\s*[23]00/)
      expect(js, path).not.toMatch(/\.deliveryKey|\.attempt\s*===\s*1/)
    }
  })

  it('serves only the listed files', async () => {
    for (const path of ['/web/../package.json', '/web/index.html.bak', '/web/%2e%2e/package.json', '/web/']) {
      const res = await fetch(`${base}${path}`)
      expect(res.status, path).toBe(404)
      await res.arrayBuffer()
    }
  })

  it('GET /api/profile gives the expected schedule at the time scale', async () => {
    const res = await fetch(`${base}/api/profile`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { caption: string; profile: Record<string, unknown> }
    expect(body.caption).toBe('scenario <retry>')
    expect(body.profile).toMatchObject({
      name: 'tiny',
      timeScale: 0.5,
      cycles: [[500, 1500], [0, 15_000]],
      maxAttempts: 5,
      requestTimeoutMs: 7500,
      autoDisable: { windowMs: 21_600_000, failureRatio: 0.6, minAttempts: 20 },
    })
    ctx.timeScale = 1
    const again = (await (await fetch(`${base}/api/profile`)).json()) as { profile: { cycles: number[][] } }
    expect(again.profile.cycles).toEqual([[1000, 3000], [0, 30_000]])
  })

  it('GET /api/sender is null without an in-process sender, its state with one', async () => {
    const none = (await (await fetch(`${base}/api/sender`)).json()) as { sender: unknown }
    expect(none).toEqual({ sender: null })
    ctx.sender = () => ({ disabled: true, window: { attempts: 20, failed: 20, failureRatio: 1 } })
    const res = await fetch(`${base}/api/sender`)
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await res.json()).toEqual({ sender: { disabled: true, window: { attempts: 20, failed: 20, failureRatio: 1 } } })
  })
})
