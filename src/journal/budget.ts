/**
 * The journal's memory budget: what an entry is estimated to hold on the heap.
 * @see docs/design.md "Admin API"
 */
import type { JournalEntry } from './types.js'

/** Default number of entries kept in memory. */
export const DEFAULT_JOURNAL_MAX = 10_000

/**
 * Default memory budget of the in-memory journal, in estimated bytes (64 MiB). Counting entries
 * alone does not bound memory: 10,000 entries of 32 MiB bodies would be 320 GiB, and even 10,000
 * entries of 13 KB bodies (20 notifications each: the text, the parsed events and the verdicts,
 * ~34 KiB of heap per entry) are 340 MiB of long-lived heap that V8 fragments under churn (RSS about
 * twice that, bench/results.md). Every settled entry is charged its estimated heap size (see
 * estimateEntryBytes); the oldest entries are dropped from memory (never from the file) while the
 * total is over the budget. Small requests (one notification, ~3 KiB) still keep 10,000 entries.
 */
export const DEFAULT_JOURNAL_MAX_BYTES = 64 * 1024 * 1024

/** The entry object, its header strings and times, bytes (measured: ~1 KiB for an undici POST). */
const ENTRY_BASE_BYTES = 1024

/** Heap bytes of parsed events per byte of their JSON text (measured on Node 20: 17.1 KiB for 13.3 KiB). */
const EVENT_HEAP_PER_JSON_BYTE = 1.3

/** Events sampled (JSON.stringify'd) to estimate the size of all of them. */
const EVENT_SAMPLES = 3

/** The characters of an entry's request line and headers (each header string, its name and value). */
function headerChars(entry: JournalEntry): number {
  let n = (entry.url?.length ?? 0) + (entry.path?.length ?? 0) + (entry.tag?.length ?? 0) + (entry.deliveryKey?.length ?? 0)
  const headers = entry.headers
  if (headers) {
    for (const name in headers) {
      const v = headers[name]
      n += name.length + (typeof v === 'string' ? v.length : Array.isArray(v) ? v.reduce((a, x) => a + x.length, 0) : 0)
    }
  }
  return n
}

/**
 * Estimated heap bytes an entry holds: a base, its strings (URL, path, tag, headers, body, response
 * body, error) and its events and verdicts. Events are estimated from the body's size, except for gzip/deflate bodies,
 * where a few events are sampled so that a body that decoded to much more than its wire size is
 * charged for what it decoded to.
 */
export function estimateEntryBytes(entry: JournalEntry): number {
  let bytes = ENTRY_BASE_BYTES + headerChars(entry) + (entry.body?.length ?? 0) + (entry.responseBody?.length ?? 0) + (entry.error?.length ?? 0)
  const events = entry.events
  const encoding = entry.headers?.['content-encoding']
  if (events && events.length > 0 && entry.bodySize !== undefined && encoding !== 'gzip' && encoding !== 'deflate') {
    // The events were parsed from the body as it came (JSON, NDJSON, a form field, msgpack): their
    // JSON is about the body's size. No stringify on the hot path (it cost ~5 % of a request).
    bytes += entry.bodySize * EVENT_HEAP_PER_JSON_BYTE
  } else if (events && events.length > 0) {
    const step = Math.max(1, Math.floor(events.length / EVENT_SAMPLES))
    let sampled = 0
    let sampledBytes = 0
    for (let i = 0; i < events.length && sampled < EVENT_SAMPLES; i += step) {
      try {
        sampledBytes += JSON.stringify(events[i])?.length ?? 0
      } catch {
        // Nesting too deep for JSON.stringify: fall back to the body size.
        sampledBytes += (entry.bodySize ?? 0) / events.length
      }
      sampled++
    }
    bytes += (sampledBytes / sampled) * events.length * EVENT_HEAP_PER_JSON_BYTE
  }
  const verdicts = entry.verdicts
  if (verdicts) {
    for (const v of verdicts) {
      bytes += 100
      for (const e of v.errors) bytes += 100 + e.message.length + e.pointer.length
    }
  }
  return Math.ceil(bytes)
}
