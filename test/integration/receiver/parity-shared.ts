/**
 * What the in_http parity tests share: Fluentd's exact answers, a raw request builder, and one
 * receiver per test file (printing under --output fluentd, so that Fluentd's own log lines can be read).
 */
import { afterAll, beforeAll } from 'vitest'
import type { Receiver } from '../../../src/receiver/types.js'
import { rawExchange, startTestReceiver } from '../../helpers/receiver.js'

export const OK = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'
export const PARAM_400 =
  "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: Keep-Alive\r\nContent-Length: 68\r\n\r\n400 Bad Request\n'json', 'ndjson' or 'msgpack' parameter is required\n"
/** A processed request answered on a closing connection (Connection: close, HTTP/1.0): Content-Type first. */
export const CLOSED_200 = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n'
/** Fluentd's early answers (send_response_and_close: GET, OPTIONS, 413, 417, undecodable body): Content-Length first. */
export const EARLY_CLOSED_200 = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Type: text/plain\r\n\r\n'
export const closedEnding = ['end', 'reset']

/** A raw POST request with a Host and a Content-Length, and `headers` in the order given. */
export function post(path: string, body: string | Buffer, headers: Record<string, string> = {}): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body
  const head = [`POST ${path} HTTP/1.1`, 'Host: localhost', `Content-Length: ${b.length}`]
  for (const [k, v] of Object.entries(headers)) head.push(`${k}: ${v}`)
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n'), b])
}

export interface ParityReceiver {
  /** The receiver (started before the file's tests). */
  readonly r: Receiver
  /** What it printed under --output fluentd: events and Fluentd's own log lines. */
  readonly printed: string
  /** Sends raw bytes on a new TLS connection and reads the answer and how the connection ended. */
  send(req: string | Buffer | (string | Buffer)[], timeoutMs?: number): ReturnType<typeof rawExchange>
  /** The journal entry of the last request with this tag. */
  lastEntry(tag: string): ReturnType<Receiver['journal']['entries']>[number] | undefined
}

/** Starts one receiver for the calling test file and closes it after the file's tests. */
export function parityReceiver(): ParityReceiver {
  let receiver: Receiver | undefined
  let printed = ''
  beforeAll(async () => {
    receiver = await startTestReceiver({ autoClose: false, output: { mode: 'fluentd', write: (t) => (printed += t), warn: () => {} } })
  })
  afterAll(() => receiver?.close())
  const r = (): Receiver => {
    if (!receiver) throw new Error('the parity receiver starts in beforeAll')
    return receiver
  }
  return {
    get r() {
      return r()
    },
    get printed() {
      return printed
    },
    send: (req, timeoutMs = 250) => rawExchange(r().url, req, { ca: r().ca, timeoutMs }),
    lastEntry: (tag) => r().journal.entries({ tag }).at(-1),
  }
}
