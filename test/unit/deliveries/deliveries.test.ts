/**
 * The one delivery definition (src/deliveries): grouping by the receiver's delivery key, attempts
 * against the profile's schedule, states, and the auto-disable ratio; port probes are not attempts,
 * aborted TLS handshakes are (issue 12 item 6, issue 13).
 */
import { describe, expect, it } from 'vitest'
import { deliveriesOf, isAttempt } from '../../../src/deliveries/index.js'
import type { JournalEntry } from '../../../src/journal/types.js'
import { wallarmProfile } from '../../../src/profile/index.js'
import type { RetryProfile } from '../../../src/profile/index.js'

let nextId = 1
const T0 = Date.UTC(2026, 10, 29, 12)

function request(key: string, attempt: number, at: number, status: number | undefined, durationMs = 10, extra: Partial<JournalEntry> = {}): JournalEntry {
  return {
    id: nextId++,
    kind: 'request',
    receivedAt: at,
    receivedMono: at - T0,
    endedAt: status === undefined ? undefined : at + durationMs,
    outcome: status === undefined ? 'pending' : 'answered',
    connectionId: 1,
    remoteAddress: '127.0.0.1',
    remotePort: 5000,
    tag: key.split(':')[0],
    deliveryKey: key,
    attempt,
    ...(status !== undefined ? { status } : {}),
    ...extra,
  } as JournalEntry
}

function connection(at: number, fields: Partial<JournalEntry>): JournalEntry {
  return { id: nextId++, kind: 'connection', receivedAt: at, receivedMono: 0, endedAt: at + 1, outcome: 'closed', connectionId: 2, remoteAddress: '127.0.0.1', remotePort: 5001, ...fields } as JournalEntry
}

const view = (entries: JournalEntry[], now: number, profile: RetryProfile | null = wallarmProfile, timeScale = 1, senderDisabled = false) =>
  deliveriesOf(entries, { profile, timeScale, now, senderDisabled })

describe('deliveries', () => {
  it('a port probe is not an attempt; an aborted TLS handshake is (in the ratio, in no delivery)', () => {
    const probe = connection(T0 + 5, { outcome: 'closed', noBytes: true })
    const tlsAbort = { ...connection(T0 + 6, { outcome: 'tls-error', tls: { error: 'unknown ca' } }), kind: 'tls-error' } as JournalEntry
    const cutByFault = connection(T0 + 7, { outcome: 'reset' })
    const ok = request('a:k1', 1, T0, 200)
    expect(isAttempt(probe)).toBe(false)
    expect(isAttempt(tlsAbort)).toBe(true)
    expect(isAttempt(cutByFault)).toBe(true)
    expect(isAttempt(connection(T0, { outcome: 'pending' }))).toBe(false)

    const onlyProbe = view([ok, probe], T0 + 100)
    expect(onlyProbe.failure).toMatchObject({ attempts: 1, failed: 0, ratio: 0 })
    expect(onlyProbe.deliveries).toHaveLength(1)
    expect(onlyProbe.unassigned).toBe(0)
    const withTls = view([ok, probe, tlsAbort], T0 + 100)
    expect(withTls.failure).toMatchObject({ attempts: 2, failed: 1, ratio: 0.5 })
    expect(withTls.unassigned).toBe(1)
  })

  it('groups by delivery key in arrival order; attempt 1 again starts a new delivery', () => {
    const entries = [
      request('a:k1', 1, T0, 503),
      request('b:k2', 1, T0 + 5, 200),
      request('a:k1', 2, T0 + 1010, 200),
      request('a:k1', 1, T0 + 5000, 200),
    ]
    const v = view(entries, T0 + 6000)
    expect(v.deliveries.map((d) => [d.tag, d.attempts.map((a) => a.entryId), d.state])).toEqual([
      ['a', [entries[0]!.id, entries[2]!.id], 'delivered'],
      ['b', [entries[1]!.id], 'delivered'],
      ['a', [entries[3]!.id], 'delivered'],
    ])
    expect(new Set(v.deliveries.map((d) => d.id)).size).toBe(3)
    expect(view(entries, T0 + 6000, wallarmProfile, 1).deliveries).toHaveLength(3)
    expect(deliveriesOf(entries, { profile: wallarmProfile, timeScale: 1, now: T0, limit: 1 })).toMatchObject({ omitted: 2, deliveries: [{ tag: 'a' }] })
  })

  it('each attempt against the scaled schedule: cycle, planned vs actual interval, expected time, deviation', () => {
    const scale = 0.01 // wallarm cycle 1: 10, 30, 50, 100, 100 ms
    const a1 = request('w:k', 1, T0, 503, 20)
    const a2 = request('w:k', 2, T0 + 20 + 12, 503, 5) // planned 10, actual 12
    const a3 = request('w:k', 3, T0 + 37 + 29, 500, 5) // planned 30, actual 29
    const v = view([a1, a2, a3], T0 + 80, wallarmProfile, scale)
    const [d] = v.deliveries
    expect(d!.attempts.map((a) => [a.attempt, a.cycle, a.indexInCycle, a.plannedIntervalMs, a.actualIntervalMs, a.deviationMs, a.state])).toEqual([
      [1, 1, 0, null, null, null, 'fail'],
      [2, 1, 1, 10, 12, 2, 'fail'],
      [3, 1, 2, 30, 29, -1, 'fail'],
    ])
    expect(d!.attempts[1]!.expectedAt).toBe(T0 + 20 + 10)
    expect(d!.state).toBe('retrying')
    // Next: attempt 4, 50 ms after attempt 3 ended; then the rest of cycle 1 (100, 100).
    expect(d!.next).toEqual({ attempt: 4, cycle: 1, plannedIntervalMs: 50, at: T0 + 71 + 50 })
    expect(d!.projected.map((p) => [p.attempt, p.at])).toEqual([[5, T0 + 121 + 100], [6, T0 + 221 + 100]])
    // Long overdue (past max(2 s, half the interval, the scaled request timeout)): stopped.
    expect(view([a1, a2, a3], T0 + 121 + 2001, wallarmProfile, scale).deliveries[0]!.state).toBe('stopped')
    // One failed attempt and nothing after it: a one-off request (curl), not a sender that gave up.
    expect(view([a1], T0 + 10 + 20 + 2001, wallarmProfile, scale).deliveries[0]!.state).toBe('one-off')
    expect(view([a1, a2, a3], T0 + 121 + 1999, wallarmProfile, scale).deliveries[0]!.state).toBe('retrying')
    expect(view([a1, a2, a3], T0 + 80, wallarmProfile, scale, true).deliveries[0]!.state).toBe('cancelled')
    expect(view([a1, a2, a3], T0 + 80, null).deliveries[0]!.state).toBe('failed')
    expect(view([a1, request('w:k', 2, T0 + 40, undefined)], T0 + 80, wallarmProfile, scale).deliveries[0]!.state).toBe('in-flight')
  })

  it('all 17 attempts failed: dropped; the third cycle is cycle 3', () => {
    const entries: JournalEntry[] = []
    let t = T0
    for (let n = 1; n <= 17; n++) {
      entries.push(request('d:k', n, t, 503, 1))
      t += 1000
    }
    const d = view(entries, t, wallarmProfile, 0.001).deliveries[0]!
    expect(d.state).toBe('dropped')
    expect(d.attempts.at(-1)).toMatchObject({ attempt: 17, cycle: 3, indexInCycle: 6, plannedIntervalMs: 30 * 60_000 * 0.001 })
    expect(d.attempts[6]).toMatchObject({ attempt: 7, cycle: 2, indexInCycle: 1, plannedIntervalMs: 0 })
  })

  it('success is the profile’s successStatus', () => {
    const strict: RetryProfile = { ...wallarmProfile, successStatus: [[200, 200]] }
    const e = request('s:k', 1, T0, 204)
    expect(view([e], T0 + 10).deliveries[0]!.attempts[0]!.state).toBe('ok')
    expect(view([e], T0 + 10, strict).deliveries[0]!.attempts[0]!.state).toBe('fail')
    const reset = { ...request('s:k', 1, T0, undefined), outcome: 'reset' as const, endedAt: T0 + 1 }
    expect(view([reset], T0 + 10).deliveries[0]!.attempts[0]!.state).toBe('fail')
  })

  it('the ratio is the auto-disable rule’s: window, minimum attempts, inclusive 60 %', () => {
    const scale = 0.001 // window 12 h -> 43.2 s
    const make = (failed: number, ok: number, at = T0): JournalEntry[] => [
      ...Array.from({ length: failed }, (_, i) => request(`f:${i}`, 1, at + i, 503, 1)),
      ...Array.from({ length: ok }, (_, i) => request(`o:${i}`, 1, at + 100 + i, 200, 1)),
    ]
    expect(view(make(12, 8), T0 + 1000, wallarmProfile, scale).failure).toEqual({
      attempts: 20, failed: 12, ratio: 0.6, threshold: 0.6, minAttempts: 20, windowMs: 43_200, tripped: true, atLine: true, attemptsNeeded: 0,
    })
    expect(view(make(11, 9), T0 + 1000, wallarmProfile, scale).failure).toMatchObject({ tripped: false, atLine: false, attemptsNeeded: 0 })
    expect(view(make(12, 7), T0 + 1000, wallarmProfile, scale).failure).toMatchObject({ attempts: 19, tripped: false, atLine: true, attemptsNeeded: 1 })
    // 43.2 s later the window is empty again.
    expect(view(make(12, 8), T0 + 200 + 43_200, wallarmProfile, scale).failure).toMatchObject({ attempts: 0, tripped: false })
    const none = view(make(3, 1), T0 + 10 ** 9, { ...wallarmProfile, autoDisable: null })
    expect(none.failure).toEqual({ attempts: 4, failed: 3, ratio: 0.75, threshold: null, minAttempts: 0, windowMs: null, tripped: false, atLine: false, attemptsNeeded: 0 })
  })
})
