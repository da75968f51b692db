/**
 * The primary's side of `--workers` (src/cluster/adopt.ts): a worker's lines, written by a real
 * worker-side journal into a real primary journal with a file. Ids become the primary's, in file
 * order; the attempt count is the primary's across workers; corrections and continuation lines
 * follow their entry.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createAdopter } from '../../../src/cluster/adopt.js'
import { createJournal, type Journal } from '../../../src/journal/index.js'
import { entryLines, LINE_EVENTS_MAX } from '../../../src/journal/file-line.js'
import { createDeliveryTracker } from '../../../src/deliveries/index.js'

function primary(): { journal: Journal; file: string; lines: () => Record<string, unknown>[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'ff-adopt-')), 'journal.ndjson')
  const journal = createJournal({ file })
  return { journal, file, lines: () => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) }
}

/** A worker's line for a request of `body` on `tag`, answered `status`, numbered by the worker's own tracker. */
function workerLine(localId: number, tag: string, body: string, status: number, tracker = createDeliveryTracker()): string {
  const ticket = tracker.begin(`${tag}#${body}`)
  tracker.end(ticket, status < 300)
  const entry = { kind: 'request', id: localId, receivedAt: 1, receivedMono: 1, outcome: 'answered', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1, tag, status, attempt: ticket.attempt, deliveryKey: ticket.deliveryKey, events: [{ time: 1, record: { body } }] }
  return entryLines(entry).join('\n') + '\n'
}

const adoptAll = (adopt: (w: number, text: string, then: (err?: unknown) => void) => void, items: [number, string][]): Promise<(unknown | undefined)[]> =>
  Promise.all(items.map(([w, text]) => new Promise<unknown>((resolve) => adopt(w, text, resolve))))

describe('adopting a worker\'s lines', () => {
  it('gives every entry the primary\'s next id, in file order, whatever the workers numbered them', async () => {
    const p = primary()
    const a = createAdopter({ journal: p.journal })
    const errs = await adoptAll(a.adopt, [[1, workerLine(1, 't', 'a', 200)], [2, workerLine(1, 't', 'b', 200)], [1, workerLine(2, 't', 'c', 200)]])
    expect(errs).toEqual([undefined, undefined, undefined])
    expect(p.lines().map((l) => [l['id'], (l['events'] as { record: { body: string } }[])[0]!.record.body])).toEqual([[1, 'a'], [2, 'b'], [3, 'c']])
    expect(p.journal.entries().map((e) => e.id)).toEqual([1, 2, 3])
    p.journal.close()
  })

  it('counts attempts of one delivery across workers: 401 on worker 1, 401 on worker 2, 200 on worker 1 are attempts 1, 2, 3', async () => {
    const p = primary()
    const a = createAdopter({ journal: p.journal })
    // Each worker's own tracker saw only its share: worker 1 calls its second one attempt 2, worker 2 attempt 1.
    const w1 = createDeliveryTracker()
    const w2 = createDeliveryTracker()
    await adoptAll(a.adopt, [[1, workerLine(1, 't', 'same', 401, w1)]])
    await adoptAll(a.adopt, [[2, workerLine(1, 't', 'same', 401, w2)]])
    await adoptAll(a.adopt, [[1, workerLine(2, 't', 'same', 200, w1)]])
    await adoptAll(a.adopt, [[2, workerLine(2, 't', 'same', 200, w2)]]) // after the success: a new delivery
    const lines = p.lines()
    expect(lines.map((l) => l['attempt'])).toEqual([1, 2, 3, 1])
    expect(new Set(lines.slice(0, 3).map((l) => l['deliveryKey'])).size).toBe(1)
    expect(lines[3]!['deliveryKey']).not.toBe(lines[0]!['deliveryKey'])
    expect(p.journal.entries().map((e) => (e.kind === 'request' ? e.attempt : undefined))).toEqual([1, 2, 3, 1])
    p.journal.close()
  })

  it('maps a correction to the entry it corrects, writes it with the primary\'s id, and reopens the delivery', async () => {
    const p = primary()
    const a = createAdopter({ journal: p.journal })
    const w = createDeliveryTracker()
    await adoptAll(a.adopt, [[2, workerLine(7, 'x', 'first', 200)], [1, workerLine(7, 't', 'b', 200, w)]])
    const correction = JSON.stringify({ kind: 'correction', corrects: 7, outcome: 'client-aborted', status: null, error: 'gone' }) + '\n'
    await adoptAll(a.adopt, [[1, correction]])
    await adoptAll(a.adopt, [[1, workerLine(8, 't', 'b', 200, w)]]) // the client's retry
    const lines = p.lines()
    expect(lines[2]).toEqual({ kind: 'correction', corrects: 2, outcome: 'client-aborted', status: null, error: 'gone' })
    const corrected = p.journal.entries()[1]!
    expect(corrected.outcome).toBe('client-aborted')
    expect(corrected.status).toBeUndefined()
    // The retry continues the reopened delivery: attempt 2, same key.
    expect(lines[3]!['attempt']).toBe(2)
    expect(lines[3]!['deliveryKey']).toBe(lines[1]!['deliveryKey'])
    p.journal.close()
  })

  it('rewrites continuation lines to the primary\'s id and keeps all events in memory', async () => {
    const p = primary()
    const a = createAdopter({ journal: p.journal })
    const big = 'x'.repeat(LINE_EVENTS_MAX / 2)
    const events = [0, 1, 2].map((i) => ({ time: 1, record: { i, big } }))
    const text = entryLines({ kind: 'request', id: 41, events } as never).join('\n') + '\n'
    await adoptAll(a.adopt, [[3, workerLine(40, 't', 'a', 200)], [3, text]])
    const lines = p.lines()
    expect(lines.map((l) => [l['kind'], l['id'] ?? l['continues']])).toEqual([['request', 1], ['request', 2], ['events', 2], ['events', 2]])
    expect(p.journal.entries()[1]!.events?.map((e) => e.record['i'])).toEqual([0, 1, 2])
    p.journal.close()
  })

  it('keeps the body that the events carry in memory and leaves it out of the file line, as one process writes it', async () => {
    const p = primary()
    const a = createAdopter({ journal: p.journal })
    const body = '[{"headers":{"body":"x"}}]'
    const entry = { kind: 'request', id: 9, headers: { body: 'x' }, bodySize: body.length, body, bodyInEvents: true, events: [{ time: 1, record: { headers: { body: 'x' } } }] }
    // What a worker writes (linesKeepBody) and what a single process writes for the same entry.
    const fromWorker = entryLines(entry as never, undefined, true).join('\n') + '\n'
    const single = entryLines(entry as never).join('\n') + '\n'
    expect(fromWorker).toContain('"body":"[{')
    await adoptAll(a.adopt, [[1, fromWorker]])
    expect(readFileSync(p.file, 'utf8')).toBe(single.replace('"id":9', '"id":1'))
    expect(p.journal.entries()[0]!.body).toBe(body)
    p.journal.close()
  })

  it('reports a line that is not JSON to its worker and writes nothing', async () => {
    const p = primary()
    const a = createAdopter({ journal: p.journal })
    const [err] = await adoptAll(a.adopt, [[1, '{"kind":"request","id":1,\n']])
    expect(err).toBeInstanceOf(SyntaxError)
    p.journal.close()
    expect(readFileSync(p.file, 'utf8')).toBe('')
  })
})
