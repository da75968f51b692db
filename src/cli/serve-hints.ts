/**
 * Hints on `serve`'s stderr for the mistakes a new user makes while pointing a client at the fake:
 * plain HTTP to the HTTPS port, a client that does not trust the CA, a JSON body that does not
 * parse (Fluentd answers 200 and drops it, as the fake does), a Content-Type in_http does not read.
 * Each kind is said once per run, so a retrying sender does not flood the terminal. The answers
 * themselves stay Fluentd's; these lines are extra.
 */
import type { Journal, JournalEntry } from '../journal/index.js'

/** Where the hints point: the ingest URL and the CA file clients should trust. */
export interface HintContext {
  ingestUrl: string
  caPath?: string
}

/** The hint for an entry, with the kind it is said once for; undefined when there is nothing to say. */
export function hintFor(entry: JournalEntry, ctx: HintContext): { kind: string; text: string } | undefined {
  const e = entry as JournalEntry & { tls?: { code?: string }; contentType?: string; error?: string; status?: number }
  if (entry.kind === 'tls-error') {
    const code = e.tls?.code ?? ''
    if (code === 'ERR_SSL_HTTP_REQUEST') return { kind: code, text: `a client sent plain HTTP to the HTTPS port: use ${ctx.ingestUrl}/<tag>, or start serve with --no-tls` }
    if (/UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_UNKNOWN|DECRYPT_ERROR/.test(code)) {
      const ca = ctx.caPath !== undefined ? `give it the CA file ${ctx.caPath} (Wallarm: the integration's "CA certificate" field; curl: --cacert)` : 'give it the CA of your --cert'
      return { kind: 'ca', text: `a client rejected the server certificate (${code}): ${ca}` }
    }
    return undefined
  }
  // Node's TLS client checks the certificate after the handshake and closes without an alert.
  if (entry.kind === 'connection' && typeof e.error === 'string' && e.error.includes('did it reject the certificate?')) {
    const ca = ctx.caPath !== undefined ? `give it the CA file ${ctx.caPath} (Wallarm: the integration's "CA certificate" field; curl: --cacert)` : 'give it the CA of your --cert'
    return { kind: 'ca', text: `a client closed right after the TLS handshake, without a request (it likely rejected the server certificate): ${ca}` }
  }
  if (entry.kind !== 'request') return undefined
  if (typeof e.error === 'string' && e.error.startsWith('ignored: invalid JSON')) {
    return { kind: 'json', text: `a ${e.contentType ?? 'JSON'} body did not parse as JSON and was dropped with 200, as Fluentd does (--strict-parse answers 400): ${e.error.slice('ignored: '.length)}` }
  }
  if (e.status === 400 && typeof e.error === 'string' && e.error.includes("'json', 'ndjson' or 'msgpack' parameter is required")) {
    return { kind: 'content-type', text: `a request with Content-Type ${e.contentType ?? '(none)'} was refused with 400: in_http reads application/json, application/x-ndjson or application/msgpack (or a json= form field)` }
  }
  return undefined
}

/** Subscribes the hints to the journal; `write` gets whole lines. Returns the unsubscribe function. */
export function attachHints(journal: Journal, ctx: HintContext, write: (line: string) => void): () => void {
  const said = new Set<string>()
  return journal.subscribe((change) => {
    if (change.type !== 'completed' || !change.entry) return
    const hint = hintFor(change.entry, ctx)
    if (!hint || said.has(hint.kind)) return
    said.add(hint.kind)
    write(`fake-fluentd: hint: ${hint.text}\n`)
  })
}
