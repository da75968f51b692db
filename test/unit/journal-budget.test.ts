import { describe, expect, it } from 'vitest'
import { createJournal, DEFAULT_JOURNAL_MAX, estimateEntryBytes } from '../../src/journal/journal.js'
import type { JournalEntry, JournalEvent } from '../../src/journal/types.js'

const record = (i: number): Record<string, unknown> => ({ summary: '[Wallarm] New hit detected', details: { i, path: '/news/some_path', payloads: ['say ni'], note: 'x'.repeat(500) } })
const eventsOf = (n: number): JournalEvent[] => Array.from({ length: n }, (_, i) => ({ time: 1, record: record(i) }))

function addAnswered(journal: ReturnType<typeof createJournal>, events: JournalEvent[]): JournalEntry {
  const body = JSON.stringify(events.map((e) => e.record))
  const entry = journal.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1 })
  journal.complete(entry, { status: 200, outcome: 'answered', body, bodySize: body.length, events })
  return entry
}

describe('journal memory budget', () => {
  it('charges the body text and the events, not only the body', () => {
    const journal = createJournal()
    const events = eventsOf(20)
    const entry = addAnswered(journal, events)
    const body = entry.body!.length
    const cost = estimateEntryBytes(entry)
    // Text + parsed events (~1.3x their JSON) + the base: about 2.3x the body.
    expect(cost).toBeGreaterThan(2 * body)
    expect(cost).toBeLessThan(3 * body)
  })

  it('keeps 10,000 small entries (one notification) within the default budget', () => {
    const journal = createJournal()
    for (let i = 0; i < DEFAULT_JOURNAL_MAX + 5; i++) addAnswered(journal, eventsOf(1))
    expect(journal.size).toBe(DEFAULT_JOURNAL_MAX)
  })

  it('drops the oldest mid-size entries (20 notifications, ~13 KB) once over the budget', () => {
    const maxBytes = 4 * 1024 * 1024
    const journal = createJournal({ maxBytes })
    const first = addAnswered(journal, eventsOf(20))
    const per = estimateEntryBytes(first)
    for (let i = 0; i < 1000; i++) addAnswered(journal, eventsOf(20))
    expect(journal.size).toBe(Math.floor(maxBytes / per))
    expect(journal.entries()[0]!.id).toBeGreaterThan(first.id)
    // Clearing resets the budget: the next entries are kept again.
    journal.clear()
    for (let i = 0; i < 10; i++) addAnswered(journal, eventsOf(20))
    expect(journal.size).toBe(10)
  })

  it('charges a decompressed body for what it decoded to (events), not its wire size', () => {
    const journal = createJournal()
    const events = eventsOf(200)
    const entry = journal.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1 })
    journal.complete(entry, { status: 200, outcome: 'answered', body: 'gzip bytes', bodySize: 300, events, headers: { 'content-encoding': 'gzip' } })
    expect(estimateEntryBytes(entry)).toBeGreaterThan(JSON.stringify(events).length)
  })
})

describe('journal.update: the only way to change an entry in flight', () => {
  it('re-charges the memory estimate (a pending entry that grows pushes old ones out) and announces the change', () => {
    const journal = createJournal({ maxBytes: 200_000 })
    const seen: string[] = []
    journal.subscribe((c) => seen.push(`${c.type}:${c.entry?.id ?? ''}`))
    const old = addAnswered(journal, eventsOf(1))
    const pending = journal.add({ kind: 'request', connectionId: 2, remoteAddress: '127.0.0.1', remotePort: 2 })
    expect(journal.entries().map((e) => e.id)).toEqual([old.id, pending.id])
    const big = 'x'.repeat(300_000)
    journal.update(pending, { body: big, bodySize: big.length })
    // The pending entry alone is over the budget: the older entry was dropped, the new one kept.
    expect(journal.entries().map((e) => e.id)).toEqual([pending.id])
    expect(pending.body).toBe(big)
    expect(pending.outcome).toBe('pending')
    expect(seen).toEqual([`added:${old.id}`, `completed:${old.id}`, `added:${pending.id}`, `updated:${pending.id}`])
  })

  it('entries are read-only for consumers (a type error to assign) and narrow on kind', () => {
    const journal = createJournal()
    const entry = journal.add({ kind: 'connection', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1, noBytes: true })
    // @ts-expect-error consumers cannot write entry fields
    entry.outcome = 'answered'
    const any: JournalEntry = entry
    if (any.kind === 'connection') expect(any.noBytes).toBe(true)
    // Request-only fields read as undefined on other kinds without narrowing.
    expect(any.status).toBeUndefined()
  })
})
