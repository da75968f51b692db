/**
 * Soak (issue 8): 10,000 idle connections, a TLS handshake flood and a long mix of hostile input
 * against `fake-fluentd serve` in its own process; the server keeps answering, cuts what idles, and
 * its memory (RSS) comes back down. Run with `npm run test:soak`.
 */
import { readFileSync } from 'node:fs'
import { mkdtempSync } from 'node:fs'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { Agent, request } from 'undici'
import { spawnServe, type ServeProcess } from '../helpers/cli.js'
import { auditJournalFile } from '../integration/robustness/load.js'

const rssMiB = (pid: number): number => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function start(extra: string[] = []): Promise<{ serve: ServeProcess; ca: string; port: number; file: string; agent: Agent }> {
  const dir = mkdtempSync(join(tmpdir(), 'ff-soak-'))
  const file = join(dir, 'journal.ndjson')
  const serve = await spawnServe(['--port', '0', '--admin-port', 'any', '--journal', file, '--output', 'fluentd', '--cert-dir', join(dir, 'certs'), ...extra], { timeoutMs: 30_000 })
  const ca = readFileSync(serve.caPath!, 'utf8')
  return { serve, ca, port: Number(new URL(serve.ingestUrl).port), file, agent: new Agent({ connect: { ca } }) }
}

async function answers(s: { serve: ServeProcess; agent: Agent }, body = '{"alive":1}'): Promise<number> {
  const res = await request(`${s.serve.ingestUrl}/alive`, { method: 'POST', body, headers: { 'content-type': 'application/json' }, dispatcher: s.agent, headersTimeout: 20_000 })
  await res.body.dump()
  return res.statusCode
}

/** Opens `count` connections; counts those the server accepted (TCP connected) and those it cut since. */
function openMany(port: number, count: number, tls: boolean, ca: string): { socks: Socket[]; connected: () => number; closed: () => number } {
  const socks: Socket[] = []
  let closed = 0
  let connected = 0
  for (let i = 0; i < count; i++) {
    const s = tls ? tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost' }) : netConnect({ port, host: '127.0.0.1' })
    let up = false
    s.on('error', () => {})
    s.once('connect', () => {
      up = true
      connected++
    })
    s.once('close', () => {
      if (up) closed++
    })
    socks.push(s)
  }
  return { socks, connected: () => connected, closed: () => closed }
}

describe('soak: connections', () => {
  it('10,000 idle connections (9,000 TCP, 1,000 TLS), twice: still answering, all cut after --idle-timeout, no growth from round to round', async () => {
    // The default --max-connections (1,000) would refuse 9,000 of them (README "Limits"): this run
    // is about holding and cutting idle connections, so it raises the cap (and needs `ulimit -n` above 10,500).
    // --idle-timeout 30 s: opening 10,000 connections (1,000 of them TLS handshakes in this process)
    // took 10-20 s on a busy 2-core machine, and most of them must be open at once before they idle out.
    const s = await start(['--idle-timeout', '30s', '--max-connections', '10500'])
    const pid = s.serve.child.pid!
    expect(await answers(s)).toBe(200)
    const rss: number[] = [rssMiB(pid)]
    for (let round = 1; round <= 2; round++) {
      const groups: ReturnType<typeof openMany>[] = []
      const openStart = Date.now()
      // Paced: the accept queue is 511 deep, and a connection the kernel dropped from a full queue
      // looks established to a silent client forever (no server to time it out).
      // 250 ms apart: on a busy machine the server accepts more slowly, and two groups in its queue at once
      // (120 ms apart) already lost a few dozen connections to the kernel.
      for (let i = 0; i < 36; i++) {
        groups.push(openMany(s.port, 250, false, s.ca))
        await sleep(250)
      }
      for (let i = 0; i < 4; i++) {
        groups.push(openMany(s.port, 250, true, s.ca))
        await sleep(400)
      }
      await sleep(500)
      const openMs = Date.now() - openStart
      const health = await request(`${s.serve.adminUrl}/api/health`)
      const h = (await health.body.json()) as { connections?: number }
      const peak = rssMiB(pid)
      expect(await answers(s)).toBe(200)
      const sum = (f: (g: (typeof groups)[number]) => number): number => groups.reduce((a, g) => a + f(g), 0)
      const total = sum((g) => g.socks.length)
      const deadline = Date.now() + 45_000
      while (sum((g) => g.closed()) < sum((g) => g.connected()) && Date.now() < deadline) await sleep(250)
      const connected = sum((g) => g.connected())
      const closed = sum((g) => g.closed())
      // Connections still in SYN retry (the accept queue overflowed during the flood) are dropped here.
      for (const g of groups) for (const sock of g.socks) sock.destroy()
      await sleep(2000)
      rss.push(rssMiB(pid))
      console.log(`10k idle, round ${round}: opened in ${openMs} ms, ${connected}/${total} accepted, ${h.connections ?? '?'} open at once, ${closed} cut by the idle timeout; RSS peak ${peak.toFixed(0)} MiB, ${rss.at(-1)!.toFixed(0)} MiB after (start ${rss[0]!.toFixed(0)} MiB)`)
      expect(h.connections ?? 0).toBeGreaterThan(7000)
      expect(closed).toBe(connected)
      expect(await answers(s)).toBe(200)
    }
    // node keeps freed memory in its heap; a leak would show as growth from round 1 to round 2.
    expect(rss[2]! - rss[1]!).toBeLessThan(60)
    expect(rss[1]! - rss[0]!).toBeLessThan(250)
    await s.agent.close()
  })

  it('TLS handshake flood (3,000 full handshakes, then closed): served throughout, journaled, RSS bounded', async () => {
    const s = await start()
    const pid = s.serve.child.pid!
    const rss0 = rssMiB(pid)
    let done = 0
    for (let batch = 0; batch < 30; batch++) {
      await Promise.all(
        Array.from({ length: 100 }, () =>
          new Promise<void>((resolve) => {
            const t = tlsConnect({ port: s.port, host: '127.0.0.1', ca: s.ca, servername: 'localhost' }, () => {
              t.destroy()
              done++
              resolve()
            })
            t.on('error', () => resolve())
          }),
        ),
      )
      if (batch % 10 === 0) expect(await answers(s)).toBe(200)
    }
    await sleep(1000)
    const rss1 = rssMiB(pid)
    console.log(`handshake flood: ${done} handshakes, RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MiB`)
    expect(done).toBeGreaterThan(2900)
    expect(rss1 - rss0).toBeLessThan(150)
    expect(s.serve.child.exitCode).toBeNull()
    await s.agent.close()
  })

  it('20 s of mixed hostile input: the process survives, keeps answering, memory stays bounded', async () => {
    const s = await start(['--idle-timeout', '2s', '--body-limit', '1m'])
    const pid = s.serve.child.pid!
    for (let i = 0; i < 200; i++) await answers(s, `{"warm":${i}}`)
    const rss0 = rssMiB(pid)
    const deep = '{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}'
    const cases: (() => Promise<unknown>)[] = [
      () => answers(s, deep),
      () => answers(s, '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}'),
      () => answers(s, `{"s":"${'x'.repeat(900_000)}"}`),
      () => answers(s, 'x'.repeat(2_000_000)).catch(() => 413),
      () => answers(s, '{"a":').catch(() => 0),
      () => answers(s, `{"n":${'9'.repeat(10_000)}}`),
      () =>
        new Promise<void>((resolve) => {
          const raw = netConnect({ port: s.port, host: '127.0.0.1' }, () => raw.end('GET / HTTP/1.1\r\n\r\n'))
          raw.on('error', () => resolve())
          raw.on('close', () => resolve())
        }),
      () =>
        new Promise<void>((resolve) => {
          const t = tlsConnect({ port: s.port, host: '127.0.0.1', ca: s.ca, servername: 'localhost' }, () => t.write('GARBAGE\r\n\r\nPOST /x HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n'))
          t.on('error', () => resolve())
          t.on('close', () => resolve())
        }),
    ]
    const end = Date.now() + 20_000
    let n = 0
    while (Date.now() < end) {
      await Promise.all(Array.from({ length: 4 }, (_, k) => cases[(n + k) % cases.length]!()))
      n += 4
    }
    await sleep(3000)
    const rss1 = rssMiB(pid)
    expect(await answers(s)).toBe(200)
    const audit = auditJournalFile(s.file)
    console.log(`hostile mix: ${n} cases in 20 s, RSS ${rss0.toFixed(0)} → ${rss1.toFixed(0)} MiB, ${audit.entries.length} journal lines, ${audit.badLines.length} bad`)
    expect(audit.badLines).toEqual([])
    expect(s.serve.child.exitCode).toBeNull()
    expect(s.serve.stderr()).not.toMatch(/internal error/)
    // The journal keeps up to 10,000 entries and ~64 MiB (estimated heap): bounded, not zero.
    expect(rss1 - rss0).toBeLessThan(500)
    await s.agent.close()
  })
})
