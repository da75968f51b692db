import { describe, expect, it } from 'vitest'
import { turnsWhile } from '../../helpers/event-loop.js'
import { EntryLineError, LINE_EVENTS_MAX, LINE_TEXT_MAX, LINE_VERDICTS_LISTED, LINE_VERDICT_ERRORS, entryLine, entryLines, entryLinesSliced } from '../../../src/journal/file-line.js'
import type { JournalEntry, JournalEvent } from '../../../src/journal/types.js'
import type { Verdict } from '../../../src/validation/types.js'

const base = (fields: Partial<JournalEntry> = {}): JournalEntry => ({
  id: 42,
  kind: 'request',
  receivedAt: 1_700_000_000_000,
  receivedMono: 12.5,
  outcome: 'answered',
  connectionId: 3,
  remoteAddress: '127.0.0.1',
  remotePort: 50000,
  method: 'POST',
  url: '/wallarm',
  tag: 'wallarm',
  headers: { 'content-type': 'application/json' },
  status: 200,
  ...fields,
}) as JournalEntry

/** Every event of an entry's text, from its line and its continuation lines; checks each line's shape. */
function eventsFromText(text: string): { head: Record<string, unknown>; events: JournalEvent[]; lines: string[] } {
  const lines = text.split('\n')
  const head = JSON.parse(lines[0]!) as Record<string, unknown> & { events?: JournalEvent[]; eventsContinued?: { lines: number; total: number } }
  const events = [...(head.events ?? [])]
  const more = head.eventsContinued?.lines ?? 0
  expect(lines).toHaveLength(1 + more)
  for (let i = 1; i <= more; i++) {
    const c = JSON.parse(lines[i]!) as { kind: string; continues: number; part: number; events: JournalEvent[] }
    expect(c).toMatchObject({ kind: 'events', continues: head['id'], part: i })
    events.push(...c.events)
  }
  if (head.eventsContinued) expect(head.eventsContinued.total).toBe(events.length)
  return { head, events, lines }
}

describe('entryLine (journal file lines stay bounded and keep every event)', () => {
  it('an ordinary entry is one line holding exactly the entry', () => {
    const entry = base({ events: [{ time: 1.5, record: { a: 1, s: 'é\n"' } }], verdicts: [{ index: 0, type: 'x', valid: false, errors: [{ pointer: '/a', keyword: 'type', message: 'must be string' }] }], body: '[{"a":1}]' })
    const text = entryLine(entry)
    expect(text).not.toContain('\n')
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(entry)))
    const noEvents = base({ outcome: 'reset', status: undefined })
    expect(JSON.parse(entryLine(noEvents))).toEqual(JSON.parse(JSON.stringify(noEvents)))
    expect(JSON.parse(entryLine(base({ events: [] })))).toMatchObject({ events: [] })
  })

  it('events longer than one line go into continuation lines: all of them, in order, each line bounded', () => {
    const events: JournalEvent[] = Array.from({ length: 300_000 }, (_, i) => ({ time: i, record: { n: i, pad: 'x'.repeat(20) } }))
    const text = entryLine(base({ events }))
    const { head, events: back, lines } = eventsFromText(text)
    expect(lines.length).toBeGreaterThan(5)
    expect(back).toEqual(events)
    expect(head).toMatchObject({ id: 42, status: 200, outcome: 'answered' })
    for (const l of lines) expect(l.length).toBeLessThan(LINE_EVENTS_MAX + 2048)
    expect(entryLines(base({ events }))).toEqual(lines)
  })

  it('one event larger than a line gets a line of its own and is never cut', () => {
    const big = { time: 1, record: { s: 'y'.repeat(LINE_EVENTS_MAX + 10) } }
    const events = [{ time: 0, record: { a: 0 } }, big, { time: 2, record: { a: 2 } }]
    const { events: back, lines } = eventsFromText(entryLine(base({ events })))
    expect(back).toEqual(events)
    expect(lines).toHaveLength(3)
  })

  it('10,000 invalid verdicts are summarised: counts and the first ones, each with its first errors', () => {
    const errors = Array.from({ length: 9 }, (_, k) => ({ pointer: `/f${k}`, keyword: 'required', message: `missing required property "f${k}"` }))
    const verdicts: Verdict[] = Array.from({ length: 10_000 }, (_, i) => (i % 4 === 0 ? { index: i, type: 't', valid: true, errors: [] } : { index: i, type: 't', valid: false, errors }))
    const text = entryLine(base({ verdicts }))
    expect(text.length).toBeLessThan(20_000)
    const line = JSON.parse(text) as { verdicts: Verdict[]; verdictSummary: unknown }
    expect(line.verdictSummary).toEqual({ total: 10_000, valid: 2500, invalid: 7500, listed: LINE_VERDICTS_LISTED })
    expect(line.verdicts).toHaveLength(LINE_VERDICTS_LISTED)
    expect(line.verdicts[0]).toEqual({ index: 1, type: 't', valid: false, errors: errors.slice(0, LINE_VERDICT_ERRORS) })
  })

  it('a huge answer body or error is cut and says so', () => {
    const line = JSON.parse(entryLine(base({ status: 400, responseBody: 'r'.repeat(LINE_TEXT_MAX * 3), error: 'e'.repeat(LINE_TEXT_MAX + 1) }))) as Record<string, unknown>
    expect(line).toMatchObject({ responseBodyTruncated: true, errorTruncated: true })
    expect((line['responseBody'] as string).length).toBe(LINE_TEXT_MAX)
    expect((line['error'] as string).length).toBe(LINE_TEXT_MAX)
  })

  it('an event that cannot be serialized throws EntryLineError (the caller must not answer 2xx)', () => {
    const record: Record<string, unknown> = {}
    record['self'] = record
    expect(() => entryLine(base({ events: [{ time: 1, record }] }))).toThrow(EntryLineError)
  })

  it('entryLinesSliced gives the same lines, yielding to the event loop while it serializes many events', async () => {
    const events: JournalEvent[] = Array.from({ length: 100_000 }, (_, i) => ({ time: i, record: { n: i, pad: 'x'.repeat(20) } }))
    const { value: sliced, turns } = await turnsWhile(entryLinesSliced(base({ events })))
    expect(sliced).toEqual(entryLines(base({ events })))
    expect(turns).toBeGreaterThan(10)
    for (const entry of [base(), base({ events: [] }), base({ events: events.slice(0, 3) })]) expect(await entryLinesSliced(entry)).toEqual(entryLines(entry))
    const record: Record<string, unknown> = {}
    record['self'] = record
    await expect(entryLinesSliced(base({ events: [...events.slice(0, 500), { time: 1, record }] }))).rejects.toThrow(EntryLineError)
  })
})
