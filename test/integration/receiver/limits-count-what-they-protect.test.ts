/**
 * Every limit counts what it protects (issue 19, items 6, 7 and 8): empty arrays count against
 * --max-records, the record size limit counts the JSON a msgpack record becomes, the journal's
 * memory budget counts headers, URL and tag, and `?time=` values past JS Date's range print what
 * Fluentd prints instead of NaN.
 */
import { encode } from '@msgpack/msgpack'
import { describe, expect, it } from 'vitest'
import { request, type Agent } from 'undici'
import { createJournal, estimateEntryBytes } from '../../../src/journal/journal.js'
import { formatFluentdTime } from '../../../src/receiver/fluentd-format.js'
import type { Receiver } from '../../../src/receiver/types.js'
import { agentFor, startTestReceiver, waitFor } from '../../helpers/receiver.js'

async function post(r: Receiver, agent: Agent, path: string, body: Buffer | string, contentType: string): Promise<{ status: number; text: string }> {
  const res = await request(`${r.url}${path}`, { method: 'POST', body, headers: { 'content-type': contentType }, dispatcher: agent })
  return { status: res.statusCode, text: await res.body.text() }
}

describe('limits count what they protect', () => {
  it('empty arrays count against --max-records: msgpack 0x90 and NDJSON [] (small and large bodies)', async () => {
    const r = await startTestReceiver({ output: 'none', maxRecords: 1000 })
    const agent = agentFor(r)
    expect(await post(r, agent, '/mp-small', Buffer.alloc(1001, 0x90), 'application/msgpack')).toEqual({ status: 413, text: 'Too large' })
    expect(await post(r, agent, '/mp-large', Buffer.alloc(200_000, 0x90), 'application/msgpack')).toEqual({ status: 413, text: 'Too large' })
    expect(await post(r, agent, '/nd', '[]\n'.repeat(1001), 'application/x-ndjson')).toEqual({ status: 413, text: 'Too large' })
    expect(r.journal.entries({ tag: 'nd' })[0]?.error).toBe('more than 1000 records in one request (--max-records)')
    // Under the cap they are still what Fluentd makes of them: no records, 200.
    expect(await post(r, agent, '/ok', Buffer.alloc(10, 0x90), 'application/msgpack')).toEqual({ status: 200, text: '' })
  })

  it('the record size limit counts the JSON a msgpack record becomes (bin, control characters)', async () => {
    const r = await startTestReceiver({ output: 'none' })
    const agent = agentFor(r)
    // 300 KiB of msgpack each, 1-2 MB and more as JSON.
    const bin = encode({ blob: new Uint8Array(300 * 1024).fill(200) })
    const ctl = encode({ text: '\u0001'.repeat(300 * 1024) })
    expect(bin.length).toBeLessThan(1024 * 1024)
    expect(await post(r, agent, '/bin', Buffer.from(bin), 'application/msgpack')).toEqual({ status: 413, text: 'Too large' })
    expect(await post(r, agent, '/ctl', Buffer.from(ctl), 'application/msgpack')).toEqual({ status: 413, text: 'Too large' })
    expect(await post(r, agent, '/ctl-array', Buffer.from(encode([{ a: 1 }, { text: '\u0001'.repeat(300 * 1024) }])), 'application/msgpack')).toEqual({ status: 413, text: 'Too large' })
    expect(r.journal.entries({ tag: 'bin' })[0]?.error).toBe('a record whose JSON is larger than 1048576 bytes (--max-record-size)')
    // A record whose JSON fits is taken as before.
    expect(await post(r, agent, '/fits', Buffer.from(encode({ text: 'a'.repeat(300 * 1024) })), 'application/msgpack')).toEqual({ status: 200, text: '' })
  })

  it('the journal memory budget counts headers, URL and tag', () => {
    const headers: Record<string, string> = {}
    for (let i = 0; i < 15; i++) headers[`x-h${i}`] = 'v'.repeat(1000)
    const maxBytes = 1024 * 1024
    const j = createJournal({ maxBytes })
    const tag = 't'.repeat(2000)
    for (let i = 0; i < 500; i++) {
      const e = j.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1, headers, url: `/${tag}`, path: `/${tag}`, tag })
      j.complete(e, { outcome: 'answered', status: 200 })
    }
    const one = j.entries()[0]!
    expect(estimateEntryBytes(one)).toBeGreaterThan(15 * 1000 + 3 * 2000)
    // 1 MiB holds about 1,048,576 / 22,000 of them, not all 500.
    expect(j.size).toBeLessThan(60)
    j.close()
  })

  it('?time= past JS Date: what Fluentd prints (1e308 and 1e20 are 1 s, 8.7e12 is the year 277662 printed 7662), never NaN', async () => {
    let out = ''
    const r = await startTestReceiver({ output: { mode: 'fluentd', write: (t) => (out += t) } })
    const agent = agentFor(r)
    for (const t of ['1e308', '1e20', '8.7e12']) expect((await post(r, agent, `/t?time=${t}`, '{"a":1}', 'application/json')).status).toBe(200)
    await waitFor(() => out.split('\n').length > 3)
    const lines = out.trim().split('\n')
    expect(out).not.toMatch(/NaN/)
    expect(lines[0]!.startsWith(`${formatFluentdTime(1)} t: `)).toBe(true)
    expect(lines[1]!.startsWith(`${formatFluentdTime(1)} t: `)).toBe(true)
    expect(lines[2]).toMatch(/^7662-01-0[89] \d\d:\d0:00\.000000000 [+-]\d{4} t: \{"a":1\}$/)
    expect(r.journal.entries({ tag: 't' }).map((e) => e.events?.[0]?.time)).toEqual([1, 1, 8.7e12])
  })
})
