/** Real clients for the fault end-to-end tests: node:https, undici, curl; each reports timings. */
import { execFile } from 'node:child_process'
import { request as httpsRequest } from 'node:https'
import { connect as tlsConnect } from 'node:tls'
import { Agent, request as undiciRequest } from 'undici'

export const BODY = JSON.stringify([{ notification_type: 'test', message: 'hello' }])

export interface Answer {
  status: number
  body: string
  /** ms from the start of the request to the response headers. */
  ttfbMs: number
  /** ms from the start of the request to the end of the body. */
  totalMs: number
}

/** One request with node:https on a fresh connection (agent: false). Rejects with the socket error. */
export function viaHttps(url: string, ca: string | undefined, opts: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<Answer> {
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: opts.method ?? 'POST', ca, agent: false, headers: { 'content-type': 'application/json', ...opts.headers } }, (res) => {
      const ttfbMs = performance.now() - started
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ttfbMs, totalMs: performance.now() - started }))
      res.on('error', reject)
    })
    if (opts.timeoutMs !== undefined) {
      req.setTimeout(opts.timeoutMs, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT' })))
    }
    req.on('error', reject)
    req.end(opts.body ?? BODY)
  })
}

/** One request with undici (a new Agent each time unless one is given). */
export async function viaUndici(
  url: string,
  ca: string | undefined,
  opts: { method?: 'POST' | 'PUT'; headers?: Record<string, string>; body?: string; connectTimeoutMs?: number; dispatcher?: Agent; signal?: AbortSignal } = {},
): Promise<Answer> {
  const dispatcher = opts.dispatcher ?? new Agent({ connect: { ca, timeout: opts.connectTimeoutMs ?? 10_000 } })
  const started = performance.now()
  try {
    const res = await undiciRequest(url, {
      method: opts.method ?? 'POST',
      headers: { 'content-type': 'application/json', ...opts.headers },
      body: opts.body ?? BODY,
      dispatcher,
      signal: opts.signal,
    })
    const ttfbMs = performance.now() - started
    const body = await res.body.text()
    return { status: res.statusCode, body, ttfbMs, totalMs: performance.now() - started }
  } finally {
    if (!opts.dispatcher) void dispatcher.destroy().catch(() => undefined)
  }
}

/** One request with curl; resolves with curl's exit code, the status and its timings. */
export function viaCurl(url: string, caPath: string, extra: string[] = []): Promise<{ exitCode: number; status: number; ttfbMs: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', '--cacert', caPath, '-o', '/dev/null', '-w', '%{http_code} %{time_starttransfer}', '-H', 'content-type: application/json', '--data', BODY, ...extra, url],
      (err, stdout, stderr) => {
        const [code, ttfb] = stdout.trim().split(' ')
        const exitCode = err ? ((err as { code?: unknown }).code as number) : 0
        resolve({ exitCode: typeof exitCode === 'number' ? exitCode : -1, status: Number(code ?? 0), ttfbMs: Number(ttfb ?? 0) * 1000, stderr })
      },
    )
  })
}

/**
 * Opens a TLS connection and reports whether the handshake finished within `waitMs`:
 * `tcp` = the TCP connection was made, `secure` = the handshake completed.
 */
export function tlsHandshake(port: number, ca: string | undefined, waitMs: number): Promise<{ tcp: boolean; secure: boolean; error?: string }> {
  return new Promise((resolve) => {
    let tcp = false
    const sock = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' })
    sock.once('connect', () => (tcp = true))
    const timer = setTimeout(() => {
      sock.destroy()
      resolve({ tcp, secure: false })
    }, waitMs)
    sock.once('secureConnect', () => {
      clearTimeout(timer)
      sock.destroy()
      resolve({ tcp, secure: true })
    })
    sock.once('error', (err: Error & { code?: string }) => {
      clearTimeout(timer)
      resolve({ tcp, secure: false, error: err.code ?? err.message })
    })
  })
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    const v = await p
    throw new Error(`expected a failure, got ${JSON.stringify(v)}`)
  } catch (err) {
    return err as Error & { code?: string }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
