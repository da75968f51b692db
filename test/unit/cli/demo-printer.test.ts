import { describe, expect, it } from 'vitest'
import { createDemoPrinter } from '../../../src/cli/demo-printer.js'

describe('demo printer', () => {
  it('prints the header, a rule per cycle and one line per attempt with planned vs actual', () => {
    let out = ''
    const printer = createDemoPrinter({ write: (t) => (out += t), color: false, live: false })
    printer.listener({
      type: 'ready', scenario: 'recovery', story: 'fails 3 times', timeScale: 0.5, ingestUrl: 'http://127.0.0.1:1/wallarm.demo',
      pageUrl: 'http://127.0.0.1:2/', profileName: 'wallarm', cycles: [[500, 1500, 2500, 5000, 5000]], requestTimeoutMs: 7500,
      deliveries: 1, expectedDurationMs: 4500, ending: 'delivered',
    })
    printer.listener({ type: 'attempt', delivery: 1, attempt: 1, cycle: 0, position: 0, durationMs: 4, ok: false, status: 500, atMs: 0 })
    printer.listener({ type: 'waiting', delivery: 1, nextAttempt: 2, cycle: 1, delayMs: 500, dueMono: performance.now() + 500 })
    printer.listener({ type: 'attempt', delivery: 1, attempt: 2, cycle: 1, position: 1, plannedMs: 500, actualMs: 512, durationMs: 3, ok: true, status: 200, atMs: 520 })
    printer.listener({ type: 'delivered', delivery: 1, attempts: 2 })
    printer.listener({ type: 'done', ending: 'delivered', asExpected: true, elapsedMs: 530, attempts: 2 })
    printer.stop()
    const lines = out.split('\n')
    expect(lines[0]).toBe('fake-fluentd demo · recovery · time scale 0.5: 1 s of schedule = 500 ms')
    expect(out).toContain('  page     http://127.0.0.1:2/')
    expect(out).toContain('── cycle 1: 1 s, 3 s, 5 s, 10 s, 10 s  (scaled: 500 ms, 1.5 s, 2.5 s, 5 s, 5 s)')
    expect(lines.find((l) => l.startsWith('#1        1'))).toMatch(/first\s+—\s+—\s+4 ms\s+500$/)
    expect(lines.find((l) => l.startsWith('#1        2'))).toMatch(/1 \(1\/5\)\s+500 ms\s+512 ms\s+\+12 ms\s+3 ms\s+200$/)
    expect(out).toContain('#1 delivered on attempt 2')
    expect(out).toContain('Story over in 530 ms: delivered after 2 attempts, as expected.')
    expect(out).not.toContain('\u001b[')
  })

  it('prints each cycle rule once, when the first of several deliveries reaches it (auto-disable)', () => {
    let out = ''
    const printer = createDemoPrinter({ write: (t) => (out += t), color: false, live: false })
    printer.listener({
      type: 'ready', scenario: 'auto-disable', story: 's', timeScale: 1, ingestUrl: 'http://127.0.0.1:1/w', pageUrl: 'http://127.0.0.1:2/',
      profileName: 'wallarm', cycles: [[1000, 3000], [0, 1000]], requestTimeoutMs: 15000, deliveries: 2, expectedDurationMs: 5000, ending: 'disabled',
    })
    const attempt = (delivery: number, n: number, cycle: number, position: number): void =>
      printer.listener({ type: 'attempt', delivery, attempt: n, cycle, position, durationMs: 1, ok: false, status: 503, atMs: 0 })
    attempt(1, 1, 0, 0)
    attempt(2, 1, 0, 0)
    attempt(1, 2, 1, 1)
    attempt(1, 3, 1, 2)
    attempt(1, 4, 2, 1)
    // Delivery 2 is still in cycle 1: no second "cycle 1" rule below the "cycle 2" one.
    attempt(2, 2, 1, 1)
    printer.stop()
    expect(out.match(/── cycle 1:/g)).toHaveLength(1)
    expect(out.match(/── cycle 2:/g)).toHaveLength(1)
    expect(out.indexOf('── cycle 1:')).toBeLessThan(out.indexOf('── cycle 2:'))
  })
})
