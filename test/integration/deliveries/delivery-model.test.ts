/**
 * One delivery model (issue 18 item 1), end to end: a real receiver on 127.0.0.1:0 over HTTPS and
 * real undici requests. A 2xx ends a delivery, the same body after it is attempt 1 of a new one, two
 * identical bodies in flight are two deliveries; the journal, the fault engine's `attempt=` matchers
 * and `/api/deliveries` number attempts alike.
 */
import { Agent, request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createFaultEngine, parseFaultShorthand } from '../../../src/faults/index.js'
import type { Receiver } from '../../../src/receiver/index.js'
import { mountWebPage } from '../../../src/web/mount.js'
import { startTestReceiver } from '../../helpers/receiver.js'

const BODY = '[{"id":1,"type":"ip_blocked"}]'

async function start(plan: unknown): Promise<{ receiver: Receiver; post: (body?: string) => Promise<number> }> {
  const receiver = await startTestReceiver({ faults: createFaultEngine({ plan }), adminPort: 0, adminMount: (app) => mountWebPage(app) })
  const dispatcher = new Agent({ connect: { ca: receiver.ca } })
  onTestFinished(() => dispatcher.destroy())
  const post = async (body = BODY): Promise<number> => {
    const res = await request(`${receiver.url}/wallarm.alerts`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher })
    await res.body.dump()
    return res.statusCode
  }
  return { receiver, post }
}

interface ApiDeliveries {
  deliveries: Array<{ deliveryKey: string; state: string; attempts: Array<{ entryId: number; attempt: number; status: number | null }> }>
}

async function apiDeliveries(receiver: Receiver): Promise<ApiDeliveries> {
  const res = await request(`${receiver.adminUrl!}/api/deliveries`)
  return (await res.body.json()) as ApiDeliveries
}

/** The journal's requests once all have ended. */
async function settled(receiver: Receiver, n: number): Promise<ReturnType<Receiver['journal']['entries']>> {
  for (let i = 0; i < 200; i++) {
    const entries = receiver.journal.entries().filter((e) => e.kind === 'request')
    if (entries.length >= n && entries.every((e) => e.outcome !== 'pending')) return entries
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`fewer than ${n} settled requests`)
}

describe('one delivery model', () => {
  it('500x3,200 and five posts of one body: attempts 1-4 delivered, the fifth is attempt 1 of delivery 2', async () => {
    const { receiver, post } = await start(parseFaultShorthand(['500x3,200']))
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) statuses.push(await post())
    expect(statuses).toEqual([500, 500, 500, 200, 200])
    const entries = await settled(receiver, 5)
    expect(entries.map((e) => e.attempt)).toEqual([1, 2, 3, 4, 1])
    const keys = entries.map((e) => e.deliveryKey)
    expect(new Set(keys.slice(0, 4)).size).toBe(1)
    expect(keys[4]).not.toBe(keys[0])

    const view = await apiDeliveries(receiver)
    expect(view.deliveries.map((d) => [d.state, d.attempts.map((a) => [a.attempt, a.status])])).toEqual([
      ['delivered', [[1, 500], [2, 500], [3, 500], [4, 200]]],
      ['delivered', [[1, 200]]],
    ])
  })

  it("the fault engine's attempt= counts the same way: a body re-sent after its 2xx is attempt 1 again", async () => {
    const { receiver, post } = await start(parseFaultShorthand(['attempt=1 503']))
    expect([await post(), await post(), await post(), await post()]).toEqual([503, 200, 503, 200])
    expect((await settled(receiver, 4)).map((e) => e.attempt)).toEqual([1, 2, 1, 2])
  })

  it('two identical bodies in flight at once are two deliveries; their retries continue each one', async () => {
    // The first two answers wait 300 ms, so that both requests are in flight together.
    const { receiver, post } = await start({ rules: [{ id: 'slow', steps: [{ delayMs: 300, status: 500, times: 2 }], then: { status: 200 } }] })
    expect(await Promise.all([post(), post()])).toEqual([500, 500])
    expect([await post(), await post()]).toEqual([200, 200])
    const entries = await settled(receiver, 4)
    expect(entries.map((e) => e.attempt)).toEqual([1, 1, 2, 2])
    expect(new Set(entries.map((e) => e.deliveryKey)).size).toBe(2)
    const view = await apiDeliveries(receiver)
    expect(view.deliveries.map((d) => [d.state, d.attempts.map((a) => a.attempt)])).toEqual([
      ['delivered', [1, 2]],
      ['delivered', [1, 2]],
    ])
  })
})
