/**
 * A decided answer is never cut by a deadline (issue 19 item 2, first half): a body of 60,000
 * records takes many event-loop turns to parse and to write into the journal file; while that
 * happens the connection sees no byte. The clock (a ManualClock) is moved far past the idle and
 * keep-alive timeouts during the whole exchange: the client still gets its 200, and the journal
 * says answered, once.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as tlsConnect } from 'node:tls'
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import { startTestReceiver } from '../../helpers/receiver.js'

describe('a decided answer and the idle sweep', () => {
  it('60,000 records processed while the clock runs 1 s per turn: answered 200, journaled answered, no reset', async () => {
    const clock = new ManualClock()
    const journalFile = join(mkdtempSync(join(tmpdir(), 'ff-decided-')), 'journal.ndjson')
    const r = await startTestReceiver({ clock, journalFile, maxRecords: 100_000 })
    const body = '[' + Array.from({ length: 60_000 }, (_, i) => `{"i":${i}}`).join(',') + ']'
    const sock = tlsConnect({ port: r.port, host: '127.0.0.1', ca: r.ca, servername: 'localhost' })
    let text = ''
    let ended = ''
    sock.on('data', (d: Buffer) => (text += d.toString('latin1')))
    sock.on('error', (e: NodeJS.ErrnoException) => (ended ||= e.code ?? 'error'))
    sock.on('close', () => (ended ||= 'closed'))
    await new Promise((resolve) => sock.once('secureConnect', resolve))
    sock.write(`POST /big.tag HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
    // Every turn moves the clock 1 s: the sweep runs again and again while the body is parsed, the
    // answer decided and its journal line written.
    let advanced = 0
    while (!text.includes('\r\n\r\n') && ended === '' && advanced < 600_000) {
      await clock.advance(1000)
      advanced += 1000
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect({ status: text.slice(0, 15), ended }).toEqual({ status: 'HTTP/1.1 200 OK', ended: '' })
    // The exchange really outlived the timeouts on the clock: the idle and keep-alive ones (10 s) are
    // what the sweep would cut it by (the header deadline ended with the head).
    expect(advanced).toBeGreaterThan(10_000)
    sock.destroy()
    const entries = r.journal.entries()
    expect(entries.map((e) => [e.outcome, e.status, e.events?.length])).toEqual([['answered', 200, 60_000]])
    await r.close()
    const lines = readFileSync(journalFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { outcome?: string })
    expect(lines.filter((l) => l.outcome !== undefined && l.outcome !== 'answered')).toEqual([])
  })
})
