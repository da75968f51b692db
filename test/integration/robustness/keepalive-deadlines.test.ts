/**
 * Deadlines judge clients, not sweeps (issue 19 item 3): a keep-alive client that sends a complete
 * request every 100 ms on one connection is never cut, however long it keeps going; a client that
 * starts a request head and dribbles it is still cut by the header deadline, measured from the
 * first byte of that request. The network is real (HTTPS on 127.0.0.1), the clock a ManualClock.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import type { Receiver } from '../../../src/receiver/types.js'
import { startTestReceiver, waitFor } from '../../helpers/receiver.js'

interface Conn {
  sock: TLSSocket
  closed: () => boolean
  answers: () => number
}

async function open(r: Receiver): Promise<Conn> {
  let closed = false
  let received = ''
  const sock: TLSSocket = await new Promise((resolve, reject) => {
    const s = tlsConnect({ port: r.port, host: '127.0.0.1', ca: r.ca, servername: 'localhost' }, () => resolve(s))
    s.once('error', reject)
  })
  sock.on('error', () => {})
  sock.setNoDelay(true)
  sock.on('data', (d: Buffer) => (received += d.toString('latin1')))
  sock.on('close', () => (closed = true))
  return { sock, closed: () => closed, answers: () => received.split('HTTP/1.1 200 OK').length - 1 }
}

const write = (sock: TLSSocket, text: string): Promise<void> => new Promise((resolve) => sock.write(text, () => resolve()))
const post = (i: number): string => `POST /ka.${i % 7} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{"i":${String(i).padStart(3, '0')}}`

describe('deadlines judge clients, not sweeps', () => {
  it('a keep-alive client at 10 requests/s on one connection is never cut (30 s on the clock)', async () => {
    const clock = new ManualClock()
    const r = await startTestReceiver({ clock })
    const c = await open(r)
    for (let i = 0; i < 300; i++) {
      await write(c.sock, post(i))
      await waitFor(() => c.answers() === i + 1)
      await clock.advance(100)
      expect(c.closed() ? `cut after ${i + 1} requests: ${JSON.stringify(r.journal.entries().at(-1)?.error)}` : 'open').toBe('open')
    }
    const entries = r.journal.entries()
    expect(entries.filter((e) => e.kind !== 'request' || e.outcome !== 'answered').map((e) => e.error)).toEqual([])
    expect(entries).toHaveLength(300)
    c.sock.destroy()
  })

  it('the next request head dribbled after 30 s of healthy requests is cut 20 s after its own first byte', async () => {
    const clock = new ManualClock()
    const r = await startTestReceiver({ clock })
    const c = await open(r)
    for (let i = 0; i < 300; i++) {
      await write(c.sock, post(i))
      await waitFor(() => c.answers() === i + 1)
      await clock.advance(100)
    }
    // One byte every 4 s: never idle for 10 s, the head never completes.
    const head = 'POST /drip HTTP/1.1\r\nHost: x\r\n'
    for (let i = 0; i < 4; i++) {
      await write(c.sock, head[i]!)
      await clock.advance(4000)
      expect(c.closed()).toBe(false)
    }
    await write(c.sock, head[4]!)
    await clock.advance(4000) // 20 s after the head's first byte (plus at most one sweep)
    await clock.advance(1000)
    await waitFor(() => c.closed())
    const cut = r.journal.entries().filter((e) => e.outcome !== 'answered')
    expect(cut).toHaveLength(1)
    expect(cut[0]!.error).toMatch(/^header timeout: the next request not complete 20000 ms after its first byte/)
  })

  it('a real keep-alive client (undici, one connection) at 10 requests/s for 3 s, with 1 s header and idle timeouts, is never cut', async () => {
    const r = await startTestReceiver({ headerTimeoutMs: 1000, idleTimeoutMs: 1000 })
    const one = new Agent({ connect: { ca: r.ca, servername: 'localhost' }, connections: 1, pipelining: 1 })
    const seen: (number | string)[] = []
    try {
      for (let i = 0; i < 30; i++) {
        const started = Date.now()
        try {
          const res = await request(`${r.url}/steady`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, dispatcher: one })
          await res.body.text()
          seen.push(res.statusCode)
        } catch (err) {
          seen.push((err as NodeJS.ErrnoException).code ?? String(err))
        }
        await sleep(Math.max(0, 100 - (Date.now() - started)))
      }
    } finally {
      await one.close()
    }
    expect(seen).toEqual(Array.from({ length: 30 }, () => 200))
    const entries = r.journal.entries()
    expect(entries.filter((e) => e.outcome !== 'answered').map((e) => e.error)).toEqual([])
    expect(new Set(entries.map((e) => e.connectionId)).size).toBe(1)
  })
})
