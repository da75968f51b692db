import { describe, expect, test } from 'vitest'
import type { JournalEntry } from '../../../src/journal/types.js'
import { wallarmProfile } from '../../../src/profile/index.js'
import { canonicalJson, parseBody } from '../../../src/conformance/judges/body.js'
import { groupAttempts } from '../../../src/conformance/judges/handed.js'
import { compareTimeline, intervalsCheck, renderTimeline, scheduleFitCheck, type TimelineContext } from '../../../src/conformance/judges/timeline.js'
import { bodyFormatCheck, deliveredOnce, disabledCheck, headersCheck } from '../../../src/conformance/judges/checks.js'
import { scenarios } from '../../../src/conformance/scenarios/index.js'
import { scaledIntervals } from '../../../src/conformance/scenarios/common.js'
import { sampleNotification } from '../../../src/conformance/samples.js'
import type { DeliverySpec, Observation, Tolerance } from '../../../src/conformance/types.js'

const tol: Tolerance = { absMs: 6, rel: 0 }
const tctx: TimelineContext = { tolerance: tol, lag: [], inProcess: false, timeScale: 0.1, intervalFrom: 'attempt-end' }
const n1 = sampleNotification(1)
const n2 = sampleNotification(2)

let nextId = 1
function entry(fields: Partial<JournalEntry> & { at: number; took?: number }): JournalEntry {
  const { at, took = 5, ...rest } = fields
  const body = 'body' in rest ? rest.body : JSON.stringify([n1])
  return {
    deliveryKey: body === undefined ? undefined : `conformance.test:${body}`,
    id: nextId++,
    kind: 'request',
    receivedAt: 1_700_000_000_000 + at,
    receivedMono: at,
    endedMono: at + took,
    outcome: 'answered',
    connectionId: 1,
    remoteAddress: '127.0.0.1',
    remotePort: 5000,
    method: 'POST',
    path: '/conformance.test',
    tag: 'conformance.test',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([n1]),
    status: 500,
    ...rest,
  } as JournalEntry
}

function obs(journal: JournalEntry[], deliveries: DeliverySpec[] = [{ atMs: 0, notifications: [n1], batch: false }], extra: Partial<Observation> = {}): Observation {
  return { journal, connections: [], events: [], handed: deliveries.map((d) => ({ ...d, handedMono: d.atMs })), startedMono: 0, endedMono: 100_000, eventsReported: false, lag: [], senderInProcess: false, ...extra }
}

/** Attempts at the wallarm cycle-1 schedule (scale 0.1): 100, 300, 500, 1000, 1000 ms after each end. */
function cycleOneJournal(shift: (i: number) => number = () => 0): JournalEntry[] {
  const intervals = scaledIntervals(wallarmProfile, 0.1).slice(0, 5)
  const out: JournalEntry[] = []
  let t = 0
  for (let i = 0; i < 6; i++) {
    out.push(entry({ at: t, took: 5, status: i === 5 ? 200 : 500 }))
    t += 5 + (intervals[i]?.nominalMs ?? 0) + shift(i)
  }
  return out
}

describe('parseBody and grouping', () => {
  test('shapes: array, object, ndjson, invalid', () => {
    expect(parseBody('[{"a":1}]').shape).toBe('array')
    expect(parseBody('{"a":1}').shape).toBe('object')
    expect(parseBody('{"a":1}\n{"b":2}\n')).toEqual({ shape: 'ndjson', records: [{ a: 1 }, { b: 2 }] })
    expect(parseBody('{"a":1}\n').shape).toBe('ndjson')
    expect(parseBody('json=%7B%7D').shape).toBe('invalid')
    expect(parseBody('').shape).toBe('empty')
  })

  test('canonical JSON ignores key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }))
  })

  test('attempts are grouped per delivery by the receiver\'s delivery key; unknown bodies stay unmatched', () => {
    const j = [
      entry({ at: 0, body: JSON.stringify([n1]) }),
      entry({ at: 10, body: `${JSON.stringify(n2)}\n` }),
      entry({ at: 20, body: JSON.stringify([n1]), status: 200 }),
      entry({ at: 30, body: '[{"other":1}]' }),
    ]
    const g = groupAttempts(obs(j, [{ atMs: 0, notifications: [n1], batch: false }, { atMs: 5, notifications: [n2], batch: false }]), wallarmProfile)
    expect(g.deliveries[0]!.attempts.map((a) => a.entryId)).toEqual([j[0]!.id, j[2]!.id])
    expect(g.deliveries[0]!.attempts[1]!.succeeded).toBe(true)
    expect(g.deliveries[1]!.attempts.map((a) => a.entryId)).toEqual([j[1]!.id])
    expect(g.unmatched.map((a) => a.entryId)).toEqual([j[3]!.id])
  })

  test("a body sent again after its 2xx is a new receiver delivery, and still counts against the handed one", () => {
    const j = [entry({ at: 0, status: 200, deliveryKey: 'k#1' }), entry({ at: 50, status: 200, deliveryKey: 'k#2' })]
    const g = groupAttempts(obs(j), wallarmProfile)
    expect(g.deliveries[0]!.attempts.map((a) => [a.entryId, a.deliveryKey])).toEqual([[j[0]!.id, 'k#1'], [j[1]!.id, 'k#2']])
    const check = deliveredOnce(g.deliveries[0]!)
    expect(check.passed).toBe(false)
    expect(check.observed).toMatch(/1 more attempt\(s\) after the success/)
  })

  test('connection-level entries join the only delivery', () => {
    const j = [entry({ at: 0, kind: 'connection', outcome: 'stalled', body: undefined, status: undefined, endedMono: undefined }), entry({ at: 2100, status: 200 })]
    const g = groupAttempts(obs(j), wallarmProfile)
    expect(g.deliveries[0]!.attempts).toHaveLength(2)
    expect(g.deliveries[0]!.attempts[0]!.kind).toBe('connection')
  })
})

describe('timeline', () => {
  test('the slack is a small base plus the runner lag measured at the two stamps', () => {
    const g = groupAttempts(obs(cycleOneJournal((i) => (i === 1 ? 8 : 0))), wallarmProfile)
    const rows = compareTimeline(g.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), tctx, 6)
    expect(rows[2]!.verdict).toBe('out')
    // 8 ms late passes when the runner was measurably blocked (5 ms) just before the next accept.
    const at = rows[2]!.attempt!.startMono
    const rows2 = compareTimeline(g.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), { ...tctx, lag: [{ mono: at - 1, lateMs: 5 }] }, 6)
    expect(rows2[2]!.verdict).toBe('ok')
    expect(rows2[2]!.slack).toEqual({ earlyMs: 3, lateMs: 11, lagMs: 5 })
  })

  test('within the slack but as close to a 10 % wrong value: unsure (inconclusive), never ok', () => {
    // 104 ms for 100: within 6 + 10 ms of lag, but a 90 ms sender delayed as much would show the same.
    const g = groupAttempts(obs(cycleOneJournal((i) => (i === 0 ? 4 : 0))), wallarmProfile)
    const at = g.deliveries[0]!.attempts[1]!.startMono
    const rows = compareTimeline(g.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), { ...tctx, lag: [{ mono: at - 1, lateMs: 10 }] }, 6)
    expect(rows[1]!.verdict).toBe('unsure')
    const check = intervalsCheck(rows)
    expect(check.passed).toBe(true)
    expect(check.inconclusive).toMatch(/attempt 2/)
  })

  test('intervalFrom attempt-start: the gap after a long attempt is the interval less its duration', () => {
    const g = groupAttempts(obs([entry({ at: 0, took: 40 }), entry({ at: 100, status: 200 })]), wallarmProfile)
    const ok = compareTimeline(g.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), { ...tctx, intervalFrom: 'attempt-start' }, 2)
    expect(ok[1]!.gapMs).toEqual([60, 60])
    expect(ok[1]!.verdict).toBe('ok')
    const end = compareTimeline(g.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), tctx, 2)
    expect(end[1]!.verdict).toBe('out')
  })

  test('the schedule fit: k = 1.1 fails as a whole', () => {
    const good = groupAttempts(obs(cycleOneJournal()), wallarmProfile)
    expect(scheduleFitCheck(compareTimeline(good.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), tctx, 6))!.passed).toBe(true)
    const intervals = scaledIntervals(wallarmProfile, 0.1)
    const long = groupAttempts(obs(cycleOneJournal((i) => (intervals[i]?.nominalMs ?? 0) * 0.1)), wallarmProfile)
    const fit = scheduleFitCheck(compareTimeline(long.deliveries[0]!.attempts, intervals, tctx, 6))!
    expect(fit.passed).toBe(false)
    expect(fit.observed).toMatch(/k = 1\.1000/)
  })

  test('the schedule as promised passes; intervals run from the end of one attempt to the start of the next', () => {
    const g = groupAttempts(obs(cycleOneJournal()), wallarmProfile)
    const rows = compareTimeline(g.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), tctx, 6)
    expect(rows.map((r) => r.observedMs)).toEqual([undefined, 100, 300, 500, 1000, 1000])
    expect(intervalsCheck(rows).passed).toBe(true)
  })

  test('a wrong interval fails, and the table shows expected and observed side by side', () => {
    const g = groupAttempts(obs(cycleOneJournal((i) => (i === 2 ? 400 : 0))), wallarmProfile)
    const rows = compareTimeline(g.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), tctx, 6)
    const check = intervalsCheck(rows)
    expect(check.passed).toBe(false)
    expect(check.observed).toContain(`attempt 4 (#${rows[3]!.attempt!.entryId}): 900 ms after the previous attempt ended, expected 500 (c1.3)`)
    expect(check.evidence).toEqual([rows[3]!.attempt!.entryId])
    const table = renderTimeline(rows)
    expect(table).toMatch(/expected interval ms \| observed interval ms/)
    expect(table).toMatch(/4 +\| 500 \(c1\.3\) +\| 900 +\| \+400 +\| -3\/\+6 +\| OUT/)
  })

  test('missing and extra attempts show as rows', () => {
    const g = groupAttempts(obs(cycleOneJournal().slice(0, 3)), wallarmProfile)
    const rows = compareTimeline(g.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), tctx, 6)
    expect(renderTimeline(rows)).toContain('MISSING')
    const more = groupAttempts(obs(cycleOneJournal()), wallarmProfile)
    const rows2 = compareTimeline(more.deliveries[0]!.attempts, scaledIntervals(wallarmProfile, 0.1), tctx, 4)
    expect(renderTimeline(rows2)).toContain('EXTRA')
  })
})

describe('checks', () => {
  test('headers must be exact', () => {
    const g = groupAttempts(obs([entry({ at: 0, headers: { 'x-auth-token': 'abc ', 'content-type': 'application/json' } })]), wallarmProfile)
    const c = headersCheck(g.deliveries[0]!.attempts, { 'X-Auth-Token': 'abc', 'X-Tenant': 't' })
    expect(c.passed).toBe(false)
    expect(c.observed).toContain('X-Auth-Token: "abc "')
    expect(c.observed).toContain('X-Tenant: (absent)')
  })

  test('body format: NDJSON when a JSON array was asked for fails', () => {
    const g = groupAttempts(obs([entry({ at: 0, body: `${JSON.stringify(n1)}\n`, headers: { 'content-type': 'application/x-ndjson' } })]), wallarmProfile)
    expect(bodyFormatCheck(g.deliveries[0]!, 'json').passed).toBe(false)
    expect(bodyFormatCheck(g.deliveries[0]!, 'ndjson').passed).toBe(true)
  })

  test('disabled: attempts after the threshold and a missing event are reported', () => {
    const j = Array.from({ length: 21 }, (_, i) => entry({ at: i * 10 }))
    const g = groupAttempts(obs(j), wallarmProfile)
    const checks = disabledCheck(obs(j, undefined, { eventsReported: true }), true, g.deliveries[0]!.attempts, 20)
    expect(checks.map((c) => c.passed)).toEqual([false, false])
    expect(checks[0]!.observed).toContain('1 attempt(s) after the 20th')
  })
})

describe('catalogue', () => {
  test('ids are unique kebab family.name and every documented family is covered', () => {
    const ids = scenarios.map((s) => s.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[a-z]+\.[a-z0-9]+(-[a-z0-9]+)*$/)
    expect(new Set(scenarios.map((s) => s.family))).toEqual(new Set(['delivery', 'format', 'tls', 'retry', 'timeout', 'disable']))
  })

  test('every scenario builds for the wallarm profile with a deadline and a judge', () => {
    for (const s of scenarios) {
      const built = s.build({ profile: wallarmProfile, timeScale: s.defaultTimeScale, tolerance: tol })
      expect(built.deadlineMs, s.id).toBeGreaterThan(0)
      expect(built.deliveries.length, s.id).toBeGreaterThan(0)
      const judged = built.judge(obs([], built.deliveries))
      expect(judged.checks.some((c) => !c.passed), `${s.id} must fail on an empty journal`).toBe(true)
    }
  })

  test('disable scenarios put the threshold exactly at minAttempts: 12 of 20, and 11 of 20', () => {
    const at = scenarios.find((s) => s.id === 'disable.at-threshold')!.build({ profile: wallarmProfile, timeScale: 0.01, tolerance: tol })
    expect(at.plan).toEqual({ rules: [{ id: 'scenario', steps: [{ status: 200, times: 8 }, { status: 500, times: 12 }] }] })
    const below = scenarios.find((s) => s.id === 'disable.below-threshold')!.build({ profile: wallarmProfile, timeScale: 0.01, tolerance: tol })
    expect(below.plan).toEqual({ rules: [{ id: 'scenario', steps: [{ status: 200, times: 9 }, { status: 500, times: 11 }] }] })
  })
})
