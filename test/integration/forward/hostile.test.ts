/**
 * Hostile input against the forward listener, each against its documented limit (README "Limits"):
 * truncated msgpack, huge declared sizes, deep nesting, bytes that are not msgpack, a slow dribbler
 * (--forward-message-timeout, driven by a ManualClock), a connection flood (--forward-max-connections),
 * a silent client under a shared key (--forward-handshake-timeout). The listener keeps serving after each.
 */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import { pack, rawClient, settled, startFake, waitFor } from './helpers.js'

async function stillServes(port: number): Promise<void> {
  const c = await rawClient(port)
  c.socket.write(pack(['alive', 1767225600, { ok: 1 }, { chunk: 'alive' }]))
  await waitFor(() => c.values().length >= 1)
  expect(c.values()).toEqual([{ ack: 'alive' }])
}

describe('forward listener: hostile input', () => {
  it('a str32 declaring 4 GiB is refused at its header (--forward-max-message), the connection reset (in_forward closes with SO_LINGER 0)', async () => {
    const fake = await startFake({ maxMessageBytes: 1024 * 1024 })
    const c = await rawClient(fake.forwardPort)
    c.socket.write(Buffer.from([0x94, 0xa1, 0x74, 0xdb, 0xff, 0xff, 0xff, 0xff]))
    expect(await c.ended).toBe('reset')
    const [e] = await settled(fake, 1, 'connection')
    expect(e!.error).toBe('not read: declared 4294967295 bytes at offset 3, more than the 1048576-byte message limit')
    const c2 = await rawClient(fake.forwardPort)
    c2.socket.write(Buffer.from([0xdd, 0x7f, 0xff, 0xff, 0xff]))
    expect(await c2.ended).toBe('reset')
    await stillServes(fake.forwardPort)
  })

  it('nesting deeper than --forward-max-depth resets the connection; at the limit it is read', async () => {
    const fake = await startFake({ maxDepth: 50 })
    const nested = (levels: number) => Buffer.concat([Buffer.from([0x93, 0xa1, 0x74, 0x01]), Buffer.alloc(levels - 1, 0x91), Buffer.from([0x80])])
    const ok = await rawClient(fake.forwardPort)
    ok.socket.write(nested(49))
    const deep = await rawClient(fake.forwardPort)
    deep.socket.write(nested(200_000))
    expect(await deep.ended).toBe('reset')
    const conn = await settled(fake, 1, 'connection')
    expect(conn[0]!.error).toBe('not read: nested deeper than 50 levels')
    const [read] = await settled(fake, 1, 'request')
    expect(read).toMatchObject({ tag: 't', forward: { mode: 'message', eventCount: 1 } })
    await stillServes(fake.forwardPort)
  })

  it('truncated msgpack then a close: journaled as client-aborted with the bytes read; bytes that are not msgpack reset it', async () => {
    const fake = await startFake()
    const c = await rawClient(fake.forwardPort)
    const whole = pack(['t', 1767225600, { a: 'b'.repeat(100) }, { chunk: 'x' }])
    c.socket.end(whole.subarray(0, 50))
    await c.ended
    const [e] = await settled(fake, 1, 'connection')
    expect(e).toMatchObject({ outcome: 'client-aborted', error: 'connection closed mid-message (50 bytes of an incomplete message)' })
    const junk = await rawClient(fake.forwardPort)
    junk.socket.write(Buffer.from([0xc1]))
    expect(await junk.ended).toBe('reset')
    await stillServes(fake.forwardPort)
  })

  it('a slow dribbler is reset --forward-message-timeout after its first byte', async () => {
    const clock = new ManualClock()
    const fake = await startFake({ messageTimeoutMs: 60_000 }, { clock })
    const c = await rawClient(fake.forwardPort)
    const whole = pack(['t', 1767225600, { a: 1 }])
    const timers = clock.pendingCount
    c.socket.write(whole.subarray(0, 3))
    await waitFor(() => clock.pendingCount > timers)
    await clock.advance(30_000)
    c.socket.write(whole.subarray(3, 5))
    await clock.advance(30_000)
    expect(await c.ended).toBe('reset')
    const [e] = await settled(fake, 1, 'connection')
    expect(e).toMatchObject({ outcome: 'reset', error: 'message not complete 60000 ms after its first byte (5 bytes read)' })
  })

  it('a client that never sends its PING is reset --forward-handshake-timeout after the HELO', async () => {
    const clock = new ManualClock()
    const fake = await startFake({ security: { sharedKey: 'k', selfHostname: 'h' }, handshakeTimeoutMs: 10_000 }, { clock })
    const c = await rawClient(fake.forwardPort)
    await waitFor(() => c.values().length >= 1)
    await clock.advance(10_000)
    expect(await c.ended).toBe('reset')
    const [e] = await settled(fake, 1, 'connection')
    expect(e!.error).toBe('no PING within 10000 ms of the HELO')
  })

  it('a connection flood beyond --forward-max-connections is reset at once, each journaled', async () => {
    const fake = await startFake({ maxConnections: 5 })
    const clients = await Promise.all(Array.from({ length: 12 }, () => rawClient(fake.forwardPort)))
    await waitFor(() => fake.journal.entries().filter((e) => e.kind === 'connection').length >= 7)
    const resets = fake.journal.entries().filter((e) => e.kind === 'connection')
    expect(resets).toHaveLength(7)
    expect(resets[0]!.error).toBe('more than 5 forward connections open: reset')
    expect(fake.forward!.connections).toBe(5)
    for (const c of clients) c.socket.destroy()
    await waitFor(() => fake.forward!.connections === 0)
    await stillServes(fake.forwardPort)
  })
})
