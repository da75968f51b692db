/**
 * Every journal entry tells the truth, once: a rejected handshake, a parser reset, a header overflow,
 * a TLS renegotiation attack and a bad chunk size each leave exactly one entry that names what
 * happened, and nothing false on top (no "closed without sending a request" after a parser reset).
 */
import { execFile } from 'node:child_process'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { JournalEntry } from '../../../src/journal/types.js'
import type { Receiver } from '../../../src/receiver/types.js'
import { rawExchange, startTestReceiver, waitFor } from '../../helpers/receiver.js'

const execFileP = promisify(execFile)

/** The entries once every connection of the receiver has closed and been settled. */
async function settledEntries(r: Receiver, count: number): Promise<JournalEntry[]> {
  await waitFor(() => r.journal.entries().length >= count && r.journal.entries().every((e) => e.outcome !== 'pending'))
  // Each test's client has closed its connection; a false entry would be added when the server's
  // socket closes, which a follow-up request on a new connection orders after.
  await rawExchange(r.url, 'GET / HTTP/1.1\r\n\r\n', { ca: r.ca, timeoutMs: 500 })
  return r.journal.entries().filter((e) => e.path !== '/')
}

describe('one entry per event, saying what happened', () => {
  it('a client that rejects the certificate during the handshake (curl without the CA): one tls-error entry', async () => {
    const r = await startTestReceiver()
    const res = await execFileP('curl', ['-sS', '-d', 'json={}', `https://localhost:${r.port}/w`]).catch((e: { code?: number; stderr?: string }) => e)
    expect((res as { code?: number }).code).toBe(60)
    const entries = await settledEntries(r, 1)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ kind: 'tls-error', outcome: 'tls-error' })
    expect(entries[0]!.error).toMatch(/unknown ca/i)
  })

  it('header overflow: one entry naming the parser error, no false "closed without a request" entry', async () => {
    const r = await startTestReceiver()
    const big = `POST /w HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`
    const res = await rawExchange(r.url, big, { ca: r.ca, timeoutMs: 1000 })
    expect(res.text).toBe('')
    const entries = await settledEntries(r, 1)
    expect(entries.map((e) => [e.kind, e.outcome, e.error])).toEqual([['request', 'reset', 'unparseable HTTP: HPE_HEADER_OVERFLOW']])
  })

  it('an HTTP/2 preface and a bad request target: one entry each', async () => {
    const r = await startTestReceiver()
    await rawExchange(r.url, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', { ca: r.ca, timeoutMs: 1000 })
    await rawExchange(r.url, 'POST /a b c HTTP/1.1\r\nHost: x\r\n\r\n', { ca: r.ca, timeoutMs: 1000 })
    const entries = await settledEntries(r, 2)
    expect(entries).toHaveLength(2)
    for (const e of entries) expect(e).toMatchObject({ kind: 'request', outcome: 'reset', error: expect.stringMatching(/^unparseable HTTP: HPE_/) as unknown })
  })

  it('a bad chunk size mid-body: the request itself is reset with the parser error (not "client-aborted"), once', async () => {
    const r = await startTestReceiver()
    const req = 'POST /chunky HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\nzz\r\n'
    await rawExchange(r.url, req, { ca: r.ca, timeoutMs: 1000 })
    const entries = await settledEntries(r, 1)
    expect(entries.map((e) => [e.kind, e.path, e.outcome, e.error])).toEqual([['request', '/chunky', 'reset', 'unparseable HTTP: HPE_INVALID_CHUNK_SIZE']])
  })

  it('TLS renegotiation beyond the limit (ERR_TLS_SESSION_ATTACK) is a TLS error, not "unparseable HTTP"', async () => {
    const r = await startTestReceiver()
    const sock: TLSSocket = await new Promise((resolve, reject) => {
      const s = tlsConnect({ port: r.port, host: '127.0.0.1', ca: r.ca, servername: 'localhost', maxVersion: 'TLSv1.2' }, () => resolve(s))
      s.on('error', reject)
    })
    sock.on('error', () => {})
    const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()))
    for (let i = 0; i < 5 && !sock.destroyed; i++) {
      const renegotiated = new Promise<void>((resolve) => {
        if (!sock.renegotiate({}, () => resolve())) resolve()
      })
      await Promise.race([renegotiated, closed])
    }
    sock.destroy()
    const entries = await settledEntries(r, 1)
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ kind: 'tls-error', outcome: 'tls-error', tls: { code: 'ERR_TLS_SESSION_ATTACK' } })
    expect(entries[0]!.error).toMatch(/^TLS error: ERR_TLS_SESSION_ATTACK/)
  })
})
