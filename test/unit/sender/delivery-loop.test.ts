/**
 * The delivery loop on a ManualClock with a scripted transport: exact intervals, drop after 17,
 * auto-disable across concurrent deliveries, cancellation. Deterministic; no sockets.
 */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import type { AttemptFn, AttemptOutcome } from '../../../src/sender/attempt.js'
import { wallarmProfile } from '../../../src/profile/index.js'
import { expectedSchedule } from '../../../src/profile/index.js'
import { createSender } from '../../../src/sender/sender.js'
import type { SenderEvents } from '../../../src/sender/events.js'

const URL_ = 'https://127.0.0.1:9/wallarm'
const n1 = { summary: 's', details: { notification_type: 'create_user' } }

/** A transport that takes `durationMs` of clock time and answers from `outcomes(callIndex)`. */
function scripted(clock: ManualClock, outcomes: (i: number) => AttemptOutcome, durationMs = 0): AttemptFn & { calls: number } {
  const fn = (async (_req, ctx) => {
    const i = fn.calls++
    if (durationMs > 0) {
      try {
        await clock.sleep(durationMs, ctx.signal)
      } catch {
        return { kind: 'cancelled' }
      }
    }
    return outcomes(i)
  }) as AttemptFn & { calls: number }
  fn.calls = 0
  return fn
}

const fail: AttemptOutcome = { kind: 'response', status: 503 }
const ok: AttemptOutcome = { kind: 'response', status: 200 }

describe('delivery loop (ManualClock)', () => {
  it('intervalFrom attempt-start: the next attempt starts the interval after the failed one started (at once when it took longer)', async () => {
    const clock = new ManualClock()
    // 400 ms attempts: the 1 s interval leaves 600 ms after the end; the 0 s one (after attempt 6) none.
    const attempt = scripted(clock, (i) => (i < 7 ? fail : ok), 400)
    const sender = createSender({ url: URL_ }, { clock, attempt, profile: { ...wallarmProfile, intervalFrom: 'attempt-start' } })
    const p = sender.deliver(n1)
    await clock.runAll()
    const r = await p
    expect(r.outcome).toBe('delivered')
    const expected = expectedSchedule(wallarmProfile)
    r.attempts.slice(1).forEach((a, k) => {
      const prev = r.attempts[k]!
      expect(a.startedAt - prev.startedAt).toBe(Math.max(400, expected[k + 1]!.intervalMs!))
    })
  })

  it('follows the wallarm schedule from the end of each failed attempt and drops after 17 attempts', async () => {
    const clock = new ManualClock()
    const attempt = scripted(clock, () => fail, 250)
    const sender = createSender({ url: URL_ }, { clock, attempt })
    const events: string[] = []
    sender.on('retry-scheduled', (e) => events.push(`retry ${e.attempt} in ${e.intervalMs}`))
    sender.on('dropped', () => events.push('dropped'))
    const p = sender.deliver(n1)
    await clock.runAll()
    const r = await p
    expect(r.outcome).toBe('dropped')
    expect(r.attempts).toHaveLength(17)
    const expected = expectedSchedule(wallarmProfile)
    r.attempts.forEach((a, i) => {
      expect(a.attempt).toBe(i + 1)
      expect(a.cycle).toBe(expected[i]!.cycle)
      expect(a.indexInCycle).toBe(expected[i]!.indexInCycle)
      expect(a.endedAt - a.startedAt).toBe(250)
      expect(a.scheduledIntervalMs).toBe(expected[i]!.intervalMs)
      if (i > 0) expect(a.startedAt - r.attempts[i - 1]!.endedAt).toBe(expected[i]!.intervalMs)
    })
    // First attempt at 0; the last one starts after every interval plus 16 attempts of 250 ms.
    expect(r.attempts[16]!.startedAt).toBe(expected[16]!.offsetMs + 16 * 250)
    expect(events.at(-1)).toBe('dropped')
    expect(events.filter((e) => e.startsWith('retry'))).toHaveLength(16)
  })

  it('stops at the first success status of the profile (201, 204 count; 3xx does not)', async () => {
    const clock = new ManualClock()
    const statuses = [302, 400, 500, 201]
    const attempt = scripted(clock, (i) => ({ kind: 'response', status: statuses[i]! }))
    const sender = createSender({ url: URL_ }, { clock, attempt })
    const p = sender.deliver([n1, n1])
    await clock.runAll()
    const r = await p
    expect(r.outcome).toBe('delivered')
    expect(r.attempts.map((a) => a.ok)).toEqual([false, false, false, true])
    expect(r.attempts[3]!.startedAt).toBe(1000 + 3000 + 5000)
  })

  it('counts timeouts, network and TLS failures as failures', async () => {
    const clock = new ManualClock()
    const outs: AttemptOutcome[] = [
      { kind: 'timeout', phase: 'connect' },
      { kind: 'timeout', phase: 'request' },
      { kind: 'network', code: 'ECONNRESET' },
      { kind: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
      ok,
    ]
    const sender = createSender({ url: URL_ }, { clock, attempt: scripted(clock, (i) => outs[i]!) })
    const p = sender.deliver(n1)
    await clock.runAll()
    expect((await p).attempts.map((a) => a.outcome)).toEqual(outs)
  })

  it('scales every interval by the time scale', async () => {
    const clock = new ManualClock()
    const sender = createSender({ url: URL_, timeScale: 0.5 }, { clock, attempt: scripted(clock, () => fail) })
    const p = sender.deliver(n1)
    await clock.runAll()
    const r = await p
    expect(r.attempts[16]!.startedAt).toBe(expectedSchedule(wallarmProfile)[16]!.offsetMs * 0.5)
    expect(r.attempts[1]!.profileIntervalMs).toBe(1000)
    expect(r.attempts[1]!.scheduledIntervalMs).toBe(500)
    expect(sender.timeScale).toBe(0.5)
    // options.timeScale wins over settings.timeScale
    expect(createSender({ url: URL_, timeScale: 0.5 }, { timeScale: 0.1 }).timeScale).toBe(0.1)
  })

  it('disables when two concurrent failing deliveries reach 60 % of >= 20 attempts, cancelling pending retries', async () => {
    const clock = new ManualClock()
    const attempt = scripted(clock, () => fail, 10)
    const sender = createSender({ url: URL_ }, { clock, attempt })
    const disabled: Array<SenderEvents['disabled']> = []
    sender.on('disabled', (e) => disabled.push(e))
    const a = sender.deliver(n1)
    const b = sender.deliver(n1)
    await clock.runAll()
    const [ra, rb] = await Promise.all([a, b])
    expect(ra.outcome).toBe('disabled')
    expect(rb.outcome).toBe('disabled')
    expect(ra.attempts.length + rb.attempts.length).toBe(20)
    expect(disabled).toHaveLength(1)
    expect(disabled[0]!.stats).toEqual({ attempts: 20, failed: 20, failureRatio: 1 })
    expect(disabled[0]!.notification.details.notification_type).toBe('integration_broken')
    expect(disabled[0]!.notification.summary).toContain('disabled')
    expect(clock.pendingCount).toBe(0)
    expect(sender.disabled).toBe(true)
    // After disable: resolved at once, no request.
    const calls = attempt.calls
    const c = await sender.deliver(n1)
    expect(c).toMatchObject({ outcome: 'disabled', attempts: [] })
    expect(attempt.calls).toBe(calls)
  })

  it('one failing delivery alone never disables (17 < 20 attempts)', async () => {
    const clock = new ManualClock()
    const sender = createSender({ url: URL_ }, { clock, attempt: scripted(clock, () => fail) })
    const p = sender.deliver(n1)
    await clock.runAll()
    expect((await p).outcome).toBe('dropped')
    expect(sender.disabled).toBe(false)
    expect(sender.windowStats()).toEqual({ attempts: 17, failed: 17, failureRatio: 1 })
  })

  it('does not disable at 50 % failed', async () => {
    const clock = new ManualClock()
    // Each delivery fails once, then succeeds: 50 % of the attempts fail.
    const attempt = scripted(clock, (i) => (i % 2 === 0 ? fail : ok))
    const sender = createSender({ url: URL_ }, { clock, attempt })
    for (let k = 0; k < 30; k++) {
      const p = sender.deliver(n1)
      await clock.runAll()
      expect((await p).outcome).toBe('delivered')
    }
    expect(sender.windowStats()).toEqual({ attempts: 60, failed: 30, failureRatio: 0.5 })
    expect(sender.disabled).toBe(false)
  })

  it('forgets failures older than the window', async () => {
    const clock = new ManualClock()
    const profile = { ...wallarmProfile, autoDisable: { windowMs: 3_600_000, failureRatio: 0.6, minAttempts: 20 } }
    const sender = createSender({ url: URL_ }, { clock, profile, attempt: scripted(clock, () => fail) })
    const p = sender.deliver(n1) // 17 failures over ~51 min
    await clock.runAll()
    await p
    await clock.advance(3_600_000) // all 17 out of the window
    const q = sender.deliver(n1)
    await clock.runAll()
    expect((await q).outcome).toBe('dropped')
    expect(sender.disabled).toBe(false)
  })

  it('close() cancels pending retries and in-flight attempts', async () => {
    const clock = new ManualClock()
    const sender = createSender({ url: URL_ }, { clock, attempt: scripted(clock, () => fail, 50) })
    const p = sender.deliver(n1)
    await clock.advance(60) // first attempt failed, a retry is pending
    const q = sender.deliver(n1) // in flight
    await clock.advance(0)
    await sender.close()
    const [rp, rq] = await Promise.all([p, q])
    expect(rp.outcome).toBe('cancelled')
    expect(rq.outcome).toBe('cancelled')
    expect(rq.attempts[0]!.outcome).toEqual({ kind: 'cancelled' })
    expect((await sender.deliver(n1)).outcome).toBe('cancelled')
  })

  it('emits attempt-start, attempt-end (with the next retry), retry-scheduled, delivered, ended in order', async () => {
    const clock = new ManualClock()
    const sender = createSender({ url: URL_ }, { clock, attempt: scripted(clock, (i) => (i === 0 ? fail : ok)) })
    const log: string[] = []
    sender.on('attempt-start', (e) => log.push(`start ${e.attempt}`))
    sender.on('attempt-end', (e) => log.push(`end ${e.record.attempt} next ${e.nextRetry?.intervalMs ?? '-'}`))
    sender.on('retry-scheduled', (e) => log.push(`retry ${e.attempt} cycle ${e.cycle}.${e.indexInCycle}`))
    sender.on('delivered', () => log.push('delivered'))
    const off = sender.on('ended', (e) => log.push(`ended ${e.result.outcome}`))
    const p = sender.deliver(n1)
    await clock.runAll()
    await p
    expect(log).toEqual(['start 1', 'end 1 next 1000', 'retry 2 cycle 1.1', 'start 2', 'end 2 next -', 'delivered', 'ended delivered'])
    off()
  })

  it('rejects bad settings and bad deliveries', async () => {
    expect(() => createSender({ url: 'ftp://x' })).toThrow(/http\(s\) URL/)
    expect(() => createSender({ url: URL_ }, { timeScale: 0 })).toThrow(/time scale/)
    expect(() => createSender({ url: URL_, caFile: '/nonexistent/ca.pem' })).toThrow(/CA certificate/)
    await expect(createSender({ url: URL_ }).deliver([1 as unknown as Record<string, unknown>])).rejects.toThrow(/notification object/)
  })

  it('draws jitter from a seed reproducibly', async () => {
    const run = async (): Promise<number[]> => {
      const clock = new ManualClock()
      const profile = { ...wallarmProfile, schedule: { kind: 'exponential' as const, initialMs: 1000, multiplier: 2, maxMs: 8000, maxRetries: 5, jitter: 'full' as const } }
      const sender = createSender({ url: URL_ }, { clock, profile, seed: 7, attempt: scripted(clock, () => fail) })
      const p = sender.deliver(n1)
      await clock.runAll()
      return (await p).attempts.map((a) => a.scheduledIntervalMs ?? -1)
    }
    const a = await run()
    expect(a).toHaveLength(6)
    expect(await run()).toEqual(a)
  })
})
