/**
 * `fake-fluentd replay`: the requests of a serve --journal file sent again to another serve, in
 * order, with their path, query, Content-Type and body; timing kept (compressed by --speed) or not.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { runCli, spawnServe } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'ff-replay-'))

/** A journal file of three requests 400 ms apart, written by a real serve. */
async function recorded(): Promise<string> {
  const file = join(dir, `j-${Math.random().toString(36).slice(2)}.ndjson`)
  const a = await spawnServe(['--port', '0', '--admin-port', 'off', '--no-tls', '--output', 'none', '--journal', file])
  const post = async (path: string, body: string, type: string): Promise<void> => {
    const r = await request(`${a.ingestUrl}${path}`, { method: 'POST', body, headers: { 'content-type': type } })
    await r.body.text()
  }
  await post('/wallarm?x=1', '[{"n":1}]', 'application/json')
  await new Promise((r) => setTimeout(r, 400))
  await post('/other', '{"n":2}\n{"n":3}\n', 'application/x-ndjson')
  await new Promise((r) => setTimeout(r, 400))
  await post('/wallarm', '[{"n":4}]', 'application/json')
  await a.stop()
  return file
}

describe('fake-fluentd replay', () => {
  it('sends every request again, in order, with path, query, Content-Type and body; --speed 2 halves the waits', async () => {
    const file = await recorded()
    const b = await spawnServe(['--port', '0', '--admin-port', 'off', '--no-tls', '--output', 'json'])
    const started = Date.now()
    const r = await runCli(['replay', file, '--url', b.ingestUrl, '--speed', '2'])
    const took = Date.now() - started
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^replaying 3 request\(s\) from .* timing kept at 2x speed$/m)
    expect(r.stdout).toMatch(/^#1 POST \/wallarm\?x=1 -> 200 at /m)
    expect(r.stdout).toContain('3 answered, 0 without an answer')
    // Two waits of 400 ms at twice the speed: at least 400 ms in all.
    expect(took).toBeGreaterThanOrEqual(400)
    await new Promise((res) => setTimeout(res, 200))
    const got = b.stdout().trim().split('\n').map((l) => JSON.parse(l) as { url: string; contentType: string; body: string })
    expect(got.map((e) => [e.url, e.contentType, e.body])).toEqual([
      ['/wallarm?x=1', 'application/json', '[{"n":1}]'],
      ['/other', 'application/x-ndjson', '{"n":2}\n{"n":3}\n'],
      ['/wallarm', 'application/json', '[{"n":4}]'],
    ])
    await b.stop()
  })

  it('--no-wait sends them one after the other; no answer is exit 1; bad arguments exit 2 naming them', async () => {
    const file = await recorded()
    const closed = await runCli(['replay', file, '--url', 'http://127.0.0.1:1', '--no-wait'])
    expect(closed.code).toBe(1)
    expect(closed.stdout).toMatch(/^#1 POST \/wallarm\?x=1 -> no answer \(ECONNREFUSED\)/m)
    expect(closed.stdout).toContain('0 answered, 3 without an answer')
    const bad = join(dir, 'bad.ndjson')
    writeFileSync(bad, '{ nope\n')
    for (const [args, text] of [
      [['replay', join(dir, 'nope.ndjson'), '--url', 'http://127.0.0.1:1'], 'cannot read the journal file'],
      [['replay', bad, '--url', 'http://127.0.0.1:1'], 'line 1 is not JSON'],
      [['replay', file], "required option '--url <url>' not specified"],
      [['replay', file, '--url', 'ftp://x'], '--url'],
      [['replay', file, '--url', 'http://127.0.0.1:1', '--speed', '0'], '--speed'],
    ] as Array<[string[], string]>) {
      const r = await runCli(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toContain(text)
    }
    expect(readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(3)
  })
})
