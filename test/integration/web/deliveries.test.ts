/**
 * `GET /api/deliveries` over HTTP: a real receiver with a fault plan, the same notification sent
 * until it is answered 2xx, a port probe next to it (issue 12 item 6: not an attempt).
 */
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import type { DeliveriesView } from '../../../src/deliveries/index.js'
import { mountWebPage } from '../../../src/web/mount.js'
import { startTestReceiver } from '../../helpers/receiver.js'

describe('GET /api/deliveries', () => {
  it('one delivery of three attempts (503, 503, 200) against the schedule; a port probe is no attempt', async () => {
    const r = await startTestReceiver({ adminPort: 0, tls: false, adminMount: (app) => mountWebPage(app, { timeScale: 0.001 }) })
    r.faults!.setPlan({ rules: [{ steps: [{ status: 503, times: 2 }] }] })
    const body = JSON.stringify([{ summary: 'same notification' }])
    const statuses: number[] = []
    for (let i = 0; i < 3; i++) {
      const res = await request(`${r.url}/wallarm.hits`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
      await res.body.dump()
      statuses.push(res.statusCode)
    }
    expect(statuses).toEqual([503, 503, 200])
    // A port probe: connect, send nothing, close.
    const probe = connect(r.port, '127.0.0.1')
    await new Promise<void>((resolve) => probe.once('connect', resolve))
    probe.end()
    await new Promise<void>((resolve) => probe.once('close', () => resolve()))
    await new Promise((resolve) => setTimeout(resolve, 50))

    const res = await request(`${r.adminUrl}/api/deliveries`)
    expect(res.statusCode).toBe(200)
    const view = (await res.body.json()) as DeliveriesView
    expect(view.deliveries).toHaveLength(1)
    const [d] = view.deliveries
    expect(d).toMatchObject({ tag: 'wallarm.hits', state: 'delivered', next: null })
    expect(d!.attempts.map((a) => [a.attempt, a.status, a.state, a.cycle, a.plannedIntervalMs])).toEqual([
      [1, 503, 'fail', 1, null],
      [2, 503, 'fail', 1, 1],
      [3, 200, 'ok', 1, 3],
    ])
    for (const a of d!.attempts.slice(1)) {
      expect(a.actualIntervalMs).toBeGreaterThanOrEqual(0)
      expect(a.deviationMs).toBe(a.actualIntervalMs! - a.plannedIntervalMs!)
    }
    expect(d!.attempts[0]!.fault).toMatch(/503/)
    expect(view.failure).toMatchObject({ attempts: 3, failed: 2, threshold: 0.6, minAttempts: 20, windowMs: 43_200, tripped: false })
    expect(view.failure.ratio).toBeCloseTo(2 / 3)
  })
})
