/**
 * Issue 15 reproductions that need the receiver's connection work (items 5, 8 and 9): header and
 * request deadlines, a connection cap that keeps the admin API reachable, one true journal entry per
 * event, and SIGTERM while busy.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Agent, request } from 'undici'
import { spawnServe, type ServeProcess } from '../../helpers/cli.js'
import { httpRequest, rawExchange } from '../../helpers/receiver.js'
import { auditJournalFile } from './load.js'

async function serve(extra: string[]): Promise<{ s: ServeProcess; ca: string; port: number; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'ff-conn-'))
  const file = join(dir, 'j.ndjson')
  const s = await spawnServe(['--port', '0', '--admin-port', 'any', '--output', 'none', '--journal', file, '--cert-dir', join(dir, 'certs'), ...extra], { timeoutMs: 30_000 })
  const ca = readFileSync(s.caPath!, 'utf8')
  return { s, ca, port: Number(new URL(s.ingestUrl).port), file }
}

/** A TLS connection that sends `head` one byte every `everyMs`; resolves with how it ended and the bytes it sent. */
function dribble(port: number, ca: string, head: string, everyMs: number, giveUpMs: number): Promise<{ ending: string; sent: number }> {
  return new Promise((resolve) => {
    let sent = 0
    let timer: NodeJS.Timeout | undefined
    const sock: TLSSocket = tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () => {
      timer = setInterval(() => {
        if (sent < head.length) sock.write(head[sent++]!)
      }, everyMs)
    })
    const done = (ending: string): void => {
      clearInterval(timer)
      clearTimeout(giveUp)
      sock.destroy()
      resolve({ ending, sent })
    }
    const giveUp = setTimeout(() => done('still open'), giveUpMs)
    sock.on('error', (e: Error & { code?: string }) => done(`error:${e.code ?? e.message}`))
    sock.on('close', () => done('closed'))
  })
}

describe('issue 15: connections', () => {
  it('a client that sends one header byte every 500 ms is cut by --header-timeout and journaled once', async () => {
    const { s, ca, port, file } = await serve(['--header-timeout', '2s'])
    const r = await dribble(port, ca, 'POST /loris HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(100), 500, 20_000)
    expect(r.ending).not.toBe('still open')
    expect(r.sent).toBeLessThan(30)
    await s.stop()
    const entries = auditJournalFile(file).entries
    expect(entries).toHaveLength(1)
    expect(entries[0]!.error).toMatch(/header/)
  })

  it('with --max-connections 50, the 51st connection is refused, the admin API still answers, and a client gets in once one closes', async () => {
    const { s, ca, port } = await serve(['--max-connections', '50'])
    const socks: TLSSocket[] = []
    const opened = await Promise.all(
      Array.from({ length: 50 }, () => new Promise<boolean>((res) => {
        const sock = tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () => res(true))
        sock.on('error', () => res(false))
        socks.push(sock)
      })),
    )
    expect(opened.every(Boolean)).toBe(true)
    const extra = await rawExchange(s.ingestUrl, httpRequest('POST', '/t', '{}', { 'Content-Type': 'application/json' }), { ca, timeoutMs: 5000 })
    expect(extra.text).not.toMatch(/^HTTP\/1\.1 200/)
    const health = await request(`${s.adminUrl}/api/health`)
    expect(health.statusCode).toBe(200)
    await health.body.dump()
    for (const sock of socks) sock.destroy()
    const agent = new Agent({ connect: { ca } })
    let status = 0
    for (let i = 0; i < 50 && status !== 200; i++) {
      try {
        const res = await request(`${s.ingestUrl}/t`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, dispatcher: agent })
        status = res.statusCode
        await res.body.dump()
      } catch {
        await new Promise((res) => setTimeout(res, 100))
      }
    }
    expect(status).toBe(200)
    await agent.close()
  })

  it('each connection the parser or TLS resets is journaled once, with the right label, and no false "no request" entry', async () => {
    const { s, ca, file } = await serve([])
    const url = s.ingestUrl
    await rawExchange(url, `GET /t HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`, { ca, timeoutMs: 3000 })
    await rawExchange(url, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', { ca, timeoutMs: 3000 })
    await rawExchange(url, 'POST /t\u0000x HTTP/1.1\r\nHost: x\r\n\r\n', { ca, timeoutMs: 3000 })
    await rawExchange(url.replace('https:', 'http:'), 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', { timeoutMs: 3000 })
    await s.stop()
    const entries = auditJournalFile(file).entries
    const perConnection = new Map<number, number>()
    for (const e of entries) perConnection.set(e.connectionId, (perConnection.get(e.connectionId) ?? 0) + 1)
    expect([...perConnection.values()]).toEqual([1, 1, 1, 1])
    expect(entries.filter((e) => /did it reject the certificate/.test(e.error ?? ''))).toEqual([])
    expect(entries.filter((e) => e.kind === 'tls-error')).toHaveLength(1)
  })

  it('SIGTERM while a 10,000-record batch is being processed: serve exits at once and answers nothing after the signal', async () => {
    const { s, ca } = await serve(['--validate', 'warn'])
    const agent = new Agent({ connect: { ca } })
    const batch = '[' + Array.from({ length: 10_000 }, (_, i) => JSON.stringify({ i, summary: 'x'.repeat(500) })).join(',') + ']'
    const answer = request(`${s.ingestUrl}/t`, { method: 'POST', body: batch, headers: { 'content-type': 'application/json' }, dispatcher: agent }).then(
      (res) => res.statusCode,
      () => 'no answer',
    )
    // The signal goes once the whole body is in (the entry has its bodySize) and the answer is not out
    // yet: parsing and validating 10,000 records is still ahead of it.
    let entry: { bodySize?: number; outcome?: string } = {}
    for (let i = 0; i < 2000 && entry.bodySize === undefined; i++) {
      const res = await request(`${s.adminUrl}/api/requests/1`)
      entry = res.statusCode === 200 ? ((await res.body.json()) as typeof entry) : (await res.body.dump(), {})
    }
    expect(entry).toMatchObject({ outcome: 'pending' })
    const stopped = await s.stop('SIGTERM')
    expect(stopped.code).toBe(0)
    expect(await answer).not.toBe(200)
    await agent.close()
  })
})
