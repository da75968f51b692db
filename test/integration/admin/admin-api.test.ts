/**
 * Admin API: health, requests with filters, delete, SSE stream, fault plan endpoints, problem+json,
 * the mount hook for the web page, and shutdown with hung and stalled connections.
 */
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { agentFor, startTestReceiver, waitFor } from '../../helpers/receiver.js'

async function json(url: string, init: { method?: string; body?: string } = {}) {
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', body: init.body, headers: init.body ? { 'content-type': 'application/json' } : {} })
  const text = await res.body.text()
  return { status: res.statusCode, type: String(res.headers['content-type']), body: text ? (JSON.parse(text) as unknown) : undefined }
}

describe('admin API', () => {
  it('health, requests with filters, delete', async () => {
    const r = await startTestReceiver({ adminPort: 0 })
    expect(r.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const agent = agentFor(r)
    for (const tag of ['a', 'b']) {
      const res = await request(`${r.url}/${tag}`, { method: 'POST', body: '{"x":1}', headers: { 'content-type': 'application/json' }, dispatcher: agent })
      await res.body.dump()
    }
    const health = await json(`${r.adminUrl}/api/health`)
    expect(health.body).toMatchObject({ status: 'ok', journalSize: 2, ingestUrl: r.url })
    const all = await json(`${r.adminUrl}/api/requests`)
    expect((all.body as { tag: string }[]).map((e) => e.tag)).toEqual(['a', 'b'])
    const onlyB = await json(`${r.adminUrl}/api/requests?tag=b&status=200&outcome=answered`)
    expect((onlyB.body as { tag: string }[]).map((e) => e.tag)).toEqual(['b'])
    const since = await json(`${r.adminUrl}/api/requests?since=1`)
    expect((since.body as { id: number }[]).map((e) => e.id)).toEqual([2])
    const bad = await json(`${r.adminUrl}/api/requests?limit=x`)
    expect(bad.status).toBe(400)
    expect(bad.type).toMatch(/application\/problem\+json/)
    expect((await json(`${r.adminUrl}/api/requests`, { method: 'DELETE' })).status).toBe(204)
    expect((await json(`${r.adminUrl}/api/requests`)).body).toEqual([])
    expect((await json(`${r.adminUrl}/nope`)).status).toBe(404)
  })

  it('faults: GET, PUT (400 on a bad plan), DELETE and DELETE ?counters=1', async () => {
    const r = await startTestReceiver({ adminPort: 0 })
    const agent = agentFor(r)
    const put = await json(`${r.adminUrl}/api/faults`, { method: 'PUT', body: JSON.stringify({ rules: [{ steps: [{ status: 503 }] }] }) })
    expect(put.status).toBe(200)
    const res = await request(`${r.url}/w`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, dispatcher: agent })
    await res.body.dump()
    expect(res.statusCode).toBe(503)
    const bad = await json(`${r.adminUrl}/api/faults`, { method: 'PUT', body: JSON.stringify({ rules: [{ steps: [{ action: 'explode' }] }] }) })
    expect(bad.status).toBe(400)
    expect(bad.body).toMatchObject({ title: 'Invalid fault plan', code: 'FF_ERR_FAULT_SPEC' })
    const notJson = await request(`${r.adminUrl}/api/faults`, { method: 'PUT', body: '{nope', headers: { 'content-type': 'application/json' } })
    expect(notJson.statusCode).toBe(400)
    await notJson.body.dump()
    expect((await json(`${r.adminUrl}/api/faults?counters=1`, { method: 'DELETE' })).status).toBe(200)
    expect((await json(`${r.adminUrl}/api/faults`, { method: 'DELETE' })).status).toBe(200)
    const after = await request(`${r.url}/w`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, dispatcher: agent })
    await after.body.dump()
    expect(after.statusCode).toBe(200)
    expect((await json(`${r.adminUrl}/api/faults`)).status).toBe(200)
  })

  it('faults: 501 when the receiver runs with faults: false', async () => {
    const r = await startTestReceiver({ adminPort: 0, faults: false })
    expect((await json(`${r.adminUrl}/api/faults`)).status).toBe(501)
  })

  it('stream: server-sent events of added and completed entries', async () => {
    const r = await startTestReceiver({ adminPort: 0 })
    const ac = new AbortController()
    const res = await request(`${r.adminUrl}/api/stream`, { signal: ac.signal })
    expect(res.headers['content-type']).toMatch(/text\/event-stream/)
    let text = ''
    res.body.setEncoding('utf8')
    res.body.on('data', (d: string) => (text += d))
    res.body.on('error', () => {})
    const post = await request(`${r.url}/sse`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, dispatcher: agentFor(r) })
    await post.body.dump()
    await waitFor(() => text.includes('event: completed'))
    expect(text).toMatch(/event: added\nid: 1\ndata: \{.*"outcome":"pending"/)
    expect(text).toMatch(/event: completed\nid: 1\ndata: \{.*"status":200/)
    ac.abort()
  })

  it('mount hook adds routes (the web page) before the 404 handler', async () => {
    const r = await startTestReceiver({ adminPort: 0, adminMount: (app) => app.get('/', (_req, res) => void res.type('text/plain').send('page')) })
    const res = await request(`${r.adminUrl}/`)
    expect(await res.body.text()).toBe('page')
  })
})

describe('shutdown', () => {
  it('close() within a second with a hung request, a stalled handshake, a half-open socket and an SSE client', async () => {
    let n = 0
    const r = await startTestReceiver({
      adminPort: 0,
      autoClose: false,
      faults: {
        decideConnection: () => (++n === 2 ? { delayMs: 0, action: { type: 'stall-tls' } } : { delayMs: 0, action: { type: 'accept' } }),
        decideRequest: () => ({ delayMs: 0, action: { type: 'hang' } }),
        describe: () => ({}),
        setPlan: () => {},
        clear: () => {},
        resetCounters: () => {},
      },
    })
    const hung = request(`${r.url}/h`, { method: 'POST', body: '{}', dispatcher: agentFor(r, false) }).catch((e: unknown) => e)
    await waitFor(() => r.journal.entries({ kind: 'request' }).length === 1)
    const stalled = connect(r.port, '127.0.0.1')
    stalled.on('error', () => {})
    const halfOpen = connect(r.port, '127.0.0.1')
    halfOpen.on('error', () => {})
    halfOpen.on('connect', () => halfOpen.end())
    const sse = await request(`${r.adminUrl}/api/stream`)
    sse.body.on('error', () => {})
    sse.body.resume()
    await waitFor(() => r.journal.entries({ kind: 'connection' }).length === 1)
    const t0 = Date.now()
    await r.close()
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(await hung).toBeInstanceOf(Error)
    const outcomes = r.journal.entries().map((e) => e.outcome)
    expect(outcomes).toContain('hung')
    expect(outcomes).toContain('stalled')
    stalled.destroy()
    halfOpen.destroy()
  })
})
