/**
 * The receiver's flags of `fake-fluentd serve` as a black box (run `npm run build` first): repeated
 * --require-header, the deadline and cap flags, and Fluentd's own log lines on stdout.
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

  it('bad deadline and cap values exit 2 naming the flag', async () => {
    for (const [flag, value] of [
      ['--header-timeout', 'soon'],
      ['--request-timeout', '-1s'],
      ['--max-connections', '0'],
      ['--require-header', 'novalue'],
    ] as const) {
      const r = await runCli(['serve', '--port', '0', '--admin-port', '0', flag, value])
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(flag)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })
})
