/**
 * `serve --keep-alive-timeout` (the silence allowed between keep-alive requests, Fluentd's
 * keepalive_timeout), `--max-header-size` (the request head's bound) and `--max-record-depth`, as a
 * real child process and raw sockets.
 */
import { connect } from 'node:net'
import { request } from 'undici'
import { describe, expect, it } from 'vitest'
import { runCli, spawnServe } from '../helpers/cli.js'

const REQUEST = 'POST /ka HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'

/** Sends one request on a kept-alive connection; resolves with the ms from its answer to the server's close, or undefined if still open after `watchMs`. */
function silenceUntilClosed(port: number, watchMs: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(REQUEST))
    let answeredAt = 0
    let text = ''
    sock.on('data', (b) => {
      text += b.toString('latin1')
      if (answeredAt === 0 && text.includes('\r\n\r\n')) {
        answeredAt = performance.now()
        setTimeout(() => {
          sock.destroy()
          resolve(undefined)
        }, watchMs)
      }
    })
    sock.on('error', () => {})
    sock.on('close', () => (answeredAt === 0 ? reject(new Error(`closed before an answer: ${text}`)) : resolve(performance.now() - answeredAt)))
  })
}

/** Each value of the flag makes serve exit 2 with commander's one-line error naming it, no stack trace. */
async function refusesValues(flagWithValue: string, values: string[]): Promise<void> {
  for (const value of values) {
    const r = await runCli(['serve', '--no-tls', '--port', '0', '--admin-port', 'off', flagWithValue.split(' ')[0]!, value])
    expect({ value, code: r.code }).toEqual({ value, code: 2 })
    expect(r.stderr).toContain(`option '${flagWithValue}' argument`)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  }
}

describe('serve --keep-alive-timeout', () => {
  it('closes a silent keep-alive connection after the given silence; 0 keeps it open', async () => {
    const short = await spawnServe(['--no-tls', '--port', '0', '--admin-port', 'off', '--output', 'none', '--keep-alive-timeout', '1s'])
    const port = Number(new URL(short.ingestUrl).port)
    const closedAfter = await silenceUntilClosed(port, 6000)
    await short.stop()
    expect(closedAfter).toBeGreaterThanOrEqual(950)
    expect(closedAfter).toBeLessThan(6000)

    const never = await spawnServe(['--no-tls', '--port', '0', '--admin-port', 'off', '--output', 'none', '--keep-alive-timeout', '0', '--idle-timeout', '1s'])
    expect(await silenceUntilClosed(Number(new URL(never.ingestUrl).port), 2500)).toBeUndefined()
    await never.stop()
  }, 30_000)
})

/** The raw bytes a one-request connection gets back, up to the server's close. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(bytes))
    let text = ''
    sock.on('data', (b) => (text += b.toString('latin1')))
    sock.on('error', () => {})
    sock.on('close', () => resolve(text))
  })
}

describe('serve --max-header-size', () => {
  const head = (bytes: number): string => `POST /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: ${'a'.repeat(bytes)}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`

  it('a head beyond it is reset and journaled as a header overflow; one within it is answered', async () => {
    const s = await spawnServe(['--no-tls', '--port', '0', '--admin-port', 'any', '--output', 'none', '--max-header-size', '4k'])
    const port = Number(new URL(s.ingestUrl).port)
    expect(await exchange(port, head(3000))).toMatch(/^HTTP\/1\.1 200 OK\r\n/)
    expect(await exchange(port, head(5000))).toBe('')
    const res = await request(`${s.adminUrl!}/api/requests`)
    const entries = (await res.body.json()) as Array<{ status?: number; outcome?: string; error?: string }>
    expect(entries.map((e) => [e.status ?? null, e.outcome, e.error ?? null])).toEqual([
      [200, 'answered', null],
      [null, 'reset', 'unparseable HTTP: HPE_HEADER_OVERFLOW'],
    ])
    await s.stop()
  }, 30_000)

  it('refuses a value outside 1k..1m with a one-line error naming the flag', () => refusesValues('--max-header-size <size>', ['512', '2m', 'big']))
})

describe('serve --max-record-depth', () => {
  /** A record whose innermost value is `depth` levels down (the record itself is level 1). */
  const nested = (depth: number): string => '{"a":' + '['.repeat(depth - 1) + ']'.repeat(depth - 1) + '}'

  it('a record deeper than it is dropped like invalid JSON (200, nothing emitted); one at it is kept', async () => {
    const s = await spawnServe(['--no-tls', '--port', '0', '--admin-port', 'any', '--output', 'none', '--max-record-depth', '5'])
    const post = async (body: string, type = 'application/json'): Promise<number> => {
      const res = await request(`${s.ingestUrl}/deep`, { method: 'POST', body, headers: { 'content-type': type } })
      await res.body.dump()
      return res.statusCode
    }
    expect(await post(nested(5))).toBe(200)
    expect(await post(`[${nested(6)}]`)).toBe(200)
    expect(await post(`${nested(4)}\n${nested(6)}\n`, 'application/x-ndjson')).toBe(200)
    const res = await request(`${s.adminUrl!}/api/requests`)
    const entries = (await res.body.json()) as Array<{ events?: unknown[] }>
    expect(entries.map((e) => e.events?.length ?? 0)).toEqual([1, 0, 1])
    await s.stop()
  }, 30_000)

  it('refuses a depth outside 1..1000 with a one-line error naming the flag', () => refusesValues('--max-record-depth <n>', ['0', '1001', 'deep']))
})
