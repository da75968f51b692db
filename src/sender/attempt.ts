/**
 * One delivery attempt: one HTTP request with undici on a fresh connection, its outcome classified
 * by stable codes. The connect and request timeouts run on the injected clock through
 * AbortController, not on undici's own timers, which tick about once a second.
 *
 * Timing, precisely:
 * - connect timeout: from the start of the attempt until the TCP connection is up and, for https,
 *   the TLS handshake has completed (a custom undici `connect` reports that moment);
 * - request timeout: from that moment until the complete response has been read (status, headers
 *   and body; the body is read and discarded). The two phases never overlap.
 * A connection is never reused: each attempt has its own undici Client, destroyed at its end.
 * Redirects are never followed (undici 7 `request` does not follow them).
 */
import type { Socket } from 'node:net'
import { createSecureContext, type SecureContext } from 'node:tls'
import { Client, buildConnector } from 'undici'
import { systemClock, type Clock } from '../clock/index.js'

/**
 * How an attempt ended. `response`: any HTTP status (success is the profile's call); `timeout`: our
 * connect or request timer fired; `network`: refused, reset, closed (Node/undici code, e.g.
 * ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET); `tls`: certificate or handshake failure (OpenSSL/Node
 * code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID); `cancelled`: the caller
 * aborted it (sender closed).
 */
export type AttemptOutcome =
  | { kind: 'response'; status: number }
  | { kind: 'timeout'; phase: 'connect' | 'request' }
  | { kind: 'network'; code: string }
  | { kind: 'tls'; code: string }
  | { kind: 'cancelled' }

/** Everything one attempt needs; timeouts are already scaled (real ms on the given clock). */
export interface AttemptRequest {
  url: string
  method: 'POST' | 'PUT'
  /** Final request headers (Content-Type included). */
  headers: Record<string, string>
  body: string
  /** PEM CA certificate(s) to trust instead of the system store. */
  ca?: string
  verifyTls: boolean
  connectTimeoutMs: number
  requestTimeoutMs: number
}

/** Clock and cancellation of one attempt. */
export interface AttemptContext {
  /** Runs the timeouts (default systemClock). */
  clock?: Clock
  /** Aborting it ends the attempt with `{kind: 'cancelled'}`. */
  signal?: AbortSignal
}

/** The transport the sender uses; replaceable for simulations and loop tests. */
export type AttemptFn = (request: AttemptRequest, context: AttemptContext) => Promise<AttemptOutcome>

/** OpenSSL certificate-verification codes Node reports on a failed handshake. */
const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'OUT_OF_MEM',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'EPROTO',
])

/** Error code of an error or of the first cause that has one; 'UNKNOWN' otherwise. */
function errorCode(err: unknown): string {
  let e: unknown = err
  for (let depth = 0; depth < 5 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code) return code
    e = (e as { cause?: unknown }).cause
  }
  return 'UNKNOWN'
}

/**
 * Classifies a failed request by its error code (never its message): undici's own timeouts (a
 * backstop only) count as timeouts, TLS/OpenSSL codes as `tls`, everything else as `network`.
 */
export function classifyError(err: unknown): AttemptOutcome {
  const code = errorCode(err)
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { kind: 'timeout', phase: 'connect' }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return { kind: 'timeout', phase: 'request' }
  if (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || TLS_VERIFY_CODES.has(code)) return { kind: 'tls', code }
  return { kind: 'network', code }
}

/** Why our own timer cut the attempt. */
class AttemptTimeoutError extends Error {
  override name = 'AttemptTimeoutError'
  readonly code = 'FF_ATTEMPT_TIMEOUT'
  constructor(readonly phase: 'connect' | 'request') {
    super(`${phase} timeout`)
  }
}

/** A timer on the clock that can be cancelled; `onFire` runs only if it was not. */
function startTimer(clock: Clock, ms: number, onFire: () => void): () => void {
  const controller = new AbortController()
  clock.sleep(ms, controller.signal).then(onFire, () => {
    // Cancelled: the phase ended in time.
  })
  return () => controller.abort()
}

/**
 * TLS contexts by CA text: parsing the CA for every attempt costs ~1 ms of CPU right when a retry
 * is due; the context holds no session or connection, so reusing it keeps every attempt fresh.
 */
const contexts = new Map<string, SecureContext>()

function contextFor(ca: string): SecureContext {
  let ctx = contexts.get(ca)
  if (!ctx) {
    ctx = createSecureContext({ ca })
    if (contexts.size > 16) contexts.clear()
    contexts.set(ca, ctx)
  }
  return ctx
}

/** Extra slack given to undici's own timers, which only back ours up, ms. */
const BACKSTOP_MS = 5_000

/** Performs one attempt (see the file comment for the exact timing rules). Never throws. */
export const performAttempt: AttemptFn = async (request, context) => {
  const clock = context.clock ?? systemClock
  const external = context.signal
  if (external?.aborted) return { kind: 'cancelled' }

  let url: URL
  try {
    url = new URL(request.url)
  } catch {
    return { kind: 'network', code: 'ERR_INVALID_URL' }
  }

  const abort = new AbortController()
  let timedOut: 'connect' | 'request' | null = null
  let finished = false
  let socket: Socket | undefined
  let cancelRequestTimer = (): void => {}

  const fire = (phase: 'connect' | 'request'): void => {
    if (finished || timedOut) return
    timedOut = phase
    const err = new AttemptTimeoutError(phase)
    // Destroying the socket fails a stalled connect at once; aborting fails a running request.
    socket?.destroy(err)
    abort.abort(err)
  }
  const cancelConnectTimer = startTimer(clock, request.connectTimeoutMs, () => fire('connect'))

  const onExternalAbort = (): void => {
    if (finished) return
    const reason: unknown = external?.reason
    // Destroyed with an error, the socket fails a TLS handshake in progress: destroyed without one,
    // the connector never calls back, and undici holds an aborted request until its connect ends
    // (an attempt cut by close() during a stalled handshake hung for good).
    socket?.destroy(reason instanceof Error ? reason : new Error('attempt cancelled'))
    abort.abort(reason)
  }
  external?.addEventListener('abort', onExternalAbort, { once: true })

  const baseConnect = buildConnector({
    ...(request.ca ? { secureContext: contextFor(request.ca) } : {}),
    rejectUnauthorized: request.verifyTls,
    maxCachedSessions: 0,
    timeout: Math.ceil(request.connectTimeoutMs) + BACKSTOP_MS,
  })
  const connect: buildConnector.connector = (options, callback) => {
    const result = (baseConnect as unknown as (o: typeof options, cb: typeof callback) => Socket | undefined)(options, (err, sock) => {
      if (err) {
        callback(err, null)
        return
      }
      cancelConnectTimer()
      if (!finished && !timedOut) {
        cancelRequestTimer = startTimer(clock, request.requestTimeoutMs, () => fire('request'))
      }
      callback(null, sock!)
    })
    if (result) socket = result
  }

  const client = new Client(url.origin, {
    connect,
    pipelining: 1,
    // undici takes whole milliseconds: a scaled timeout is often fractional (15000 x 0.0003 = 4.5).
    headersTimeout: Math.ceil(request.requestTimeoutMs) + BACKSTOP_MS,
    bodyTimeout: Math.ceil(request.requestTimeoutMs) + BACKSTOP_MS,
  })

  let outcome: AttemptOutcome
  try {
    const res = await client.request({
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: abort.signal,
    })
    for await (const chunk of res.body) {
      // Read and discard: the attempt ends when the whole answer is in.
      void chunk
    }
    outcome = { kind: 'response', status: res.statusCode }
  } catch (err) {
    if (timedOut) outcome = { kind: 'timeout', phase: timedOut }
    else if (external?.aborted) outcome = { kind: 'cancelled' }
    else outcome = classifyError(err)
  } finally {
    finished = true
    cancelConnectTimer()
    cancelRequestTimer()
    external?.removeEventListener('abort', onExternalAbort)
  }
  // Never reuse the connection, whatever happened; closing it is not part of the attempt's time.
  client.destroy().catch(() => {
    // Already destroyed by a timeout or an error; nothing left to close.
  })
  return outcome
}
