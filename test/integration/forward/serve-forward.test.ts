/**
 * `fake-fluentd serve --forward-port 0` as a black box (run `npm run build` first): the listening
 * line, events from fluent-logger on stdout in Fluentd's format next to in_http's, in_forward's log
 * lines, a forward fault from the shorthand, and the flags' errors.
 */
import { createRequire } from 'node:module'
import { request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { runCli, spawnServe } from '../../helpers/cli.js'
import { pack, rawClient, waitFor } from './helpers.js'

const require = createRequire(import.meta.url)
const logger = require('fluent-logger') as { createFluentSender(p: string, o: Record<string, unknown>): { emit(l: string, d: unknown, cb: (e?: Error) => void): void; end(): void; on(e: string, f: () => void): void } }
const LISTEN_RE = /^fake Fluentd \(in_forward\) listening on tcp:\/\/127\.0\.0\.1:(\d+) {2}\(UDP heartbeat on the same port\)$/m

describe('serve --forward-port', () => {
  it('prints forward events as in_http ones, and in_forward log lines; --forward-fault applies', async () => {
    const s = await spawnServe(['--port', '0', '--admin-port', '0', '--no-tls', '--validate', 'off', '--forward-port', '0', '--forward-chunk-size-warn-limit', '10', '--forward-fault', 'ack,withhold-ack'])
    onTestFinished(() => void s.stop())
    const port = Number(LISTEN_RE.exec(s.stderr())?.[1])
    expect(port).toBeGreaterThan(0)
    const sender = logger.createFluentSender('app', { host: '127.0.0.1', port, requireAckResponse: true, ackResponseTimeout: 2000, enableReconnect: false, internalLogger: { info() {}, error() {} } })
    sender.on('error', () => {})
    onTestFinished(() => sender.end())
    const err = await new Promise<Error | undefined>((r) => sender.emit('web', { via: 'forward' }, (e) => r(e ?? undefined)))
    expect(err).toBeUndefined()
    const http = await request(`${s.ingestUrl}/app.http`, { method: 'POST', body: '{"via":"http"}', headers: { 'content-type': 'application/json' } })
    await http.body.dump()
    const c = await rawClient(port)
    c.socket.write(pack(['app.second', 1767225600, { n: 2 }, { chunk: 'w' }]))
    await waitFor(() => /app\.http: /.test(s.stdout()) && /chunk_size_warn_limit.*app\.second/.test(s.stdout()))
    const lines = s.stdout().split('\n')
    expect(lines.find((l) => l.includes('app.web:'))).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} [+-]\d{4} app\.web: \{"via":"forward"\}$/)
    expect(lines.find((l) => l.includes('app.http:'))).toMatch(/ app\.http: \{"via":"http"\}$/)
    expect(s.stdout()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \[warn\]: #0 Input chunk size is larger than 'chunk_size_warn_limit': tag="app\.web" host="127\.0\.0\.1" limit=10 size=\d+$/m)
    // The second message met `withhold-ack`: no ack, no event printed.
    expect(c.received()).toHaveLength(0)
    expect(s.stdout()).not.toMatch(/app\.second:/)
  })

  it('forward flags without --forward-port, and a bad --forward-fault, exit 2 with one line', async () => {
    const a = await runCli(['serve', '--port', '0', '--admin-port', '0', '--no-tls', '--forward-fault', 'reset'])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/forward flags need --forward-port/)
    const b = await runCli(['serve', '--port', '0', '--admin-port', '0', '--no-tls', '--forward-port', '0', '--forward-fault', 'explode'])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/forward fault "explode": action must be one of/)
  })
})
