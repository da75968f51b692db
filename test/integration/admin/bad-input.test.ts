/**
 * Issue 14 item 6: the admin API says what is wrong with a request. A fault plan sent without a
 * JSON content type gets 415 naming the content type; every bad query parameter (a value that makes
 * no sense, an unknown name, a name given twice) gets 400 problem+json naming the parameter.
 */
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { mountWebPage } from '../../../src/web/mount.js'
import { startTestReceiver } from '../../helpers/receiver.js'

async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  const res = await request(url, { method: (init.method ?? 'GET') as 'GET', headers: init.headers ?? {}, body: init.body })
  const text = await res.body.text()
  return { status: res.statusCode, type: String(res.headers['content-type']), body: JSON.parse(text || 'null') as Record<string, unknown> }
}

describe('admin API: bad input is named', () => {
  it('PUT /api/faults without a JSON content type: 415 naming the content type, the plan unchanged', async () => {
    const r = await startTestReceiver({ adminPort: 0 })
    const plan = '{"rules":[{"then":{"status":503}}]}'
    for (const [headers, shown] of [
      [{ 'content-type': 'text/plain' }, '"text/plain"'],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, '"application/x-www-form-urlencoded"'],
      [{}, 'missing'],
    ] as const) {
      const res = await call(`${r.adminUrl}/api/faults`, { method: 'PUT', headers, body: plan })
      expect(res.status).toBe(415)
      expect(res.type).toMatch(/^application\/problem\+json/)
      expect(res.body.title).toBe('Unsupported content type')
      expect(res.body.detail).toContain('Content-Type: application/json')
      expect(res.body.detail).toContain(shown)
    }
    const empty = await call(`${r.adminUrl}/api/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' } })
    expect(empty.status).toBe(400)
    expect(empty.body.detail).toMatch(/rules/)
    expect(JSON.stringify(r.faults!.describe())).not.toContain('503')
    // application/merge-patch+json style types are JSON too.
    expect((await call(`${r.adminUrl}/api/faults`, { method: 'PUT', headers: { 'content-type': 'application/vnd.plan+json' }, body: plan })).status).toBe(200)
  })

  it('every bad query parameter gets 400 problem+json naming it', async () => {
    const r = await startTestReceiver({ adminPort: 0, adminMount: (app) => mountWebPage(app) })
    const cases: Array<[string, string, string]> = [
      ['GET', '/api/requests?since=banana', 'since'],
      ['GET', '/api/requests?limit=-3', 'limit'],
      ['GET', '/api/requests?limit=1.5', 'limit'],
      ['GET', '/api/requests?limit=999999999', 'limit'],
      ['GET', '/api/requests?status=abc', 'status'],
      ['GET', '/api/requests?status=999', 'status'],
      ['GET', '/api/requests?outcome=great', 'outcome'],
      ['GET', '/api/requests?kind=dns', 'kind'],
      ['GET', '/api/requests?tag=a&tag=b', 'tag'],
      ['GET', '/api/requests?colour=red', 'colour'],
      ['GET', '/api/faults?x=1', 'x'],
      ['DELETE', '/api/faults?counters=maybe', 'counters'],
      ['DELETE', '/api/requests?all=1', 'all'],
      ['GET', '/api/stream?since=banana', 'since'],
      ['GET', '/api/deliveries?limit=-1', 'limit'],
      ['GET', '/api/deliveries?limit=0', 'limit'],
      ['GET', '/api/deliveries?tag=x', 'tag'],
      ['GET', '/api/requests?view=all', 'view'],
      ['GET', '/api/requests/abc', 'id'],
    ]
    for (const [method, path, parameter] of cases) {
      const res = await call(`${r.adminUrl}${path}`, { method })
      expect(res.status, path).toBe(400)
      expect(res.type, path).toMatch(/^application\/problem\+json/)
      expect(res.body, path).toMatchObject({ title: 'Bad query parameter', parameter })
      expect(String(res.body.detail), path).toContain(parameter)
    }
    for (const path of ['/api/requests?since=0', '/api/requests?since=2026-01-01T00:00:00Z', '/api/requests?limit=0', '/api/requests?status=200&outcome=answered&kind=request&tag=x']) {
      expect((await call(`${r.adminUrl}${path}`)).status, path).toBe(200)
    }
  })
})
