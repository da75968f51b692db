/**
 * Issue 15 item 4, measured on the real `serve` process: 20 subscribers of /api/stream that never
 * read, plus big POSTs, do not grow its memory with every change (before: each change was serialized
 * in full for each subscriber and buffered without limit: 20 x 4 MiB per POST here).
 * Bounded: 20 streams, 12 POSTs of 4 MiB; the figure is printed, the bound is asserted.
 */
import { readFileSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { spawnServe } from '../../helpers/cli.js'

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1] ?? 0) / 1024
}

const SUBSCRIBERS = 20
const POSTS = 12
// One 4 MiB record: over the default --max-record-size (1 MiB), raised for this test.
const BODY = JSON.stringify([{ summary: 'big', blob: 'x'.repeat(4 * 1024 * 1024) }])

describe('SSE memory under non-reading subscribers', () => {
  it('20 subscribers that never read + 12 POSTs of 4 MiB: RSS stays bounded, ingest answers every POST', async () => {
    const serve = await spawnServe(['--port', '0', '--admin-port', 'any', '--no-tls', '--output', 'none', '--validate', 'off', '--max-record-size', '8m'])
    const admin = new URL(serve.adminUrl!)
    const sockets: Socket[] = []
    for (let i = 0; i < SUBSCRIBERS; i++) {
      const s = connect(Number(admin.port), '127.0.0.1')
      s.on('error', () => undefined)
      await new Promise<void>((resolve) => s.once('connect', resolve))
      s.pause()
      s.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`)
      sockets.push(s)
    }
    // Warm up (first request, JIT), then measure.
    expect((await fetch(`${serve.ingestUrl}/warm`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY })).status).toBe(200)
    const pid = serve.child.pid!
    const before = rssMiB(pid)
    for (let i = 0; i < POSTS; i++) {
      const res = await fetch(`${serve.ingestUrl}/big`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: BODY })
      expect(res.status).toBe(200)
    }
    const health = (await (await fetch(`${serve.adminUrl!}/api/health`)).json()) as { streams: { open: number; dropped: number } }
    const after = rssMiB(pid)
    console.log(`serve RSS: ${before.toFixed(0)} MiB before, ${after.toFixed(0)} MiB after ${POSTS} x 4 MiB POSTs with ${SUBSCRIBERS} non-reading streams (streams ${JSON.stringify(health.streams)})`)
    // Summaries only: the streams hold a few KB each. The journal keeps the events of every POST
    // (12 x 4 MiB plus the parsing garbage): 200 MiB is far below the 20 x 12 x 4 MiB = 960 MiB
    // that per-subscriber full entries would buffer.
    expect(after - before).toBeLessThan(200)
    expect(health.streams.open).toBe(SUBSCRIBERS)
    for (const s of sockets) s.destroy()
  })
})
