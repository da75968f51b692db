/**
 * The journal's memory: a ring of the newest entries, bounded by a count and by the estimated bytes
 * they hold (budget.ts); the oldest leave first. Only the journal (journal.ts) writes to it.
 * @see README.md "Limits"
 */
import { estimateEntryBytes } from './budget.js'
import type { JournalEntry, JournalEntryData } from './types.js'

export interface EntryRing {
  /** Puts a new entry in (uncharged until its first charge()), dropping the oldest when full. */
  keep(entry: JournalEntryData): void
  /** Re-estimates what an entry holds (a no-op for one no longer kept), dropping the oldest while over budget. */
  charge(entry: JournalEntry): void
  /** The entries kept, oldest first. */
  list(): JournalEntry[]
  readonly size: number
  clear(): void
}

export function createEntryRing(max: number, maxBytes: number): EntryRing {
  // `ring[(start + i) % max]` for i < count.
  const ring: (JournalEntryData | undefined)[] = new Array<JournalEntryData | undefined>(max)
  let start = 0
  let count = 0
  // Estimated bytes of each entry in the ring (see DEFAULT_JOURNAL_MAX_BYTES). A Map, not a WeakMap:
  // the ring holds its entries anyway, and weak tables cost the garbage collector on every cycle.
  const charged = new Map<JournalEntry, number>()
  let bytes = 0
  const dropOldest = (): void => {
    const old = ring[start]
    if (old) {
      bytes -= charged.get(old) ?? 0
      charged.delete(old)
    }
    ring[start] = undefined
    start = (start + 1) % max
    count--
  }
  return {
    keep(entry) {
      if (count >= max) dropOldest()
      ring[(start + count) % max] = entry
      charged.set(entry, 0)
      count++
    },
    charge(entry) {
      const before = charged.get(entry)
      if (before === undefined) return
      const cost = estimateEntryBytes(entry)
      bytes += cost - before
      charged.set(entry, cost)
      while (bytes > maxBytes && count > 1) dropOldest()
    },
    list() {
      const out: JournalEntry[] = []
      for (let i = 0; i < count; i++) {
        const e = ring[(start + i) % max]
        if (e) out.push(e)
      }
      return out
    },
    get size() {
      return count
    },
    clear() {
      charged.clear()
      ring.fill(undefined)
      start = 0
      count = 0
      bytes = 0
    },
  }
}
