/**
 * "Answered" means the answer's bytes were handed to the socket (issue 19): an answer decided and
 * journaled whose bytes the connection never took is corrected, in memory and by a correction line
 * in the file; and answers queued behind bytes that do not parse go out, in order, before the
 * connection ends, as the real Fluentd does (v1.18: 5 pipelined requests then garbage, 5 answers).
 * Real TLS server on port 0, raw client sockets writing pipelined bytes.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect, type TLSSocket } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { createFaultEngine } from '../../../src/faults/index.js'
import type { JournalEntry } from '../../../src/journal/index.js'
import type { Receiver } from '../../../src/receiver/types.js'
import { startTestReceiver, waitFor } from '../../helpers/receiver.js'

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'ff-sent-')), 'j.ndjson')

const post = (tag: string, i: number): string => {
  const body = `{"i":${i}}`
  return `POST /${tag} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
}

/** A TLS client that records every byte it gets and how the connection ended. */
async function client(r: Receiver): Promise<{ sock: TLSSocket; text: () => string; ended: () => string }> {
  const sock = connect({ port: r.port, host: '127.0.0.1', ca: r.ca, servername: 'localhost' })
  let text = ''
  let ended = 'open'
  sock.on('data', (d: Buffer) => (text += d.toString('latin1')))
  sock.on('error', (e: NodeJS.ErrnoException) => (ended = e.code ?? 'error'))
  sock.on('close', () => (ended = ended === 'open' ? 'closed' : ended))
  await new Promise((resolve) => sock.once('secureConnect', resolve))
  return { sock, text: () => text, ended: () => ended }
}

type Line = Record<string, unknown> & { id?: number; kind: string }
const lines = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line)

/** The file's entries with their correction lines applied (null removes a field), as a reader must. */
function readBack(file: string): Map<number, Line> {
  const byId = new Map<number, Line>()
  for (const l of lines(file)) {
    if (l.kind === 'correction') {
      const e = byId.get(Number(l.corrects))!
      for (const [k, v] of Object.entries(l)) {
        if (k === 'kind' || k === 'corrects') continue
        if (v === null) delete e[k]
        else e[k] = v
      }
    } else if (l.kind !== 'events') byId.set(l.id!, l)
  }
  return byId
}

const answers = (text: string): string[] => [...text.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]!)

describe('an entry says answered only once its bytes were handed to the socket', () => {
  it('an answer decided and written to the file, queued behind a hung request, then the client leaves: corrected to client-aborted', async () => {
    const journalFile = fresh()
    const plan = { rules: [{ match: { tag: 'hang' }, then: { action: 'hang' } }] }
    const r = await startTestReceiver({ journalFile, validate: 'off', faults: createFaultEngine({ plan }) })
    const c = await client(r)
    // One write: the first request hangs (a fault), the second is answered 200 behind it.
    c.sock.write(post('hang', 1) + post('ok', 2))
    const ok = await waitFor(() => r.journal.entries().find((e) => e.tag === 'ok' && e.outcome === 'answered'))
    // Its line is in the file, saying answered 200, while its bytes wait behind the hung answer.
    await waitFor(() => lines(journalFile).find((l) => l.id === ok.id))
    expect(lines(journalFile).find((l) => l.id === ok.id)).toMatchObject({ outcome: 'answered', status: 200 })
    c.sock.destroy()
    const corrected = await waitFor(() => (ok.outcome === 'client-aborted' ? ok : undefined))
    expect(c.text()).toBe('')
    expect(corrected).toMatchObject({ outcome: 'client-aborted', error: 'not answered: the connection ended before the answer was handed to the socket' })
    expect(corrected.status).toBeUndefined()
    await waitFor(() => r.journal.entries().find((e) => e.tag === 'hang' && e.outcome === 'hung'))
    // The file: the answered line, then one correction naming it; read back, no 2xx is claimed.
    const fileLines = lines(journalFile)
    expect(fileLines.filter((l) => l.kind === 'correction')).toEqual([
      { kind: 'correction', corrects: ok.id, outcome: 'client-aborted', status: null, error: 'not answered: the connection ended before the answer was handed to the socket' },
    ])
    expect(fileLines.findIndex((l) => l.kind === 'correction')).toBeGreaterThan(fileLines.findIndex((l) => l.id === ok.id))
    const back = readBack(journalFile)
    expect([...back.values()].filter((e) => e.outcome === 'answered')).toEqual([])
    expect(back.get(ok.id)).toMatchObject({ outcome: 'client-aborted' })
    expect(back.get(ok.id)!.status).toBeUndefined()
    // The delivery was not delivered: the client's retry of the same body is its attempt 2.
    const retry = await client(r)
    retry.sock.write(post('ok', 2))
    await waitFor(() => answers(retry.text()).length === 1)
    const second = await waitFor(() => r.journal.entries().find((e) => e.tag === 'ok' && e.id !== ok.id && e.outcome === 'answered'))
    expect([second.deliveryKey, second.attempt]).toEqual([ok.deliveryKey, 2])
    retry.sock.destroy()
  })

  it('an answer the socket took is never corrected', async () => {
    const journalFile = fresh()
    const r = await startTestReceiver({ journalFile, validate: 'off' })
    const c = await client(r)
    c.sock.write(post('ok', 1) + post('ok', 2))
    await waitFor(() => answers(c.text()).length === 2)
    c.sock.destroy()
    await waitFor(() => c.ended() !== 'open')
    const entries = await waitFor(() => {
      const e = r.journal.entries()
      return e.length === 2 && e.every((x) => x.outcome === 'answered') ? e : undefined
    })
    // Let the server see the close: nothing changes.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(entries.map((e) => [e.outcome, e.status])).toEqual([
      ['answered', 200],
      ['answered', 200],
    ])
    expect(lines(journalFile).filter((l) => l.kind === 'correction')).toEqual([])
  })
})

describe('bytes that do not parse behind pipelined requests', () => {
  it('the requests read in full are all answered, in order, then the connection ends; the journal says exactly that', async () => {
    const journalFile = fresh()
    const r = await startTestReceiver({ journalFile, validate: 'off' })
    const c = await client(r)
    let bytes = ''
    for (let i = 0; i < 5; i++) bytes += post(`p.${i}`, i)
    c.sock.write(bytes + 'GARBAGE\x01\x02 NOT HTTP\r\n\r\n' + post('after', 9))
    await waitFor(() => c.ended() !== 'open', 5000)
    const got = answers(c.text())
    const requests = await waitFor(() => {
      const e = r.journal.entries().filter((x: JournalEntry) => x.kind === 'request' && x.tag !== undefined)
      return e.length === 5 && e.every((x) => x.outcome !== 'pending') ? e : undefined
    })
    expect(got).toEqual(['200', '200', '200', '200', '200'])
    expect(requests.map((e) => [e.tag, e.outcome, e.status])).toEqual([0, 1, 2, 3, 4].map((i) => [`p.${i}`, 'answered', 200]))
    // The answers: keep-alive until the last, which ends the connection (no Connection header, as Fluentd's closing answers).
    expect(c.text().split('HTTP/1.1 ').filter(Boolean).map((a) => a.includes('Connection: Keep-Alive'))).toEqual([true, true, true, true, false])
    const unparseable = r.journal.entries().filter((e) => e.error?.startsWith('unparseable HTTP') === true)
    expect(unparseable.map((e) => e.outcome)).toEqual(['reset'])
    // The file agrees with the client: five 200s, nothing corrected.
    const back = await waitFor(() => {
      const b = readBack(journalFile)
      return b.size === 6 ? b : undefined
    })
    expect([...back.values()].filter((e) => e.status === 200 && e.outcome === 'answered').length).toBe(got.length)
    expect(lines(journalFile).filter((l) => l.kind === 'correction')).toEqual([])
  })
})
