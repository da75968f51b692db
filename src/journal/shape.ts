/**
 * Every journal entry, and every copy made for its file line, starts from one object literal that
 * names all the fields an entry can have, so that they all share one fixed shape. Built up key by
 * key instead (an `{}` plus ~30 assignments over its life), an entry passed V8's limit of fast
 * properties and became a dictionary: every later read, write, Object.assign and JSON.stringify of it
 * was slow (measured in bench/results.md). Fields left undefined are not written by JSON.stringify.
 * @see docs/design.md "Admin API"
 */
import type { JournalEntryData } from './types.js'

/** A blank entry in the fixed shape; the caller assigns the fields it has. */
export function blankEntry(): JournalEntryData {
  return {
    kind: 'request',
    id: 0,
    receivedAt: 0,
    receivedMono: 0,
    endedAt: undefined,
    endedMono: undefined,
    outcome: 'pending',
    connectionId: 0,
    remoteAddress: '',
    remotePort: 0,
    tls: undefined,
    fault: undefined,
    connectedMono: undefined,
    requestOnConnection: undefined,
    method: undefined,
    url: undefined,
    path: undefined,
    tag: undefined,
    httpVersion: undefined,
    headers: undefined,
    contentType: undefined,
    bodySize: undefined,
    body: undefined,
    bodyTruncated: undefined,
    bodyInEvents: undefined,
    attempt: undefined,
    deliveryKey: undefined,
    status: undefined,
    responseBody: undefined,
    error: undefined,
    verdicts: undefined,
    events: undefined,
  }
}
