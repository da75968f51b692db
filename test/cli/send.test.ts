/** `fake-fluentd send` as a black box: the built binary against a local HTTPS peer. Run `npm run build` first. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { peerForTest } from '../helpers/test-peer.js'

const peer = peerForTest

/** At scale 0.001 the default timeouts would be 15/20 ms; these keep them ~1 s. */
const roomy = ['--request-timeout', '1000s', '--connect-timeout', '1000s']

describe('fake-fluentd send', () => {
  it('exits 0 when delivered, printing each attempt with its cycle, outcome and next retry', async () => {
    const p = await peer([{ status: 500 }, { status: 302, headers: { location: '/x' } }], { status: 204 })
    const r = await runCli(['send', '--url', p.url, '--ca', p.caFile, '--type', 'create_user', '--time-scale', '0.01'])
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('attempt'))
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^attempt 1 \(first\) HTTP 500 at \+\d+\.\d{3} s, took .*; next retry in 10 ms \(1 s at scale 1\), cycle 1\.1$/)
    expect(lines[1]).toMatch(/^attempt 2 \(cycle 1\.1\) HTTP 302 .*next retry in 30 ms \(3 s at scale 1\), cycle 1\.2$/)
    expect(lines[2]).toMatch(/^attempt 3 \(cycle 1\.2\) HTTP 204 .*; delivered$/)
    expect(r.stdout).toContain('delivered after 3 attempt(s)')
    expect(p.requests).toHaveLength(3)
    const body = JSON.parse(p.requests[0]!.body) as Array<{ details: { notification_type: string } }>
    expect(body[0]!.details.notification_type).toBe('create_user')
  })

  it('sends PUT, headers and NDJSON from --file, and accepts --insecure', async () => {
    const p = await peer()
    const dir = mkdtempSync(join(tmpdir(), 'ff-send-'))
    const file = join(dir, 'n.ndjson')
    writeFileSync(file, '{"summary":"a","details":{"notification_type":"x"}}\n{"summary":"b","details":{"notification_type":"y"}}\n')
    const r = await runCli(['send', '--url', p.url, '--insecure', '--file', file, '--format', 'ndjson', '--method', 'PUT', '--header', 'X-Auth-Token: abc', '--header', 'X-Env:ci'])
    expect(r.code).toBe(0)
    const req = p.requests[0]!
    expect(req.method).toBe('PUT')
    expect(req.headers['x-auth-token']).toBe('abc')
    expect(req.headers['x-env']).toBe('ci')
    expect(req.headers['content-type']).toBe('application/x-ndjson')
    expect(req.body.trim().split('\n')).toHaveLength(2)
  })

  it('exits 3 when dropped after the last cycle (17 attempts)', async () => {
    const p = await peer([], { status: 503 })
    const r = await runCli(['send', '--url', p.url, '--ca', p.caFile, '--time-scale', '0.001', ...roomy])
    expect(r.code).toBe(3)
    expect(r.stdout.split('\n').filter((l) => l.startsWith('attempt'))).toHaveLength(17)
    expect(r.stdout).toMatch(/attempt 17 \(cycle 3\.6\) HTTP 503 .*no retry left/)
    expect(r.stdout).toContain('dropped after 17 attempts')
  }, 20_000)

  it('refuses an untrusted certificate (TLS error on every attempt) without --ca', async () => {
    const p = await peer()
    const r = await runCli(['send', '--url', p.url, '--time-scale', '0.0001', ...roomy])
    expect(r.code).toBe(3)
    expect(r.stdout).toMatch(/attempt 1 \(first\) TLS error [A-Z_]+/)
    // One hint, not one per attempt: what to pass so that the certificate is trusted.
    expect(r.stderr.match(/hint: [A-Z_]+: the server certificate is not trusted; give its CA with --ca FILE \(serve prints the path\), or --insecure/g)).toHaveLength(1)
    expect(p.requests).toHaveLength(0)
  }, 20_000)

  it('exits 4 when two concurrent failing deliveries disable the integration', async () => {
    const p = await peer([], { status: 500 })
    const r = await runCli(['send', '--url', p.url, '--ca', p.caFile, '--time-scale', '0.001', '--count', '2', ...roomy])
    expect(r.code).toBe(4)
    expect(r.stdout).toMatch(/integration disabled: 2\d of 2\d attempts failed/)
    expect(r.stdout).toContain('"notification_type":"integration_broken"')
  }, 20_000)

  it('runs another profile from a file (exponential backoff with jitter)', async () => {
    const p = await peer([], { status: 500 })
    const r = await runCli(['send', '--url', p.url, '--ca', p.caFile, '--profile', 'profiles/exponential-jitter.json', '--seed', '3', '--time-scale', '0.0001', ...roomy])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('profile exponential-jitter')
    expect(r.stdout.split('\n').filter((l) => l.startsWith('attempt'))).toHaveLength(9)
  }, 20_000)

  it('exits 2 on bad arguments', async () => {
    const p = await peer()
    const cases = [
      ['send', '--type', 'create_user'],
      ['send', '--url', p.url, '--method', 'GET'],
      ['send', '--url', p.url, '--type', 'no_such_type'],
      ['send', '--url', p.url, '--header', 'no-colon'],
      ['send', '--url', p.url, '--request-timeout', 'soon'],
      ['send', '--url', p.url, '--time-scale', '-1'],
      ['send', '--url', p.url, '--profile', 'missing/profile.json'],
      ['send', '--url', p.url, '--file', 'missing.json'],
      ['send', '--url', 'ftp://x', '--type', 'create_user'],
    ]
    for (const args of cases) {
      const r = await runCli(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.length, args.join(' ')).toBeGreaterThan(0)
    }
    expect(p.requests).toHaveLength(0)
  }, 30_000)
})

describe('fake-fluentd send --contract', () => {
  it('reads settings from the env and deliveries from stdin, prints JSON-line events, exits when done', async () => {
    const p = await peer([{ status: 500 }], { status: 200 })
    const env = {
      FLUENTD_URL: p.url,
      WEBHOOK_METHOD: 'PUT',
      WEBHOOK_HEADERS: '{"X-Auth-Token":"abc"}',
      WEBHOOK_CA_FILE: p.caFile,
      WEBHOOK_VERIFY_TLS: 'true',
      WEBHOOK_FORMAT: 'json',
      WEBHOOK_REQUEST_TIMEOUT_MS: '15000',
      WEBHOOK_CONNECT_TIMEOUT_MS: '20000',
      WEBHOOK_TIME_SCALE: '0.01',
    }
    const input = '{"summary":"one","details":{"notification_type":"a"}}\n[{"summary":"two"},{"summary":"three"}]\n'
    const r = await runCli(['send', '--contract'], { env, input })
    expect(r.code).toBe(0)
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; delivery?: number; ok?: boolean })
    expect(events.filter((e) => e.event === 'attempt')).toHaveLength(3)
    expect(events.filter((e) => e.event === 'delivered').map((e) => e.delivery).sort()).toEqual([1, 2])
    expect(p.requests.every((q) => q.method === 'PUT' && q.headers['x-auth-token'] === 'abc')).toBe(true)
    const bodies = p.requests.map((q) => JSON.parse(q.body) as unknown[])
    // One request failed (500) and was retried: three requests, bodies of one and of two notifications.
    expect(bodies).toHaveLength(3)
    expect(new Set(bodies.map((b) => b.length))).toEqual(new Set([1, 2]))
  })

  it('prints {"event":"disabled"} when the integration is disabled', async () => {
    const p = await peer([], { status: 503 })
    const env = { FLUENTD_URL: p.url, WEBHOOK_CA_FILE: p.caFile, WEBHOOK_TIME_SCALE: '0.001', WEBHOOK_REQUEST_TIMEOUT_MS: '1000000', WEBHOOK_CONNECT_TIMEOUT_MS: '1000000' }
    const r = await runCli(['send', '--contract'], { env, input: '{"summary":"a"}\n{"summary":"b"}\n' })
    expect(r.code).toBe(0)
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string })
    expect(events.filter((e) => e.event === 'disabled')).toHaveLength(1)
  }, 20_000)

  it('exits 2 without FLUENTD_URL', async () => {
    const r = await runCli(['send', '--contract'], { env: { FLUENTD_URL: '' }, input: '' })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('FLUENTD_URL')
  })
})
