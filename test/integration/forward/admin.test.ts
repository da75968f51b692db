/**
 * Forward entries in the admin API beside in_http's: the summary the page lists carries the
 * protocol, the mode and the ack, and an acked message counts as a delivered attempt.
 */
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { EventTime } from '../../../src/forward/index.js'
import { pack, rawClient, settled, startFake, waitFor } from './helpers.js'

describe('forward entries in the admin API', () => {
  it('GET /api/requests?view=summary: protocol forward, mode, ack; state ok when acked and fail when withheld', async () => {
    const fake = await startFake({ faults: [{ action: 'withhold-ack', match: { attempt: 1 } }] }, { adminPort: 0 })
    const c = await rawClient(fake.forwardPort)
    const msg = pack(['web', new EventTime(1767225600, 0), { a: 1 }, { chunk: 'same' }])
    c.socket.write(msg)
    await settled(fake, 1, 'request')
    c.socket.write(msg)
    await waitFor(() => c.values().length >= 1)
    expect(c.values()).toEqual([{ ack: 'same' }])
    const http = await request(`http://127.0.0.1:${fake.port}/h`, { method: 'POST', body: '{"b":2}', headers: { 'content-type': 'application/json' } })
    await http.body.dump()
    await settled(fake, 3, 'request')
    const res = await request(`${fake.adminUrl!}/api/requests?view=summary`)
    const rows = (await res.body.json()) as Array<Record<string, unknown>>
    expect(rows.map((r) => [r['tag'], r['protocol'], r['state'], r['attempt'], r['forward']])).toEqual([
      ['web', 'forward', 'fail', 1, { mode: 'message', ack: 'withheld', eventCount: 1 }],
      ['web', 'forward', 'ok', 2, { mode: 'message', ack: 'sent', eventCount: 1 }],
      ['h', undefined, 'ok', 1, undefined],
    ])
  })
})
