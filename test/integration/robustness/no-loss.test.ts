/**
 * No loss, no invention (issue 8): under keep-alive TLS load with 50 connections, every request the
 * client saw answered 2xx is in the journal file exactly once, and no event is in the file that was
 * not answered 2xx; the same with faults mixed in; and after `kill -9` of `fake-fluentd serve`
 * mid-load, every 2xx-answered event is in the file (src/journal/journal.ts: the line is written with
 * writeSync before the first byte of the answer). The 20 s versions run in `npm run test:soak`.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createFaultEngine, parseFaultShorthand } from '../../../src/faults/index.js'
import { spawnServe } from '../../helpers/cli.js'
import { startTestReceiver } from '../../helpers/receiver.js'
import { auditJournalFile, is2xx, loadAndKill, loadWithUids, lossAndInvention } from './load.js'

const LOAD_MS = Number(process.env.FF_NO_LOSS_MS ?? 2500)

describe('no loss, no invention', () => {
  it(`50 connections for ${LOAD_MS} ms: every 2xx exactly once in the file, nothing else`, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ff-noloss-')), 'journal.ndjson')
    const r = await startTestReceiver({ journalFile: file, output: 'none', validate: 'off' })
    const load = await loadWithUids({ url: r.url, ca: r.ca, connections: 50, durationMs: LOAD_MS })
    await r.close()
    const audit = auditJournalFile(file)
    const v = lossAndInvention(load, audit, true)
    const ok = [...load.seen.values()].filter(is2xx).length
    console.log(`no-loss: ${load.seen.size} requests, ${ok} answered 2xx, ${audit.entries.length} file lines`)
    expect(audit.badLines).toEqual([])
    expect(ok).toBeGreaterThan(100)
    expect(ok).toBe(load.seen.size) // no faults: everything answered 200
    expect(v).toEqual({ lost: [], duplicated: [], invented: [], non2xxWithEvents: 0 })
    // One file line per request, nothing pending.
    expect(audit.entries.filter((e) => e.kind === 'request')).toHaveLength(load.seen.size)
    expect(audit.entries.every((e) => e.outcome === 'answered')).toBe(true)
  })

  it('with faults mixed in (rate=0.3:503, resets, closes): 2xx events exactly once, none from failed requests', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ff-noloss-')), 'journal.ndjson')
    const plan = parseFaultShorthand(['header=x-case:reset rate=0.5:reset', 'header=x-case:close rate=0.5:close', 'rate=0.3:503'])
    const r = await startTestReceiver({ journalFile: file, output: 'none', validate: 'off', faults: createFaultEngine({ plan, seed: 8 }) })
    const load = await loadWithUids({
      url: r.url,
      ca: r.ca,
      connections: 50,
      durationMs: LOAD_MS,
      headersFor: (n): Record<string, string> => (n % 7 === 3 ? { 'x-case': 'reset' } : n % 7 === 5 ? { 'x-case': 'close' } : {}),
    })
    await r.close()
    const audit = auditJournalFile(file)
    const statuses = [...load.seen.values()]
    const ok = statuses.filter(is2xx).length
    const s503 = statuses.filter((s) => s === 503).length
    const errors = statuses.filter((s) => typeof s === 'string').length
    console.log(`no-loss with faults: ${load.seen.size} requests, ${ok} 2xx, ${s503} 503, ${errors} cut (reset/close)`)
    expect(audit.badLines).toEqual([])
    expect(ok).toBeGreaterThan(50)
    expect(s503).toBeGreaterThan(10)
    expect(errors).toBeGreaterThan(5)
    expect(lossAndInvention(load, audit, true)).toEqual({ lost: [], duplicated: [], invented: [], non2xxWithEvents: 0 })
    // Every cut request is journaled as such.
    expect(audit.entries.filter((e) => e.outcome === 'reset' || e.outcome === 'closed').length).toBeGreaterThanOrEqual(errors)
  })

  it('after kill -9 of serve mid-load, every 2xx-answered event is in the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-kill9-'))
    const file = join(dir, 'journal.ndjson')
    const serve = await spawnServe(['--port', '0', '--admin-port', '0', '--journal', file, '--output', 'none', '--validate', 'off', '--cert-dir', join(dir, 'certs')])
    // Mid-load: once 200 answers are in the file, however busy the machine is.
    const { load, audit, verdict: v } = await loadAndKill(serve, file, { connections: 50, killAfterLines: 200 })
    const ok = [...load.seen.values()].filter(is2xx).length
    const inFileNotSeen = [...audit.eventUids.keys()].filter((u) => !is2xx(load.seen.get(u))).length
    console.log(`kill -9: ${load.seen.size} requests, ${ok} answered 2xx before the kill, all in the file; ${inFileNotSeen} in the file whose answer the client never got`)
    expect(ok).toBeGreaterThan(50)
    expect([...load.seen.values()].some((s) => typeof s === 'string')).toBe(true) // the kill was mid-load
    expect(audit.badLines).toEqual([])
    expect(v.lost).toEqual([])
    expect(v.duplicated).toEqual([])
    expect(v.invented).toEqual([]) // every file event was sent by the client
    expect(v.non2xxWithEvents).toBe(0)
  })
})
