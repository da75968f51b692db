/**
 * `serve --keep-alive-timeout`: the silence allowed between keep-alive requests (Fluentd's
 * keepalive_timeout), as a real child process and a raw socket that sends one request and waits.
 */
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { spawnServe } from '../helpers/cli.js'

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
