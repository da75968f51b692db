/**
 * Fluentd-exact responses over node:http's ServerResponse: explicit headers in Fluentd's order, no
 * Date, no Server, no Keep-Alive header; answers that end the connection carry no Connection header
 * and are followed by a TCP RST (Fluentd's linger 0) once the bytes are written.
 * @see docs/design.md "Answering as Fluentd"
 */
import { STATUS_CODES, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'

/** How the connection ends after an answer. */
export interface AnswerOptions {
  /** Keep the connection (adds `Connection: Keep-Alive`). */
  keepAlive: boolean
  /** Extra headers first, in order (a fault's headers). */
  headers?: Record<string, string>
  /** Runs once the answer is handed to the socket. */
  onFinish?: () => void
  /** With keepAlive false: RST (true) or FIN (false) after the answer. */
  reset: boolean
  /** The raw TCP socket under the (TLS) socket, for the RST. */
  raw: Socket
  /** Send the body even to a HEAD request (Fluentd does, although HTTP says not to). */
  forceBody?: boolean
  /**
   * An answer of the request processing (not an early send_response_and_close: GET, OPTIONS, 413,
   * 417, a body that does not decode): its Content-Type comes first even when the connection closes.
   */
  processed?: boolean
}

/** The body of Fluentd's 413 (a body over `body_size_limit`); every limit of README "Limits" answers with it, closing. */
export const TOO_LARGE = 'Too large'

/** Status line text as Fluentd writes it (`200 OK`, `413 Request Entity Too Large`, ...). */
export function statusText(status: number): string {
  if (status === 413) return 'Request Entity Too Large'
  return STATUS_CODES[status] ?? 'Unknown'
}

/** Fluentd's error body: `<code> <text>\n<message>\n`. */
export function fluentdErrorBody(status: number, message: string): string {
  return `${status} ${statusText(status)}\n${message}\n`
}

/**
 * Writes an answer. Keep-alive answers: headers, then Content-Type/Connection/Content-Length as
 * Fluentd (`text/plain` unless given). Closing answers: no Connection header, then the connection is
 * cut; Content-Type then Content-Length for a processed request, Content-Length then Content-Type for
 * Fluentd's early answers (GET, OPTIONS, 413, 417, undecodable body).
 */
export function writeAnswer(res: ServerResponse, status: number, body: string | Buffer, opts: AnswerOptions): void {
  res.sendDate = false
  const bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.length
  const flat: string[] = []
  let hasCt = false
  let hasCl = false
  if (opts.headers) {
    for (const [name, value] of Object.entries(opts.headers)) {
      const lower = name.toLowerCase()
      if (lower === 'content-type') hasCt = true
      if (lower === 'content-length') hasCl = true
      if (lower === 'connection') continue
      flat.push(name, value)
    }
  }
  if (opts.keepAlive) {
    if (status === 204) {
      flat.push('Connection', 'Keep-Alive')
      if (!hasCl) flat.push('Content-Length', String(bodyLength))
      if (!hasCt) flat.push('Content-Type', 'text/plain')
    } else {
      if (!hasCt) flat.push('Content-Type', 'text/plain')
      flat.push('Connection', 'Keep-Alive')
      if (!hasCl) flat.push('Content-Length', String(bodyLength))
    }
  } else {
    if (opts.processed && status !== 204 && !hasCt) flat.push('Content-Type', 'text/plain')
    if (!hasCl) flat.push('Content-Length', String(bodyLength))
    if (!hasCt && !(opts.processed && status !== 204)) flat.push('Content-Type', 'text/plain')
    // No Connection header at all (Fluentd omits it): removing it makes node skip its own and close.
    res.shouldKeepAlive = false
    res.removeHeader('Connection')
  }
  const { raw } = opts
  // Prepended so the RST goes out before node's own end-of-connection FIN (Fluentd: linger 0).
  res.prependOnceListener('finish', () => {
    if (!opts.keepAlive && opts.reset) resetSocket(raw)
    opts.onFinish?.()
  })
  // node drops bodies of HEAD answers; Fluentd sends them (docs/design.md "Answering as Fluentd").
  if (opts.forceBody) (res as unknown as { _hasBody: boolean })._hasBody = true
  res.writeHead(status, statusText(status), flat)
  // Hot path: no chunk for an empty body, and a string body goes out in the same write as the head.
  // A Buffer (or an empty chunk) makes node write head and body separately: over TLS that is two
  // records and about twice the encryption and syscall cost per answer (measured, bench/results.md).
  if (bodyLength === 0) res.end()
  else res.end(body)
}

/** Cuts a TCP connection with RST (falls back to destroy when the socket is already gone). */
export function resetSocket(raw: Socket): void {
  if (raw.destroyed) return
  try {
    raw.resetAndDestroy()
  } catch {
    // resetAndDestroy throws when the handle is not a TCP handle any more; a plain destroy will do.
    raw.destroy()
  }
}
