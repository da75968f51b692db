/**
 * The journal's batched write (completeThen, issue 8): an answer is released only after its line is
 * in the file, lines keep their order when complete() and completeThen() mix, and a failed write is
 * reported to every waiting answer.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EntryLineError } from '../../../src/journal/file-line.js'
import { createJournal } from '../../../src/journal/journal.js'

const fresh = () => join(mkdtempSync(join(tmpdir(), 'ff-jbatch-')), 'j.ndjson')
const ids = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: number }).id)

describe('journal batched writes', () => {
  it('releases each answer only once its line is in the file, one write per event-loop turn', async () => {
    const file = fresh()
    const j = createJournal({ file })
    const seenAtRelease: number[][] = []
    const done: Promise<void>[] = []
    for (let i = 0; i < 5; i++) {
      const e = j.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1 })
      done.push(new Promise((resolve) => j.completeThen(e, { outcome: 'answered', status: 200 }, () => resolve(void seenAtRelease.push(ids(file))))))
    }
    expect(ids(file)).toEqual([]) // nothing released nor written yet
    await Promise.all(done)
    expect(seenAtRelease).toEqual(Array.from({ length: 5 }, () => [1, 2, 3, 4, 5]))
    j.close()
  })

  it('a synchronous complete() writes the queued lines first, in id order, and releases their answers', () => {
    const file = fresh()
    const j = createJournal({ file })
    const released: number[] = []
    const a = j.add({ kind: 'request', connectionId: 1, remoteAddress: '', remotePort: 0 })
    const b = j.add({ kind: 'request', connectionId: 1, remoteAddress: '', remotePort: 0 })
    j.completeThen(a, { outcome: 'answered', status: 200 }, () => released.push(a.id))
    j.complete(b, { outcome: 'reset' })
    expect(ids(file)).toEqual([1, 2])
    expect(released).toEqual([1])
    j.close()
  })

  it('without a file the answer is released at once', () => {
    const j = createJournal({})
    const e = j.add({ kind: 'request', connectionId: 1, remoteAddress: '', remotePort: 0 })
    let released = false
    j.completeThen(e, { outcome: 'answered', status: 200 }, () => (released = true))
    expect(released).toBe(true)
  })

  it('big 2xx entries: bounded lines with continuation lines, prepared in slices, released only once written', async () => {
    const file = fresh()
    const j = createJournal({ file, max: 1 })
    const events = Array.from({ length: 3000 }, (_, i) => ({ time: 1, record: { i, pad: 'x'.repeat(1000) } }))
    const e = j.add({ kind: 'request', connectionId: 1, remoteAddress: '', remotePort: 0 })
    const released = new Promise<unknown>((resolve) => j.completeThen(e, { outcome: 'answered', status: 200, events }, resolve))
    // A newer entry pushes this one out of the one-entry ring before its line is written: its events
    // are still in the file (the line is prepared from what the entry will be, not from the ring).
    j.add({ kind: 'request', connectionId: 2, remoteAddress: '', remotePort: 0 })
    expect(j.entries().map((x) => x.id)).toEqual([2])
    expect(readFileSync(file, 'utf8')).toBe('')
    expect(await released).toBeUndefined()
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean)
    expect(lines.length).toBeGreaterThan(2)
    for (const l of lines) expect(l.length).toBeLessThan(1.1 * 1024 * 1024)
    const parsed = lines.map((l) => JSON.parse(l) as { id?: number; continues?: number; events: Array<{ record: { i: number } }>; eventsContinued?: { lines: number; total: number } })
    expect(parsed[0]).toMatchObject({ id: 1, status: 200, eventsContinued: { lines: lines.length - 1, total: 3000 } })
    expect(parsed.flatMap((p) => p.events.map((x) => x.record.i))).toEqual(events.map((x) => x.record.i))
    j.close()
  })

  it('an event that cannot be serialized is a failed write: the answer gets the error, the entry stays unsettled', async () => {
    const file = fresh()
    const j = createJournal({ file })
    const e = j.add({ kind: 'request', connectionId: 1, remoteAddress: '', remotePort: 0 })
    const err = await new Promise<unknown>((resolve) => j.completeThen(e, { outcome: 'answered', status: 200, events: [{ time: 1, record: { n: 1n } }] }, resolve))
    expect(err).toBeInstanceOf(EntryLineError)
    expect(e.outcome).toBe('pending')
    expect(readFileSync(file, 'utf8')).toBe('')
    // What the receiver then does: settle it with the 500 it answers instead.
    j.complete(e, { outcome: 'answered', status: 500, error: 'journal write failed' })
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ id: 1, status: 500 })
    j.close()
  })
})
