/**
 * The receiver's flags of `fake-fluentd serve` as a black box (run `npm run build` first): repeated
 * --require-header, the deadline and cap flags, the body limits, and Fluentd's own log lines on stdout.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runCli, spawnServe } from '../../helpers/cli.js'

const tmp = () => mkdtempSync(join(tmpdir(), 'ff-serve-rcv-'))

describe('serve: receiver flags', () => {
  it('--require-header twice: both headers are required; a 400 prints Fluentd\'s [error] line on stdout', async () => {
    const s = await spawnServe(['--port', '0', '--admin-port', '0', '--cert-dir', tmp(), '--require-header', 'X-A: 1', '--require-header', 'X-B: 2'])
    onTestFinished(() => void s.stop())
    const agent = new Agent({ connect: { ca: readFileSync(s.caPath!, 'utf8') } })
    onTestFinished(() => agent.close())
    const post = async (headers: Record<string, string>) => {
      const res = await request(`${s.ingestUrl}/w`, { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json', ...headers }, dispatcher: agent })
      await res.body.dump()
      return res.statusCode
    }
    expect(await post({ 'x-a': '1' })).toBe(401)
    expect(await post({ 'x-b': '2' })).toBe(401)
    expect(await post({ 'x-a': '1', 'x-b': '2' })).toBe(200)
    const res = await request(`${s.ingestUrl}/w`, { method: 'POST', body: '{}', headers: { 'x-a': '1', 'x-b': '2' }, dispatcher: agent })
    expect(res.statusCode).toBe(400)
    await res.body.dump()
    const line = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \[error\]: #0 failed to process request error_class=RuntimeError error="'json', 'ndjson' or 'msgpack' parameter is required"$/m
    const t0 = Date.now()
    while (!line.test(s.stdout()) && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20))
    expect(s.stdout()).toMatch(line)
  })

  it('--inflate-limit, --max-records, --max-record-size answer 413; --journal-body-max cuts the body text; --journal-max-bytes bounds memory', async () => {
    const dir = tmp()
    const s = await spawnServe([
      '--port', '0', '--admin-port', 'any', '--output', 'none', '--cert-dir', dir,
      '--inflate-limit', '1k', '--max-records', '3', '--max-record-size', '64', '--journal-body-max', '8', '--journal-max-bytes', '4k',
    ])
    onTestFinished(() => void s.stop())
    const agent = new Agent({ connect: { ca: readFileSync(s.caPath!, 'utf8') } })
    onTestFinished(() => agent.close())
    const post = async (path: string, body: string | Buffer, headers: Record<string, string> = {}) => {
      const res = await request(`${s.ingestUrl}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, dispatcher: agent })
      await res.body.dump()
      return res.statusCode
    }
    const { gzipSync } = await import('node:zlib')
    expect(await post('/z', gzipSync(`[${'{"a":1},'.repeat(200)}{"a":1}]`), { 'content-encoding': 'gzip' })).toBe(413)
    expect(await post('/n', '[{"a":1},{"a":2},{"a":3},{"a":4}]')).toBe(413)
    expect(await post('/s', `[{"a":"${'x'.repeat(100)}"}]`)).toBe(413)
    expect(await post('/ok', '[{"a":1},{"a":2},{"a":3}]')).toBe(200)
    const res = await request(`${s.adminUrl}/api/requests?tag=ok`)
    const [entry] = (await res.body.json()) as Array<{ body: string; bodyTruncated?: boolean; events: unknown[] }>
    expect(entry).toMatchObject({ body: '[{"a":1}', bodyTruncated: true })
    expect(entry!.events).toHaveLength(3)
    // A 4 KiB memory budget keeps only the newest entries (each is charged at least 1 KiB).
    for (let i = 0; i < 10; i++) expect(await post('/m', `{"i":${i}}`)).toBe(200)
    const all = (await (await request(`${s.adminUrl}/api/requests`)).body.json()) as unknown[]
    expect(all.length).toBeLessThanOrEqual(4)
  })

  it('bad deadline and cap values exit 2 naming the flag', async () => {
    for (const [flag, value] of [
      ['--header-timeout', 'soon'],
      ['--request-timeout', '-1s'],
      ['--max-connections', '0'],
      ['--require-header', 'novalue'],
      ['--inflate-limit', 'lots'],
      ['--max-records', '0'],
      ['--max-record-size', '0'],
      ['--journal-max-bytes', '0'],
      ['--journal-body-max', '-1'],
    ] as const) {
      const r = await runCli(['serve', '--port', '0', '--admin-port', '0', flag, value])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(flag)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })
})
