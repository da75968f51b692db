/**
 * The page on a user's own express app (README "Web page and demo"): createAdminApp with
 * mountWebPage, mounted after the user's routes, serves the page, its stream and its deliveries
 * from the receiver's journal; the user's routes keep working.
 */
import type { AddressInfo } from 'node:net'
import express from 'express'
import { request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createAdminApp, mountWebPage, startReceiver } from '../../../src/index.js'

describe('the page on your own express app', () => {
  it('serves the page, /api/stream, /api/requests and /api/deliveries of the receiver, beside your routes', async () => {
    const r = await startReceiver({ port: 0, adminPort: false, tls: false })
    onTestFinished(() => r.close())
    const app = express()
    app.get('/mine', (_req, res) => void res.send('mine'))
    app.use(await createAdminApp({ journal: r.journal, mount: (a) => mountWebPage(a, { timeScale: 1 }) }))
    const server = app.listen(0, '127.0.0.1')
    await new Promise<void>((resolve) => server.once('listening', resolve))
    onTestFinished(() => void server.close())
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

    const posted = await request(`${r.url}/wallarm`, { method: 'POST', body: '[{"a":1}]', headers: { 'content-type': 'application/json' } })
    await posted.body.text()

    const get = async (path: string): Promise<{ status: number; type: string; text: string }> => {
      const res = await request(`${base}${path}`)
      const text = path === '/api/stream' ? '' : await res.body.text()
      if (path === '/api/stream') res.body.destroy()
      return { status: res.statusCode, type: String(res.headers['content-type']), text }
    }
    expect(await get('/mine')).toMatchObject({ status: 200, text: 'mine' })
    expect(await get('/')).toMatchObject({ status: 200, type: expect.stringContaining('text/html') as unknown as string })
    expect(await get('/api/stream')).toMatchObject({ status: 200, type: expect.stringContaining('text/event-stream') as unknown as string })
    const requests = await get('/api/requests')
    expect(JSON.parse(requests.text)).toHaveLength(1)
    const deliveries = await get('/api/deliveries')
    expect(deliveries.status).toBe(200)
    expect((JSON.parse(deliveries.text) as { deliveries: unknown[] }).deliveries).toHaveLength(1)
  })
})
