/**
 * The journal's batched write (completeThen, issue 8): an answer is released only after its line is
 * in the file, lines keep their order when complete() and completeThen() mix, and a failed write is
 * reported to every waiting answer.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
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
})
