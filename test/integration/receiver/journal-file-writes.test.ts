/**
 * The journal file's writes (issue 19, items 2 and 5): a write the kernel takes only in part never
 * leaves a partial line and never backs a 2xx; a stop while a large answer's line is being prepared
 * records that entry (it was never answered) at once instead of dropping it.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { onTestFinished, describe, expect, it } from 'vitest'
import { request } from 'undici'
import { AnswerWithdrawn } from '../../../src/journal/batch.js'
import { createJournal } from '../../../src/journal/journal.js'
import { CLI_PATH, READY_RE } from '../../helpers/cli.js'
import { agentFor, startTestReceiver } from '../../helpers/receiver.js'

const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'ff-jwrite-')), 'j.ndjson')

/** `serve` under a shell limit (`ulimit -f` in KiB), resolving with its ingest URL. */
function serveUnderLimit(fileKiB: number, args: string[]): Promise<{ url: string; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `ulimit -f ${fileKiB}; exec "$0" "$@"`, process.execPath, CLI_PATH, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    onTestFinished(() => void child.kill('SIGKILL'))
    let err = ''
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString()
      const m = READY_RE.exec(err)
      if (m) resolve({ url: m[1]!, stop: () => child.kill('SIGKILL') })
    })
    child.once('exit', (code) => reject(new Error(`serve exited ${String(code)}: ${err}`)))
  })
}

describe('journal file writes', () => {
  it('a file size limit (ulimit -f): whole lines only, every 200 in the file, the rest answered 500', async () => {
    const file = fresh()
    const s = await serveUnderLimit(16, ['--port', '0', '--admin-port', '0', '--no-tls', '--output', 'none', '--validate', 'off', '--journal', file])
    const answered = new Map<number, number>()
    for (let uid = 0; uid < 40; uid++) {
      const body = JSON.stringify([{ uid, pad: 'x'.repeat(700) }])
      const res = await request(`${s.url}/cap`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
      await res.body.dump()
      answered.set(uid, res.statusCode)
    }
    s.stop()
    const statuses = [...answered.values()]
    expect(statuses.filter((x) => x === 200).length).toBeGreaterThan(5)
    expect(statuses.filter((x) => x === 500).length).toBeGreaterThan(5)
    // Once the limit is reached every later answer is 500: none is 200 after the first 500.
    expect(statuses.indexOf(200, statuses.indexOf(500))).toBe(-1)
    const text = readFileSync(file, 'utf8')
    expect(statSync(file).size).toBeLessThanOrEqual(16 * 1024)
    expect(text === '' || text.endsWith('\n')).toBe(true)
    const inFile = new Map<number, number>()
    for (const line of text.split('\n').filter(Boolean)) {
      const e = JSON.parse(line) as { status?: number; events?: { record: { uid: number } }[] }
      for (const ev of e.events ?? []) inFile.set(ev.record.uid, e.status ?? 0)
    }
    for (const [uid, status] of answered) {
      if (status === 200) expect(inFile.get(uid)).toBe(200)
      else expect(inFile.has(uid)).toBe(false)
    }
  })

  it('close() while a large answer is being prepared: written at once as not answered, the answer withdrawn', async () => {
    const file = fresh()
    const j = createJournal({ file })
    const events = Array.from({ length: 200_000 }, (_, i) => ({ time: 1, record: { i, pad: 'y'.repeat(100) } }))
    const e = j.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1 })
    let stopping = false
    const released = new Promise<unknown>((resolve) => j.completeThen(e, { outcome: 'answered', status: 200, events }, resolve, () => !stopping))
    // Let the preparation start (it yields between slices), then stop.
    await new Promise((r) => setImmediate(r))
    stopping = true
    const t0 = performance.now()
    j.close()
    expect(await released).toBeInstanceOf(AnswerWithdrawn)
    expect(performance.now() - t0).toBeLessThan(1000)
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: number; outcome: string; status?: number })
    expect(lines).toEqual([expect.objectContaining({ id: 1, outcome: 'pending' })])
    expect(lines[0]!.status).toBeUndefined()
  })

  it('a stop (wanted() turning false) ends the preparation within a slice and withdraws the answer', async () => {
    const j = createJournal({ file: fresh() })
    const events = Array.from({ length: 200_000 }, (_, i) => ({ time: 1, record: { i, pad: 'z'.repeat(100) } }))
    const e = j.add({ kind: 'request', connectionId: 1, remoteAddress: '127.0.0.1', remotePort: 1 })
    let stopping = false
    const released = new Promise<unknown>((resolve) => j.completeThen(e, { outcome: 'answered', status: 200, events }, resolve, () => !stopping))
    await new Promise((r) => setImmediate(r))
    stopping = true
    const t0 = performance.now()
    expect(await released).toBeInstanceOf(AnswerWithdrawn)
    expect(performance.now() - t0).toBeLessThan(200)
    j.close()
  })

  it('a JSON body whose records are all in the events is not written twice; other bodies keep their text', async () => {
    const file = fresh()
    const r = await startTestReceiver({ journalFile: file, output: 'none' })
    const agent = agentFor(r)
    const post = async (path: string, body: string, contentType = 'application/json'): Promise<number> => {
      const res = await request(`${r.url}${path}`, { method: 'POST', body, headers: { 'content-type': contentType }, dispatcher: agent })
      await res.body.dump()
      return res.statusCode
    }
    const hits = JSON.stringify(Array.from({ length: 20 }, (_, i) => ({ summary: 'hit', details: { i, pad: 'p'.repeat(600) } })))
    expect(await post('/json', hits)).toBe(200)
    expect(await post('/dropped', '[{"a":1},2]')).toBe(200)
    expect(await post('/nd', '{"a":1}\n', 'application/x-ndjson')).toBe(200)
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => ({ text: l, e: JSON.parse(l) as { tag?: string; body?: string; bodyInEvents?: boolean; events?: unknown[] } }))
    const json = lines.find((l) => l.e.tag === 'json')!
    expect(json.e).toMatchObject({ bodyInEvents: true, events: expect.any(Array) })
    expect(json.e.body).toBeUndefined()
    expect(json.e.events).toHaveLength(20)
    expect(json.text.length).toBeLessThan(1.3 * hits.length)
    for (const tag of ['dropped', 'nd']) {
      const e = lines.find((l) => l.e.tag === tag)!.e
      expect(e.bodyInEvents).toBeUndefined()
      expect(typeof e.body).toBe('string')
    }
    // In memory the entry keeps its body text.
    expect(r.journal.entries({ tag: 'json' })[0]?.body).toBe(hits)
  })
})
