/** Runtime control of the fault plan through the admin API: GET | PUT | DELETE /api/faults. */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { startReceiver } from '../../../src/server/index.js'
import { viaUndici } from './clients.js'

const certDir = mkdtempSync(join(tmpdir(), 'ff-faults-admin-'))

async function start() {
  // No engine given: the receiver creates one from the faults part, with an empty plan.
  const receiver = await startReceiver({ port: 0, certDir, adminPort: 0, seed: 5 })
  onTestFinished(() => receiver.close())
  const dispatcher = new Agent({ connect: { ca: receiver.ca } })
  onTestFinished(() => dispatcher.destroy())
  const url = `${receiver.url}/wallarm.alerts`
  const status = async (): Promise<number> => (await viaUndici(url, receiver.ca, { dispatcher })).status
  const api = async (method: string, body?: unknown, query = ''): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${receiver.adminUrl}/api/faults${query}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: res.status, json: (await res.json()) as Record<string, unknown> }
  }
  return { receiver, status, api }
}

describe('admin API: /api/faults', () => {
  it('a receiver starts with no rules and takes a plan at runtime; it applies to the next request', async () => {
    const { status, api, receiver } = await start()
    expect((await api('GET')).json).toMatchObject({ seed: 5, rules: [], text: 'no fault rules: every request is answered like Fluentd' })
    expect(await status()).toBe(200)
    const put = await api('PUT', { rules: [{ id: 'r1', steps: [{ status: 500, times: 2 }], then: { status: 201 } }] })
    expect(put.status).toBe(200)
    expect(put.json.text).toBe('rule 0 "r1" (every request (and every new connection)):\n  step 1: respond 500 (2 more times)\n  then, for every further request: respond 201')
    expect([await status(), await status(), await status()]).toEqual([500, 500, 201])
    const get = await api('GET')
    expect((get.json.rules as Array<{ remaining: string[]; next: unknown }>)[0]).toMatchObject({ next: 'then', remaining: ['then, for every further request: respond 201'] })
    const faulted = receiver.journal.entries().filter((e) => e.fault)
    expect(faulted.map((e) => e.fault!.ruleId)).toEqual(['r1', 'r1', 'r1'])
  })

  it('DELETE ?counters=1 restarts the sequences; PUT again restarts them too; DELETE clears', async () => {
    const { status, api } = await start()
    const plan = { rules: [{ steps: [{ status: 503 }] }] }
    await api('PUT', plan)
    expect([await status(), await status()]).toEqual([503, 200])
    expect((await api('DELETE', undefined, '?counters=1')).status).toBe(200)
    expect([await status(), await status()]).toEqual([503, 200])
    await api('PUT', plan)
    expect(await status()).toBe(503)
    await api('PUT', plan)
    const cleared = await api('DELETE')
    expect(cleared.json.rules).toEqual([])
    expect(await status()).toBe(200)
  })

  it('a bad plan is refused with 400 and the path of the problem; the old plan stays', async () => {
    const { status, api } = await start()
    await api('PUT', { rules: [{ then: { status: 502 } }] })
    const bad = await api('PUT', { rules: [{ steps: [{ status: 500, dealyMs: 5 }] }] })
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.json)).toContain("rules[0].steps[0]: unknown key 'dealyMs'; allowed keys: action, status")
    const nonsense = await api('PUT', { rules: [{ steps: [{ action: 'hang', status: 500 }] }] })
    expect(nonsense.status).toBe(400)
    expect(JSON.stringify(nonsense.json)).toContain('rules[0].steps[0]: \\"status\\" goes with \\"respond\\" or \\"slow-body\\", not with \\"hang\\"')
    expect(await status()).toBe(502)
  })
})
