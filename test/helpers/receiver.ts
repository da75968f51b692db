/**
 * Test helpers shared by every part: a real receiver on 127.0.0.1:0 with a test CA (generated once
 * per test worker), closed automatically when the test ends; raw TLS/TCP exchanges for exact bytes.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { onTestFinished } from 'vitest'
import { Agent } from 'undici'
import { ensureCertificates, type CertificateSet } from '../../src/certs/index.js'
import { attachPrinter, type PrinterOptions } from '../../src/cli/receiver-printer.js'
import { startReceiver } from '../../src/server/index.js'
import type { OutputMode, Receiver, ReceiverOptions } from '../../src/receiver/types.js'

let certsOnce: Promise<CertificateSet> | undefined

/** A CA + server certificate in a temp dir, generated once per worker process. */
export function testCertificates(): Promise<CertificateSet> {
  certsOnce ??= ensureCertificates({ certDir: mkdtempSync(join(tmpdir(), 'ff-test-certs-')) })
  return certsOnce
}

/** What the CLI prints, captured: a mode with its sinks (as `serve --output`). */
export type TestOutput = OutputMode | PrinterOptions

/**
 * Starts a receiver on 127.0.0.1, port 0, admin off unless asked, TLS with the test CA unless
 * `tls: false`; registers close() with onTestFinished when called inside a test (pass
 * `autoClose: false` from beforeAll and close it yourself). `output` attaches the CLI's printer.
 */
export async function startTestReceiver(options: ReceiverOptions & { autoClose?: boolean; output?: TestOutput } = {}): Promise<Receiver> {
  const { autoClose = true, output, ...opts } = options
  let tls = opts.tls
  if (tls === undefined || tls === true) {
    const c = await testCertificates()
    tls = { cert: c.cert, key: c.key, ca: c.ca, caPath: c.caPath }
  }
  const started = await startReceiver({ port: 0, host: '127.0.0.1', ...opts, tls })
  let r = started
  if (output !== undefined && output !== 'none' && typeof output === 'object') {
    const detach = attachPrinter(started.journal, { log: started.log, ...output })
    r = Object.create(started, { close: { value: () => started.close().finally(detach) } }) as Receiver
  }
  if (autoClose) onTestFinished(() => r.close())
  return r
}

/** An undici Agent trusting the receiver's CA (closed when the test ends if inside a test). */
export function agentFor(r: Pick<Receiver, 'ca'>, autoClose = true): Agent {
  const agent = new Agent({ connect: { ca: r.ca } })
  if (autoClose) onTestFinished(() => agent.close())
  return agent
}

/** The result of a raw exchange: every byte received and how the connection ended. */
export interface RawResult {
  text: string
  bytes: Buffer
  /** 'end' (FIN), 'reset' (ECONNRESET), 'timeout' (still open after timeoutMs), 'error:<code>'. */
  ending: string
}

/**
 * Connects (TLS unless the URL is http:), writes `request` bytes, collects everything until the
 * server ends the connection or `timeoutMs` passes (then the client closes).
 */
export function rawExchange(
  url: string,
  request: string | Buffer | (string | Buffer)[],
  opts: { ca?: string; timeoutMs?: number; writeDelayMs?: number } = {},
): Promise<RawResult> {
  const u = new URL(url)
  const port = Number(u.port)
  const host = u.hostname.replace(/^\[|\]$/g, '')
  return new Promise<RawResult>((resolve) => {
    const chunks: Buffer[] = []
    let done = false
    const finish = (ending: string): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      const bytes = Buffer.concat(chunks)
      resolve({ text: bytes.toString('latin1'), bytes, ending })
    }
    const parts = Array.isArray(request) ? request : [request]
    const write = async (): Promise<void> => {
      for (const p of parts) {
        if (done) return
        sock.write(p)
        if (opts.writeDelayMs) await new Promise((r) => setTimeout(r, opts.writeDelayMs))
      }
    }
    const sock: Socket =
      u.protocol === 'https:'
        ? tlsConnect({ port, host, ca: opts.ca, servername: 'localhost' }, () => void write())
        : netConnect({ port, host }, () => void write())
    sock.on('data', (d: Buffer) => chunks.push(d))
    sock.on('end', () => finish('end'))
    sock.on('close', () => finish('end'))
    sock.on('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNRESET' ? 'reset' : `error:${err.code ?? err.message}`))
    const timer = setTimeout(() => finish('timeout'), opts.timeoutMs ?? 2000)
  })
}

/** Builds a request with a Content-Length (HTTP/1.1, Host: localhost). */
export function httpRequest(method: string, path: string, body = '', headers: Record<string, string> = {}): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: localhost']
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`)
  if (body.length > 0 || (method !== 'GET' && method !== 'HEAD' && !('Content-Length' in headers))) lines.push(`Content-Length: ${Buffer.byteLength(body)}`)
  return lines.join('\r\n') + '\r\n\r\n' + body
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(fn: () => T | undefined | false | null, timeoutMs = 3000, stepMs = 10): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const v = fn()
    if (v) return v
    if (Date.now() > end) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, stepMs))
  }
}
