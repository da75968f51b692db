/**
 * verifyRequests / waitForRequests against a real receiver and a real client: the entries that
 * match come back, and a miss is one error saying what was expected and what arrived.
 */
import { request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { ManualClock, isFakeFluentdError, startReceiver, verifyRequests, waitForRequests } from '../../../src/index.js'

async function receiver() {
  const r = await startReceiver({ port: 0, adminPort: false, tls: false })
  onTestFinished(() => r.close())
  const post = async (tag: string, body: string, headers: Record<string, string> = {}): Promise<void> => {
    const res = await request(`${r.url}/${tag}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
    await res.body.text()
  }
  return { r, post }
}

describe('verifyRequests and waitForRequests', () => {
  it('returns the matching requests by tag, header and body; a wrong count throws FF_ERR_VERIFY listing what arrived', async () => {
    const { r, post } = await receiver()
    await post('wallarm', '[{"summary":"a"}]', { 'X-Env': 'ci' })
    await post('wallarm', '[{"summary":"b"}]')
    await post('other', '[{"summary":"c"}]')
    expect(verifyRequests(r.journal, { tag: 'wallarm' }, 2).map((e) => e.body)).toEqual(['[{"summary":"a"}]', '[{"summary":"b"}]'])
    expect(verifyRequests(r.journal, { headers: { 'x-env': 'ci' }, status: 200 }, 1)).toHaveLength(1)
    expect(verifyRequests(r.journal, { bodyIncludes: '"c"', method: 'post' })[0]!.tag).toBe('other')
    let error: unknown
    try {
      verifyRequests(r.journal, { tag: 'wallarm', bodyIncludes: 'zzz' }, { atLeast: 1 })
    } catch (err) {
      error = err
    }
    expect(isFakeFluentdError(error, 'FF_ERR_VERIFY')).toBe(true)
    expect((error as Error).message).toBe(
      'expected at least 1 request(s) matching tag wallarm, body containing "zzz", found 0; 3 request(s) arrived: #1 POST wallarm -> 200; #2 POST wallarm -> 200; #3 POST other -> 200',
    )
  })

  it('waits for requests that arrive later, and times out on the injected clock with what it saw', async () => {
    const { r, post } = await receiver()
    const waiting = waitForRequests(r.journal, { tag: 'late' }, { count: 2 })
    await post('late', '[{"a":1}]')
    await post('late', '[{"a":2}]')
    expect(await waiting).toHaveLength(2)

    const clock = new ManualClock()
    const never = expect(waitForRequests(r.journal, { tag: 'never' }, { timeoutMs: 1000, clock })).rejects.toThrow(
      'waited 1000 ms for 1 request(s) matching tag never, found 0; 2 request(s) arrived',
    )
    await clock.advance(1000)
    await never
  })
})
