/**
 * Each reproduction of issue 15 that concerns the body pipeline, the journal file and the tag globs,
 * against a real receiver: they failed before decodeBody/parseRequestBody/entryLine/the linear glob
 * were in place (the server died, stalled, lost events or answered with internal text).
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { request, type Agent } from 'undici'
import { createValidator } from '../../../src/validation/index.js'
import type { Receiver } from '../../../src/receiver/types.js'
import { agentFor, startTestReceiver } from '../../helpers/receiver.js'
import { auditJournalFile, hitWithUid } from './load.js'

async function post(r: Receiver, agent: Agent, path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await request(`${r.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, dispatcher: agent, headersTimeout: 60_000, bodyTimeout: 60_000 })
  return { status: res.statusCode, text: await res.body.text() }
}

describe('issue 15 reproductions', () => {
  it('a 382 KB gzip bomb (262 MB inflated) is answered 413, and the server keeps answering', async () => {
    const r = await startTestReceiver({ output: 'none' })
    const agent = agentFor(r)
    const unit = Buffer.from('{"a":1},'.repeat(131072))
    const bomb = gzipSync(Buffer.concat([Buffer.from('['), ...Array<Buffer>(250).fill(unit), Buffer.from('{"a":1}]')]), { level: 9 })
    expect(bomb.length).toBeLessThan(400_000)
    expect(await post(r, agent, '/bomb', bomb, { 'content-encoding': 'gzip' })).toEqual({ status: 413, text: 'Too large' })
    expect((await post(r, agent, '/after', '{"a":1}')).status).toBe(200)
    expect(r.journal.entries().find((e) => e.tag === 'bomb')?.error).toMatch(/inflates to more than 33554432 bytes/)
  })

  it('with --body-limit 1k, a 942-byte gzip that inflates to 900 KiB is 413', async () => {
    const r = await startTestReceiver({ output: 'none', bodyLimit: 1024 })
    const agent = agentFor(r)
    const gz = gzipSync(Buffer.from('[{"a":1}' + ' '.repeat(900 * 1024) + ']'), { level: 9 })
    expect(gz.length).toBe(942)
    expect(await post(r, agent, '/small-bomb', gz, { 'content-encoding': 'gzip' })).toEqual({ status: 413, text: 'Too large' })
    expect(r.journal.entries().find((e) => e.tag === 'small-bomb')?.events).toBeUndefined()
  })

  it('arrays over the record cap (10^6 objects, 2.5 million {}) are 413; a 32 MB [1,1,...] never answers "Invalid string length"', async () => {
    const r = await startTestReceiver({ output: 'none', strictParse: true })
    const agent = agentFor(r)
    const million = '[' + Array<string>(1_000_000).fill('{"a":1}').join(',') + ']'
    expect(await post(r, agent, '/million', million)).toEqual({ status: 413, text: 'Too large' })
    expect(await post(r, agent, '/empties', '[' + Array<string>(2_500_000).fill('{}').join(',') + ']')).toEqual({ status: 413, text: 'Too large' })
    const ones = await post(r, agent, '/ones', '[' + Array<string>(16_000_000).fill('1').join(',') + ']')
    expect(ones.text).not.toMatch(/Invalid string length/)
    expect(ones.status).toBe(413)
    expect(r.journal.entries().find((e) => e.tag === 'million')?.error).toBe('more than 10000 records in one request (--max-records)')
  })

  it('one 32 MB record ({"a":[1,1,...]}) is 413 before it is parsed (it stalled every client for 0.6 s)', async () => {
    const r = await startTestReceiver({ output: 'none' })
    const agent = agentFor(r)
    expect(await post(r, agent, '/one', '{"a":[' + Array<string>(16_000_000).fill('1').join(',') + ']}')).toEqual({ status: 413, text: 'Too large' })
    expect(r.journal.entries().find((e) => e.tag === 'one')?.error).toMatch(/is larger than 1048576 bytes \(--max-record-size\)$/)
  })

  it('an in-limit batch is parsed and validated in slices: a request that arrives meanwhile is answered first', async () => {
    const r = await startTestReceiver({ output: 'none', validator: createValidator(), validate: 'warn' })
    const agent = agentFor(r)
    expect((await post(r, agent, '/warm', hitWithUid('warm'))).status).toBe(200)
    const batch = '[' + Array.from({ length: 10_000 }, (_, i) => hitWithUid(`b${i}`)).join(',') + ']'
    const order: string[] = []
    const big = post(r, agent, '/batch', batch).then((x) => (order.push('batch'), x))
    // As soon as the receiver has the whole batch (in this process), a small request goes out.
    while (r.journal.entries().find((e) => e.tag === 'batch')?.bodySize === undefined) await new Promise((res) => setImmediate(res))
    const small = post(r, agent, '/small', hitWithUid('small')).then((x) => (order.push('small'), x))
    expect((await small).status).toBe(200)
    expect((await big).status).toBe(200)
    expect(order).toEqual(['small', 'batch'])
    const entry = r.journal.entries().find((e) => e.tag === 'batch')!
    expect(entry.events).toHaveLength(10_000)
    expect(entry.verdicts).toHaveLength(10_000)
  })

  it('the journal file holds a 2xx batch with all of its events, in lines far below the string limit, and summarised verdicts', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ff-repro-')), 'j.ndjson')
    const r = await startTestReceiver({ output: 'none', journalFile: file, validator: createValidator(), validate: 'warn' })
    const agent = agentFor(r)
    // 10,000 invalid notifications of ~120 bytes: once a 286 MB-style line of verdicts per record.
    const batch = '[' + Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ uid: `u${i}`, pad: 'p'.repeat(100) })).join(',') + ']'
    expect((await post(r, agent, '/journal', batch)).status).toBe(200)
    await r.close()
    const audit = auditJournalFile(file)
    expect(audit.badLines).toEqual([])
    for (let i = 0; i < 10_000; i++) expect(audit.eventUids.get(`u${i}`)?.length).toBe(1)
    const lines = readFileSync(file, 'utf8').split('\n')
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(2 * 1024 * 1024)
    const head = JSON.parse(lines.find((l) => l.includes('"tag":"journal"'))!) as { verdictSummary?: unknown; verdicts: unknown[] }
    expect(head.verdictSummary).toEqual({ total: 10_000, valid: 0, invalid: 10_000, listed: 20 })
  })

  it('the ReDoS tag glob a.*x*x*x*x*x*x*x*x*y against a 62-character tag answers at once (right answers both ways)', async () => {
    const r = await startTestReceiver({ output: 'none', adminPort: 0 })
    const agent = agentFor(r)
    const plan = { rules: [{ match: { tag: 'a.*x*x*x*x*x*x*x*x*y' }, steps: [{ status: 503 }] }] }
    const put = await request(`${r.adminUrl}/api/faults`, { method: 'PUT', body: JSON.stringify(plan), headers: { 'content-type': 'application/json' } })
    await put.body.dump()
    expect(put.statusCode).toBe(200)
    expect((await post(r, agent, `/a.${'x'.repeat(60)}`, '[{"a":1}]')).status).toBe(200)
    expect((await post(r, agent, '/a.xxxxxxxxy', '[{"a":1}]')).status).toBe(503)
  })
})
