/**
 * Deadlines and the connection cap, on a real HTTPS receiver whose clock is a ManualClock: the
 * network is real, only the waits are driven. A byte dribbler is cut by the header deadline, a slow
 * body by the request deadline, a silent or idle keep-alive connection by the idle timeouts; a
 * connection flood beyond --max-connections is refused while the admin API stays reachable.
 */
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import type { Receiver } from '../../../src/receiver/types.js'
import { startTestReceiver, waitFor } from '../../helpers/receiver.js'

/** A TLS connection with the handshake done; `closed` tells when the server ended it. */
async function tlsOpen(r: Receiver): Promise<{ sock: TLSSocket; closed: () => boolean; received: () => string }> {
  let closed = false
  let received = ''
  const sock: TLSSocket = await new Promise((resolve, reject) => {
    const s = tlsConnect({ port: r.port, host: '127.0.0.1', ca: r.ca, servername: 'localhost' }, () => resolve(s))
    s.once('error', reject)
  })
  sock.on('error', () => {})
  // No Nagle: a one-byte write goes out at once instead of waiting for the previous one's (delayed) ACK.
  sock.setNoDelay(true)
  sock.on('data', (d: Buffer) => (received += d.toString('latin1')))
  sock.on('close', () => (closed = true))
  return { sock, closed: () => closed, received: () => received }
}

/** Writes and waits until the bytes are handed to the kernel (loopback delivers them at once). */
const write = (sock: Socket, text: string): Promise<void> => new Promise((resolve) => sock.write(text, () => resolve()))

describe('deadlines on the receiver clock', () => {
  it('a client sending one header byte every 5 s is never idle, and is cut by the header deadline (20 s)', async () => {
    const clock = new ManualClock()
    const r = await startTestReceiver({ clock })
    const c = await tlsOpen(r)
    const head = 'POST /drip HTTP/1.1\r\nHost: x\r\nX-Slow: yes\r\n'
    let i = 0
    for (; i < 3; i++) {
      await write(c.sock, head[i]!)
      await clock.advance(5000)
      // Bytes keep coming: the 10 s idle timeout never fires.
      expect(c.closed()).toBe(false)
    }
    await write(c.sock, head[i]!)
    await clock.advance(5000) // 20 s after the connection was accepted
    await waitFor(() => c.closed())
    const entry = await waitFor(() => r.journal.entries().find((e) => e.kind === 'connection'))
    expect(entry).toMatchObject({ kind: 'connection', outcome: 'reset' })
    expect(entry.error).toMatch(/^header timeout: the TLS handshake and request not complete 20000 ms after its first byte/)
    expect(r.journal.entries()).toHaveLength(1)
  })

  it('a body dribbled one byte every 5 s is cut by the request deadline; the request entry says so', async () => {
    const clock = new ManualClock()
    const r = await startTestReceiver({ clock, requestTimeoutMs: 30_000 })
    const c = await tlsOpen(r)
    await write(c.sock, 'POST /slowbody HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n')
    const entry = await waitFor(() => r.journal.entries().find((e) => e.path === '/slowbody'))
    for (let t = 0; t < 25_000; t += 5000) {
      await write(c.sock, ' ')
      await clock.advance(5000)
    }
    expect(c.closed()).toBe(false)
    await write(c.sock, ' ')
    await clock.advance(5000)
    await waitFor(() => c.closed())
    expect(entry).toMatchObject({ outcome: 'reset', error: 'request timeout: body not complete 30000 ms after the request headers; connection reset' })
    expect(r.journal.entries()).toHaveLength(1)
  })

  it('a silent connection is reset after the idle timeout on the clock (10 s), not before', async () => {
    const clock = new ManualClock()
    const r = await startTestReceiver({ clock })
    const c = await tlsOpen(r)
    await clock.advance(9000)
    expect(c.closed()).toBe(false)
    await clock.advance(3000)
    await waitFor(() => c.closed())
    const entry = await waitFor(() => r.journal.entries().find((e) => e.kind === 'connection'))
    expect(entry.error).toMatch(/^idle timeout/)
    // It shook hands: a delivery attempt. A TCP connection that never sends a byte is not one.
    expect(entry).not.toHaveProperty('noBytes')
    const silent = netConnect(r.port, '127.0.0.1')
    silent.on('error', () => {})
    await new Promise((resolve) => silent.once('connect', resolve))
    // Accepted at some point of the first second of this advance at the latest: reset by its end.
    await clock.advance(12_000)
    const probe = await waitFor(() => r.journal.entries().find((e) => e.kind === 'connection' && e.id !== entry.id))
    expect(probe).toMatchObject({ outcome: 'reset', noBytes: true, error: expect.stringMatching(/^idle timeout/) as unknown })
  })

  it('an idle keep-alive connection is closed after the keep-alive timeout, with no extra entry', async () => {
    const clock = new ManualClock()
    const r = await startTestReceiver({ clock, keepAliveTimeoutMs: 10_000 })
    const c = await tlsOpen(r)
    await write(c.sock, 'POST /ka HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
    await waitFor(() => c.received().includes('Content-Length: 0\r\n\r\n'))
    await clock.advance(9000)
    expect(c.closed()).toBe(false)
    await clock.advance(3000)
    await waitFor(() => c.closed())
    expect(r.journal.entries().map((e) => [e.kind, e.status])).toEqual([['request', 200]])
  })
})

describe('connection cap', () => {
  it('beyond --max-connections new connections are refused and journaled; the admin API answers; freed slots are reused', async () => {
    const r = await startTestReceiver({ maxConnections: 3, adminPort: 0 })
    const held: Socket[] = []
    for (let i = 0; i < 3; i++) {
      const s = netConnect(r.port, '127.0.0.1')
      s.on('error', () => {})
      await new Promise((resolve) => s.once('connect', resolve))
      held.push(s)
    }
    const extra = netConnect(r.port, '127.0.0.1')
    const ending = await new Promise<string>((resolve) => {
      extra.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'))
      extra.on('close', () => resolve('closed'))
    })
    expect(['ECONNRESET', 'closed']).toContain(ending)
    const refused = await waitFor(() => r.journal.entries().find((e) => e.outcome === 'refused'))
    expect(refused).toMatchObject({ kind: 'connection', error: expect.stringMatching(/^connection cap: 3 client connections already open/) as unknown })
    const health = await fetch(`${r.adminUrl}/api/health`)
    expect(health.status).toBe(200)
    // Free one slot: the server sees the close (a port probe entry), then a request gets through.
    held.pop()!.destroy()
    await waitFor(() => r.journal.entries().some((e) => e.kind === 'connection' && e.noBytes === true))
    const c = await tlsOpen(r)
    await write(c.sock, 'POST /after HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}')
    await waitFor(() => c.received().startsWith('HTTP/1.1 200 OK'))
    for (const s of held) s.destroy()
    c.sock.destroy()
  })
})
