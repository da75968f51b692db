/**
 * Issue 15 item 4: the SSE stream stays bounded. A subscriber that reads too slowly is dropped with a
 * final `dropped` event while ingest keeps answering; the number of streams is capped; a
 * Last-Event-ID replay sends at most `replayMax` summaries after a `gap` event; the stream carries
 * summaries, and details come from /api/requests/:id.
 */
import { connect, type Socket } from 'node:net'
import { describe, expect, it, vi } from 'vitest'
import { request } from 'undici'
import type { Receiver } from '../../../src/receiver/types.js'
import { startTestReceiver } from '../../helpers/receiver.js'

/** Opens GET /api/stream on a raw socket that never reads. */
async function rawStream(r: Receiver): Promise<Socket> {
  const socket = connect(r.adminPort!, '127.0.0.1')
  await new Promise<void>((resolve) => socket.once('connect', resolve))
  socket.on('error', () => undefined)
  socket.pause()
  socket.write('GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
  return socket
}

async function health(r: Receiver): Promise<{ streams: { open: number; dropped: number } }> {
  const res = await request(`${r.adminUrl}/api/health`)
  return (await res.body.json()) as { streams: { open: number; dropped: number } }
}

/** Adds an entry with a long tag to the receiver's journal and completes it (two changes, ~4 KiB each). */
function churn(r: Receiver, n: number): void {
  for (let i = 0; i < n; i++) {
    const e = r.journal.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1, tag: `t.${'x'.repeat(4000)}` })
    r.journal.complete(e, { status: 200, outcome: 'answered' })
  }
}

describe('SSE stream bounds', () => {
  it('drops a subscriber that reads 1 byte a second with a final event; ingest and the other subscriber carry on', async () => {
    const r = await startTestReceiver({ adminPort: 0, tls: false, adminSettings: { stream: { bufferBytes: 256 * 1024 } } })
    const slow = connect(r.adminPort!, '127.0.0.1')
    await new Promise<void>((resolve) => slow.once('connect', resolve))
    slow.write('GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    slow.on('error', () => undefined)
    let slowText = ''
    const slowClosed = new Promise<void>((resolve) => slow.once('close', () => resolve()))
    // 1 byte a second: paused mode, one read(1) per second.
    slow.pause()
    const trickle = setInterval(() => {
      const b = slow.read(1) as Buffer | null
      if (b) slowText += b.toString('latin1')
    }, 1000)
    // A fast subscriber next to it, reading everything.
    const ac = new AbortController()
    const fast = await request(`${r.adminUrl}/api/stream`, { signal: ac.signal })
    let fastText = ''
    fast.body.on('data', (d: Buffer) => (fastText += d.toString()))
    fast.body.on('error', () => undefined)
    await expect.poll(async () => (await health(r)).streams.open).toBe(2)

    // Loopback socket buffers hold a few MB: produce changes until the slow one is dropped.
    for (let round = 0; round < 1000 && (await health(r)).streams.dropped === 0; round++) {
      // 40 changes of ~4 KiB a turn: the fast subscriber keeps up, the slow one falls behind.
      churn(r, 20)
      await new Promise((resolve) => setTimeout(resolve, 5))
      const res = await fetch(`${r.url}/steady`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' })
      expect(res.status).toBe(200)
    }
    clearInterval(trickle)
    expect((await health(r)).streams).toEqual({ open: 1, dropped: 1 })
    // The slow client now reads what is left: the stream ends with the final event.
    slow.on('data', (d: Buffer) => (slowText += d.toString('latin1')))
    slow.resume()
    await slowClosed
    // The last event on the wire (each write is one HTTP chunk, so the event is in one piece).
    const at = slowText.lastIndexOf('event: ')
    expect(slowText.endsWith('0\r\n\r\n')).toBe(true)
    expect(slowText.slice(at)).toMatch(/^event: dropped\ndata: \{"reason":"more than 262144 bytes were waiting to be read","bufferBytes":262144,"lastEventId":\d+\}/)
    // The fast subscriber got everything, ingest kept answering.
    churn(r, 1)
    const lastId = r.journal.entries().at(-1)!.id
    await expect.poll(() => fastText.includes(`id: ${lastId}\n`)).toBe(true)
    ac.abort()
  })

  it('each change is serialized once, whatever the number of subscribers', async () => {
    const r = await startTestReceiver({ adminPort: 0, tls: false })
    const sockets = await Promise.all(Array.from({ length: 20 }, () => rawStream(r)))
    await expect.poll(async () => (await health(r)).streams.open).toBe(20)
    const stringify = vi.spyOn(JSON, 'stringify')
    try {
      const e = r.journal.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1, tag: 'once' })
      r.journal.complete(e, { status: 200, outcome: 'answered' })
      // One for `added`, one for `completed` (an in-memory journal writes no file line).
      expect(stringify).toHaveBeenCalledTimes(2)
    } finally {
      stringify.mockRestore()
      for (const s of sockets) s.destroy()
    }
  })

  it('at most maxSubscribers streams; one more gets 503 problem+json naming the flag', async () => {
    const r = await startTestReceiver({ adminPort: 0, tls: false, adminSettings: { stream: { maxSubscribers: 2 } } })
    const a = await rawStream(r)
    const b = await rawStream(r)
    await expect.poll(async () => (await health(r)).streams.open).toBe(2)
    const third = await request(`${r.adminUrl}/api/stream`)
    expect(third.statusCode).toBe(503)
    expect(third.headers['content-type']).toMatch(/problem\+json/)
    expect(third.headers['retry-after']).toBe('5')
    expect(((await third.body.json()) as { detail: string }).detail).toContain('--admin-max-streams')
    a.destroy()
    await expect.poll(async () => (await health(r)).streams.open).toBe(1)
    const again = await request(`${r.adminUrl}/api/stream`)
    expect(again.statusCode).toBe(200)
    again.body.destroy()
    b.destroy()
  })

  it('Last-Event-ID replay: at most replayMax summaries, after a gap event; details on demand', async () => {
    const r = await startTestReceiver({ adminPort: 0, tls: false, adminSettings: { stream: { replayMax: 10 } } })
    churn(r, 50)
    const ac = new AbortController()
    const res = await request(`${r.adminUrl}/api/stream`, { headers: { 'last-event-id': '0' }, signal: ac.signal })
    let text = ''
    res.body.on('data', (d: Buffer) => (text += d.toString()))
    res.body.on('error', () => undefined)
    await expect.poll(() => text.includes('id: 50\n')).toBe(true)
    ac.abort()
    const events = text.split('\n\n').filter((e) => e.startsWith('event:'))
    expect(events[0]).toMatch(/^event: gap\ndata: \{"skipped":40,/)
    const ids = events.slice(1).map((e) => Number(/\nid: (\d+)/.exec(e)?.[1]))
    expect(ids).toEqual([41, 42, 43, 44, 45, 46, 47, 48, 49, 50])
    // A summary: no body, headers or events, the tag as it is.
    const data = JSON.parse(/\ndata: (.*)/.exec(events[1]!)![1]!) as Record<string, unknown>
    expect(data).toMatchObject({ id: 41, kind: 'request', outcome: 'answered', status: 200 })
    expect(Object.keys(data).sort()).toEqual(['endedAt', 'id', 'kind', 'outcome', 'receivedAt', 'state', 'status', 'tag'])
    const detail = await request(`${r.adminUrl}/api/requests/41`)
    expect(((await detail.body.json()) as { remotePort: number }).remotePort).toBe(1)
    expect((await request(`${r.adminUrl}/api/requests/9999`)).statusCode).toBe(404)
  })
})
