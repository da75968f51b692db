/**
 * Stopping while the event loop is blocked: a signal that arrives during a long turn is handled in
 * the next poll phase, and no answer may leave after it. The receiver waits one poll phase before
 * answering from a turn that ran long, so the stop comes first and the exchange ends unanswered,
 * journaled as such.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { httpRequest, rawExchange, startTestReceiver, waitFor } from '../../helpers/receiver.js'

describe('stopping during a blocked event loop', () => {
  it('a signal received while the loop is blocked stops the receiver before the pending 200 goes out', async () => {
    const r = await startTestReceiver({ autoClose: false })
    let blocked = false
    // Stand-in for serve's SIGTERM handler (a real signal, delivered through libuv's signal pipe).
    const onSignal = (): void => void r.close()
    process.once('SIGUSR2', onSignal)
    r.journal.subscribe((c) => {
      if (blocked || c.type !== 'updated' || c.entry?.deliveryKey === undefined) return
      blocked = true
      // The body is read and the answer is about to be made: the signal arrives while this turn
      // blocks the loop for 300 ms (as a huge synchronous parse would).
      process.kill(process.pid, 'SIGUSR2')
      const until = performance.now() + 300
      while (performance.now() < until) {
        // busy
      }
    })
    try {
      const res = await rawExchange(r.url, httpRequest('POST', '/late', '{"a":1}', { 'Content-Type': 'application/json' }), { ca: r.ca, timeoutMs: 3000 })
      expect(blocked).toBe(true)
      expect(res.text).toBe('')
      const entry = await waitFor(() => r.journal.entries().find((e) => e.path === '/late' && e.outcome !== 'pending'))
      expect(entry).toMatchObject({ outcome: 'closed', error: 'the receiver stopped before answering' })
      expect(entry.status).toBeUndefined()
    } finally {
      process.off('SIGUSR2', onSignal)
      await r.close()
    }
  })

  it('with a journal file: a stop between the answer and its line leaves neither a 2xx on the wire nor in the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ff-stop-')), 'j.ndjson')
    const r = await startTestReceiver({ autoClose: false, journalFile: file })
    let stopped = false
    r.journal.subscribe((c) => {
      if (stopped || c.type !== 'updated' || c.entry?.deliveryKey === undefined) return
      stopped = true
      // Runs before the batched write of this turn: the answer is decided but its line is not written yet.
      setImmediate(() => void r.close())
    })
    const res = await rawExchange(r.url, httpRequest('POST', '/late', '{"a":1}', { 'Content-Type': 'application/json' }), { ca: r.ca, timeoutMs: 3000 })
    await r.close()
    expect(stopped).toBe(true)
    expect(res.text).toBe('')
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { path?: string; outcome: string; status?: number; error?: string })
    expect(lines.filter((l) => l.path === '/late')).toEqual([expect.objectContaining({ outcome: 'closed', error: 'the receiver stopped before answering' })])
    expect(lines.some((l) => l.status === 200)).toBe(false)
  })

  it('without a blocked turn the answer goes out at once (no extra wait)', async () => {
    const r = await startTestReceiver()
    const res = await rawExchange(r.url, httpRequest('POST', '/fast', '{"a":1}', { 'Content-Type': 'application/json' }), { ca: r.ca, timeoutMs: 300 })
    expect(res.text).toMatch(/^HTTP\/1.1 200 OK\r\n/)
  })
})
