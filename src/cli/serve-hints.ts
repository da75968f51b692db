/**
 * Hints on `serve`'s stderr for the mistakes a new user makes while pointing a client at the fake
 * (the wording is src/text/hints.ts, which the web page shows too). Each kind is said once per run,
 * so a retrying sender does not flood the terminal. The answers themselves stay Fluentd's; these
 * lines are extra.
 */
import type { Journal } from '../journal/index.js'
import { hintFor } from '../text/index.js'

/** Where the hints point: the ingest URL and the CA file clients should trust (none: `--cert` alone). */
export interface ServeHintContext {
  ingestUrl: string
  caPath?: string
}


/** Subscribes the hints to the journal; `write` gets whole lines. Returns the unsubscribe function. */
export function attachHints(journal: Journal, ctx: ServeHintContext, write: (line: string) => void): () => void {
  const said = new Set<string>()
  // serve knows its CA: a missing path means its own --cert without --ca.
  const where = { ingestUrl: ctx.ingestUrl, caPath: ctx.caPath ?? null }
  return journal.subscribe((change) => {
    if (change.type !== 'completed' || !change.entry) return
    const hint = hintFor(change.entry, where)
    if (!hint || said.has(hint.kind)) return
    said.add(hint.kind)
    write(`fake-fluentd: hint: ${hint.text}\n`)
  })
}
