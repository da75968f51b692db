/**
 * What a journal entry says about a new user's mistake, in words, with the fix: plain HTTP to the
 * HTTPS port, a client that does not trust the CA, a JSON body that does not parse (Fluentd answers
 * 200 and drops it, as the fake does), a Content-Type in_http does not read. One mapping for both
 * places that say it: `serve`'s stderr (src/cli/serve-hints.ts) and the web page, which loads the
 * compiled file as `/web/hints.js` (src/web/assets.ts; typed for the page through the rootDirs of tsconfig.web.json).
 * So this file imports nothing at run time: it runs in the browser as it is.
 */

/** Where a hint points: the ingest URL and the CA file clients should trust. */
export interface HintContext {
  /** The ingest URL (`https://127.0.0.1:9880`); absent: not known to the one showing the hint. */
  ingestUrl?: string
  /**
   * The CA file clients should trust; `null`: there is none (serve's own `--cert` without `--ca`);
   * absent: not known to the one showing the hint (the page), which then points at serve's banner.
   */
  caPath?: string | null
}

/** The fields of a journal entry (or a part of one) the hints read. */
export interface HintEntry {
  kind: string
  tls?: { code?: string; error?: string }
  contentType?: string
  error?: string
  status?: number
}

/** A hint: the kind it is said once per run for, and its text (what happened: what to do). */
export interface Hint {
  kind: 'http-to-https' | 'ca' | 'json' | 'content-type'
  text: string
}

/** The TLS alert codes of a client that refused the server certificate. */
const REJECTED_CERT = /UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR/

function trustFix(ctx: HintContext): string {
  const where = `(Wallarm: the integration's "CA certificate" field; curl: --cacert)`
  if (typeof ctx.caPath === 'string') return `give it the CA file ${ctx.caPath} ${where}`
  if (ctx.caPath === null) return 'give it the CA of your --cert'
  return `give it the CA file serve printed when it started (ca= on its ready line) ${where}`
}

/** The hint for an entry; undefined when there is nothing to say. */
export function hintFor(entry: HintEntry, ctx: HintContext): Hint | undefined {
  const error = entry.error
  if (entry.kind === 'tls-error') {
    const code = entry.tls?.code ?? ''
    if (code === 'ERR_SSL_HTTP_REQUEST') {
      const url = ctx.ingestUrl !== undefined ? `${ctx.ingestUrl}/<tag>` : 'the https:// ingest URL'
      return { kind: 'http-to-https', text: `a client sent plain HTTP to the HTTPS port: use ${url}, or start serve with --no-tls` }
    }
    if (REJECTED_CERT.test(code)) return { kind: 'ca', text: `a client rejected the server certificate (${code}): ${trustFix(ctx)}` }
    return undefined
  }
  // Node's TLS client checks the certificate after the handshake and closes without an alert.
  if (entry.kind === 'connection' && typeof error === 'string' && error.includes('did it reject the certificate?')) {
    return { kind: 'ca', text: `a client closed right after the TLS handshake, without a request (it likely rejected the server certificate): ${trustFix(ctx)}` }
  }
  if (entry.kind !== 'request' || typeof error !== 'string') return undefined
  if (error.startsWith('ignored: invalid JSON')) {
    return { kind: 'json', text: `a ${entry.contentType ?? 'JSON'} body did not parse as JSON and was dropped with 200, as Fluentd does (--strict-parse answers 400): ${error.slice('ignored: '.length)}` }
  }
  if (entry.status === 400 && error.includes("'json', 'ndjson' or 'msgpack' parameter is required")) {
    return { kind: 'content-type', text: `a request with Content-Type ${entry.contentType ?? '(none)'} was refused with 400: in_http reads application/json, application/x-ndjson or application/msgpack (or a json= form field)` }
  }
  return undefined
}
