/**
 * The forward listener byte for byte with a raw socket: the ack answer, what each mode emits, the
 * in_forward quirks it copies (time 0 = now, no ack without a record, skip_invalid_event,
 * chunk_size_limit), the handshake messages, the UDP heartbeat and each forward fault.
 */
import { createSocket } from 'node:dgram'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { EventTime, forwardPing } from '../../../src/forward/index.js'
import { forwardEntries, pack, rawClient, settled, startFake, waitFor } from './helpers.js'

const T = new EventTime(1767225600, 123456789)

describe('forward protocol', () => {
  it('Message, Forward and PackedForward with chunk: each answered {ack: chunk} in order, events in the journal', async () => {
    const fake = await startFake()
    const c = await rawClient(fake.forwardPort)
    const packed = Buffer.concat([pack([T, { p: 1 }]), pack([1767225601, { p: 2 }])])
    c.socket.write(Buffer.concat([pack(['a', T, { m: 1 }, { chunk: 'c1' }]), pack(['b', [[T, { f: 1 }], [1767225602, { f: 2 }]], { chunk: 'c2' }]), pack(['c', packed, { chunk: 'c3', size: 2 }]), pack(['d', T, { noack: true }])]))
    await waitFor(() => c.values().length >= 3)
    expect(c.values()).toEqual([{ ack: 'c1' }, { ack: 'c2' }, { ack: 'c3' }])
    const es = await settled(fake, 4, 'request')
    expect(es.map((e) => [e.tag, e.forward?.mode, e.forward?.eventCount, e.forward?.ack])).toEqual([
      ['a', 'message', 1, 'sent'],
      ['b', 'forward', 2, 'sent'],
      ['c', 'packed', 2, 'sent'],
      ['d', 'message', 1, 'none'],
    ])
    expect(es[2]!.events!.map((e) => e.eventTime)).toEqual([{ sec: 1767225600, nsec: 123456789 }, { sec: 1767225601, nsec: 0 }])
  })

  it('CompressedPackedForward (several gzip members) is inflated; a gzip bomb over the inflate limit resets the connection', async () => {
    const fake = await startFake({ inflateLimit: 64 * 1024 })
    const c = await rawClient(fake.forwardPort)
    const entries = Buffer.concat([gzipSync(pack([T, { z: 1 }])), gzipSync(pack([T, { z: 2 }]))])
    c.socket.write(pack(['z', entries, { chunk: 'g1', compressed: 'gzip' }]))
    await waitFor(() => c.values().length >= 1)
    expect(c.values()).toEqual([{ ack: 'g1' }])
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024))
    expect(bomb.length).toBeLessThan(20_000)
    c.socket.write(pack(['z', bomb, { chunk: 'g2', compressed: 'gzip' }]))
    expect(await c.ended).toBe('reset')
    const es = await settled(fake, 2, 'request')
    expect(es[1]).toMatchObject({ outcome: 'reset', error: 'compressed entries inflate beyond the 65536-byte limit' })
    expect(c.values()).toEqual([{ ack: 'g1' }])
  })

  it('the --journal file holds each forward entry (protocol, forward info, exact event time) before the ack', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ff-fwd-j-')), 'journal.ndjson')
    const fake = await startFake({}, { journalFile: file })
    const c = await rawClient(fake.forwardPort)
    c.socket.write(pack(['file', T, { a: 1 }, { chunk: 'f1' }]))
    await waitFor(() => c.values().length >= 1)
    const line = JSON.parse(readFileSync(file, 'utf8').trim().split('\n')[0]!) as Record<string, unknown>
    expect(line).toMatchObject({ kind: 'request', protocol: 'forward', tag: 'file', deliveryKey: 'forward:f1', forward: { mode: 'message', eventCount: 1, chunk: 'f1', ack: 'sent' } })
    expect(line['events']).toEqual([{ time: 1767225600.1234567, eventTime: { sec: 1767225600, nsec: 123456789 }, record: { a: 1 } }])
  })

  it('JSON forward (first byte [ or {): read as in_forward does with Yajl, answered in JSON', async () => {
    const fake = await startFake()
    const c = await rawClient(fake.forwardPort)
    c.socket.write('["j.one",1767225600,{"a":"]}"},{"chunk":"j1"}] \n["j.two",[[1767225601,{"b":2}]],{"chunk":"j2"}]')
    await waitFor(() => c.received().toString().length >= 24)
    expect(c.received().toString()).toBe('{"ack":"j1"}{"ack":"j2"}')
    const es = await settled(fake, 2, 'request')
    expect(es.map((e) => [e.tag, e.forward?.mode, e.events?.[0]?.record])).toEqual([
      ['j.one', 'message', { a: ']}' }],
      ['j.two', 'forward', { b: 2 }],
    ])
  })

  it('as in_forward: time 0 or nil is now in Message/Forward mode; a Message without a record gets no ack; skip_invalid_event acks the dropped Message', async () => {
    const fake = await startFake({ skipInvalidEvent: true })
    const c = await rawClient(fake.forwardPort)
    const before = Date.now() / 1000
    c.socket.write(Buffer.concat([pack(['t', 0, { zero: 1 }, { chunk: 'k1' }]), pack(['t', 1.5, 'not a record', { chunk: 'k2' }]), pack(['t', [[T, { ok: 1 }], [T, 'bad']], { chunk: 'k3' }])]))
    await waitFor(() => c.values().length >= 3)
    expect(c.values()).toEqual([{ ack: 'k1' }, { ack: 'k2' }, { ack: 'k3' }])
    const es = await settled(fake, 3, 'request')
    expect(es[0]!.events![0]!.time).toBeGreaterThanOrEqual(Math.floor(before))
    expect(es[1]!.forward).toMatchObject({ eventCount: 0, dropped: 'invalid event', ack: 'sent' })
    expect(es[2]!.forward).toMatchObject({ eventCount: 1 })
    const fake2 = await startFake()
    const c2 = await rawClient(fake2.forwardPort)
    c2.socket.write(Buffer.concat([pack(['t', T, null, { chunk: 'n1' }]), pack(['t', T, { after: 1 }, { chunk: 'n2' }])]))
    await waitFor(() => c2.values().length >= 1)
    expect(c2.values()).toEqual([{ ack: 'n2' }])
  })

  it('chunk_size_limit drops without an ack; chunk_size_warn_limit logs; source_address_key adds the address', async () => {
    const fake = await startFake({ chunkSizeLimit: 100, chunkSizeWarnLimit: 40, sourceAddressKey: 'src' })
    const lines: string[] = []
    fake.forward!.log.subscribe((e) => lines.push(`[${e.level}] ${e.text}`))
    const c = await rawClient(fake.forwardPort)
    c.socket.write(Buffer.concat([pack(['big', T, { pad: 'x'.repeat(200) }, { chunk: 'b1' }]), pack(['mid', T, { pad: 'x'.repeat(30) }, { chunk: 'b2' }])]))
    await waitFor(() => c.values().length >= 1)
    expect(c.values()).toEqual([{ ack: 'b2' }])
    const es = await settled(fake, 2, 'request')
    expect(es[0]!.forward).toMatchObject({ dropped: 'chunk_size_limit', ack: 'none', eventCount: 0 })
    expect(es[1]!.events![0]!.record).toEqual({ pad: 'x'.repeat(30), src: '127.0.0.1' })
    expect(lines[0]).toMatch(/^\[warn\] Input chunk size is larger than 'chunk_size_limit', dropped: tag="big" host="127.0.0.1" limit=100 size=2\d\d$/)
    expect(lines[1]).toMatch(/^\[warn\] Input chunk size is larger than 'chunk_size_warn_limit': tag="mid" host="127.0.0.1" limit=40 size=\d+$/)
  })

  it('the handshake: HELO with nonce, auth salt and keepalive; a good PING gets PONG true with the digest; users are checked', async () => {
    const fake = await startFake({ security: { sharedKey: 'k', selfHostname: 'fake-host', users: [{ username: 'u', password: 'p' }] } })
    const c = await rawClient(fake.forwardPort)
    await waitFor(() => c.values().length >= 1)
    const [heloMsg] = c.values() as [[string, { nonce: Uint8Array; auth: Uint8Array; keepalive: boolean }]]
    expect(heloMsg[0]).toBe('HELO')
    expect(heloMsg[1].nonce).toHaveLength(16)
    expect(heloMsg[1].keepalive).toBe(true)
    c.socket.write(pack(forwardPing(heloMsg[1], 'k', 'client', { username: 'u', password: 'p' })))
    await waitFor(() => c.values().length >= 2)
    expect((c.values()[1] as unknown[]).slice(0, 4)).toEqual(['PONG', true, '', 'fake-host'])
    c.socket.write(pack(['after', T, { ok: 1 }, { chunk: 'h1' }]))
    await waitFor(() => c.values().length >= 3)
    expect(c.values()[2]).toEqual({ ack: 'h1' })

    const bad = await rawClient(fake.forwardPort)
    await waitFor(() => bad.values().length >= 1)
    const h = (bad.values()[0] as [string, { nonce: Uint8Array; auth: Uint8Array }])[1]
    bad.socket.write(pack(forwardPing(h, 'k', 'client', { username: 'u', password: 'wrong' })))
    expect(await bad.ended).toBe('end')
    expect(bad.values()[1]).toEqual(['PONG', false, 'username/password mismatch', '', ''])
  })

  it('faults: ack-late, reset, close, refuse-key, stall-handshake and drop-heartbeat', async () => {
    const fake = await startFake({ faults: [{ action: 'ack-late', delayMs: 150, match: { tag: 'late' } }, { action: 'reset', match: { tag: 'rst' } }, { action: 'close', match: { mode: 'forward' } }, { action: 'drop-heartbeat', times: 1 }] })
    const c = await rawClient(fake.forwardPort)
    const t0 = Date.now()
    c.socket.write(pack(['late', T, { a: 1 }, { chunk: 'l1' }]))
    await waitFor(() => c.values().length >= 1)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
    expect(c.values()).toEqual([{ ack: 'l1' }])
    c.socket.write(pack(['rst', T, { a: 1 }, { chunk: 'r1' }]))
    expect(await c.ended).toBe('reset')
    const c2 = await rawClient(fake.forwardPort)
    c2.socket.write(pack(['fw', [[T, { a: 1 }]], { chunk: 'f1' }]))
    expect(await c2.ended).toBe('end')
    expect(c2.received()).toHaveLength(0)
    const es = forwardEntries(fake)
    expect(es.map((e) => [e.tag, e.outcome, e.forward?.ack])).toEqual([
      ['late', 'answered', 'late'],
      ['rst', 'reset', 'not-sent'],
      ['fw', 'closed', 'not-sent'],
    ])
    // The UDP heartbeat: the first ping is dropped by the rule, the second answered with one NUL byte.
    const udp = createSocket('udp4')
    const replies: Buffer[] = []
    udp.on('message', (m) => replies.push(m))
    const ping = () => new Promise<void>((r) => udp.send(Buffer.from([0]), fake.forwardPort, '127.0.0.1', () => r()))
    await ping()
    await ping()
    await waitFor(() => replies.length >= 1)
    udp.close()
    expect(replies).toEqual([Buffer.from([0])])

    const sec = await startFake({ security: { sharedKey: 'k', selfHostname: 'h' }, faults: [{ action: 'stall-handshake', times: 1 }, { action: 'refuse-key', reason: 'go away' }] })
    const stalled = await rawClient(sec.forwardPort)
    const refused = await rawClient(sec.forwardPort)
    await waitFor(() => refused.values().length >= 1)
    refused.socket.write(pack(forwardPing((refused.values()[0] as [string, { nonce: Uint8Array }])[1], 'k', 'client')))
    expect(await refused.ended).toBe('end')
    expect(refused.values()[1]).toEqual(['PONG', false, 'go away', '', ''])
    expect(stalled.received()).toHaveLength(0)
    stalled.socket.destroy()
    const conns = await settled(sec, 2, 'connection')
    expect(conns.map((e) => e.outcome).sort()).toEqual(['refused', 'stalled'])
  })
})
