/**
 * Journal: entries on arrival, completion, the bounded ring, the NDJSON file, and the printers.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { ManualClock } from '../../../src/clock/index.js'
import { createJournal } from '../../../src/journal/journal.js'
import type { JournalEntry } from '../../../src/journal/types.js'
import { formatFluentdLine } from '../../../src/receiver/fluentd-format.js'
import { formatFluentdLogLine } from '../../../src/receiver/fluentd-log.js'
import { agentFor, rawExchange, startTestReceiver, waitFor } from '../../helpers/receiver.js'

const post = (url: string, body: string, agent: ReturnType<typeof agentFor>, path = '/wallarm') =>
  request(`${url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: agent })

describe('journal', () => {
  it('records a request on arrival (pending) before it is answered', async () => {
    const clock = new ManualClock()
    const r = await startTestReceiver({
      clock,
      faults: {
        decideConnection: () => ({ delayMs: 0, action: { type: 'accept' } }),
        decideRequest: () => ({ delayMs: 400, action: { type: 'pass' } }),
        describe: () => ({}),
        setPlan: () => {},
        clear: () => {},
        resetCounters: () => {},
      },
    })
    const seen: string[] = []
    r.journal.subscribe((c) => c.entry && seen.push(`${c.type}:${c.entry.outcome}`))
    const pending = post(r.url, '{"a":1}', agentFor(r))
    const e = await waitFor(() => r.journal.entries().at(-1)?.deliveryKey !== undefined && r.journal.entries().at(-1))
    expect(e.outcome).toBe('pending')
    expect(e.endedAt).toBeUndefined()
    await clock.advance(399)
    expect(e.outcome).toBe('pending')
    await clock.advance(1)
    await (await pending).body.dump()
    expect(e.outcome).toBe('answered')
    expect(e.endedMono! - e.receivedMono).toBe(400)
    // The body read is an update in flight; 'completed' comes once, with the final answer (an
    // 'updated' may follow with the time the answer was fully sent).
    expect(seen.slice(0, 3)).toEqual(['added:pending', 'updated:pending', 'completed:answered'])
    expect(seen.filter((s) => s.startsWith('completed'))).toHaveLength(1)
  })

  it('ring keeps the newest journalMax entries; filters by tag, since, status, limit', async () => {
    const r = await startTestReceiver({ journalMax: 3 })
    const agent = agentFor(r)
    for (const tag of ['a', 'b', 'a', 'c', 'a']) await (await post(r.url, '{}', agent, `/${tag}`)).body.dump()
    expect(r.journal.entries().map((e) => e.id)).toEqual([3, 4, 5])
    expect(r.journal.entries({ tag: 'a' }).map((e) => e.id)).toEqual([3, 5])
    expect(r.journal.entries({ since: 3 }).map((e) => e.id)).toEqual([4, 5])
    expect(r.journal.entries({ limit: 1 }).map((e) => e.id)).toEqual([5])
    expect(r.journal.entries({ since: 3, limit: 1 }).map((e) => e.id)).toEqual([4])
    expect(r.journal.entries({ status: 200 }).length).toBe(3)
    r.journal.clear()
    expect(r.journal.entries()).toEqual([])
  })

  it('bodies are truncated to journalBodyMax', async () => {
    const r = await startTestReceiver({ journalBodyMax: 10 })
    await (await post(r.url, '{"a":"0123456789"}', agentFor(r))).body.dump()
    const e = r.journal.entries().at(-1)!
    expect(e).toMatchObject({ body: '{"a":"0123', bodyTruncated: true, bodySize: 18 })
  })

  it('file: a 2xx event is in the file when the client sees the answer; unanswered entries when they end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-journal-'))
    const file = join(dir, 'journal.ndjson')
    const r = await startTestReceiver({ journalFile: file })
    const res = await post(r.url, '[{"n":1},{"n":2}]', agentFor(r))
    // Read the file the moment the status is known: the line must already be there.
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as JournalEntry)
    expect(res.statusCode).toBe(200)
    await res.body.dump()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ status: 200, outcome: 'answered', tag: 'wallarm' })
    expect(lines[0]!.events!.map((e) => e.record)).toEqual([{ n: 1 }, { n: 2 }])
    await rawExchange(r.url.replace('https:', 'http:'), 'GET / HTTP/1.1\r\n\r\n', { timeoutMs: 500 })
    await waitFor(() => readFileSync(file, 'utf8').includes('"tls-error"'))
  })

  it('file write fails: the client gets 500, and no subscriber ever saw the entry settled as 2xx', async () => {
    // /dev/full opens for append and fails every write with ENOSPC.
    const errors: unknown[] = []
    const r = await startTestReceiver({ journalFile: '/dev/full', onError: (e) => errors.push(e) })
    const completed: { status?: number; events?: number }[] = []
    r.journal.subscribe((c) => c.type === 'completed' && c.entry && completed.push({ status: c.entry.status, events: c.entry.events?.length }))
    const res = await post(r.url, '[{"n":1}]', agentFor(r))
    const text = await res.body.text()
    expect(res.statusCode).toBe(500)
    expect(text).toMatch(/^500 Internal Server Error\njournal write failed: .*ENOSPC/)
    expect(completed).toEqual([{ status: 500, events: undefined }])
    expect(r.journal.entries().at(-1)).toMatchObject({ status: 500, outcome: 'answered' })
    expect(errors.length).toBeGreaterThan(0)
  })

  it('createJournal alone: close() writes pending entries', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-journal-'))
    const file = join(dir, 'j.ndjson')
    const j = createJournal({ file, max: 2 })
    const a = j.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1 })
    j.complete(a, { outcome: 'answered', status: 200 })
    j.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1 })
    j.close()
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as JournalEntry)
    expect(lines.map((l) => l.outcome)).toEqual(['answered', 'pending'])
  })
})

describe('journal.correct', () => {
  it('an entry settled as answered: outcome and error change, status goes, a correction line follows its line; anything else is left alone', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ff-correct-')), 'j.ndjson')
    const j = createJournal({ file })
    const changes: string[] = []
    j.subscribe((c) => changes.push(`${c.type}${c.corrected === true ? ':corrected' : ''}`))
    const e = j.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1 })
    j.complete(e, { status: 200, outcome: 'answered' })
    const p = j.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1 })
    j.correct(p, { outcome: 'client-aborted', error: 'x' })
    j.correct(e, { outcome: 'client-aborted', error: 'not answered: gone' })
    expect([e.outcome, e.status, e.error, p.outcome]).toEqual(['client-aborted', undefined, 'not answered: gone', 'pending'])
    // Once corrected it is no longer answered: a second correction changes nothing.
    j.correct(e, { outcome: 'reset', error: 'again' })
    j.close()
    expect(changes).toEqual(['added', 'completed', 'added', 'updated:corrected'])
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => [l.kind, l.id ?? l.corrects, l.outcome, l.status])).toEqual([
      ['request', e.id, 'answered', 200],
      ['correction', e.id, 'client-aborted', null],
      ['request', p.id, 'pending', undefined],
    ])
  })
})

describe('printers', () => {
  it('fluentd: one stdout line per event in Fluentd format', async () => {
    let out = ''
    const r = await startTestReceiver({ output: { mode: 'fluentd', write: (t) => (out += t) } })
    await (await post(r.url, '[{"a":1,"s":"é/<>\\u0001"},{"time":1603834606,"b":2}]', agentFor(r))).body.dump()
    await waitFor(() => out.split('\n').length >= 3)
    const lines = out.trim().split('\n')
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d{4} wallarm: \{"a":1,"s":"é\/<>\\u0001"\}$/)
    expect(lines[1]).toBe(formatFluentdLine(1603834606, 'wallarm', { b: 2 }).trimEnd())
  })

  it('fluentd time format: 9 digits, 100 ns precision, local offset', () => {
    const line = formatFluentdLine(Number("1603834606.123456789"), 't', {})
    expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.123456700 [+-]\d{4} t: \{\}\n$/)
  })

  it("Fluentd's log line: time without a fraction, level, #0, Ruby-quoted error", () => {
    const at = Date.UTC(2026, 10, 29, 18, 43, 16, 999)
    const line = formatFluentdLogLine({ type: 'process-failed', level: 'error', at, errorClass: 'TypeError', message: 'say "hi" \\ bye' })
    expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:16 [+-]\d{4} \[error\]: #0 failed to process request error_class=TypeError error="say \\"hi\\" \\\\ bye"\n$/)
    expect(formatFluentdLogLine({ type: 'decode-failed', level: 'warn', at, message: 'not in gzip format' })).toMatch(/ \[warn\]: #0 fails to decode payload error="not in gzip format"\n$/)
    expect(formatFluentdLogLine({ type: 'ssl-error', level: 'warn', at, message: 'SSL_read: unexpected eof while reading' })).toMatch(
      / \[warn\]: #0 close socket due to unexpected ssl error: SSL_read: unexpected eof while reading\n$/,
    )
  })

  it('json: one journal entry per line', async () => {
    let out = ''
    const r = await startTestReceiver({ output: { mode: 'json', write: (t) => (out += t) } })
    await (await post(r.url, '{"a":1}', agentFor(r))).body.dump()
    await waitFor(() => out.includes('\n'))
    expect(JSON.parse(out.trim())).toMatchObject({ tag: 'wallarm', status: 200 })
  })
})

describe('connections that never became requests', () => {
  it('a client that rejects the certificate after the handshake leaves a closed connection entry', async () => {
    const r = await startTestReceiver()
    // No CA: undici completes the TLS handshake, then rejects the self-signed chain and closes.
    const err = await request(`${r.url}/wallarm`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }).then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    )
    expect(err?.code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/)
    const entry = await waitFor(() => r.journal.entries().find((e) => e.kind === 'connection' || e.kind === 'tls-error'))
    // Node's TLS client verifies after the handshake, so the server sees a clean handshake and a close.
    expect(entry).toMatchObject({ kind: 'connection', outcome: 'closed' })
    expect(entry.tls?.protocol).toBe('TLSv1.2')
    expect(r.journal.entries().filter((e) => e.kind === 'request')).toHaveLength(0)
  })

  it('a connection that carried requests leaves no extra entry when it closes', async () => {
    const r = await startTestReceiver()
    const agent = agentFor(r, false)
    const res = await request(`${r.url}/wallarm`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json' }, dispatcher: agent })
    await res.body.dump()
    await agent.close()
    // A request on a new connection: the server has seen the first one close by the time it is answered.
    await rawExchange(r.url, 'GET / HTTP/1.1\r\n\r\n', { ca: r.ca, timeoutMs: 500 })
    expect(r.journal.entries().map((e) => [e.kind, e.method])).toEqual([
      ['request', 'POST'],
      ['request', 'GET'],
    ])
  })
})
