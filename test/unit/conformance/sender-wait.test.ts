/**
 * The sender's side of the lag (sender-wait.ts): which of the sender's waits for a CPU can have
 * moved a judged stamp (waitedMoving), how the judges use it (a late attempt the wait explains is
 * inconclusive, naming it; one it does not explain fails), and how the probe degrades where the
 * figures cannot be read.
 * @see issue 22 (item 13)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import { compareTimeline, intervalsCheck, renderTimeline } from '../../../src/conformance/judges/timeline.js'
import { slackBetween } from '../../../src/conformance/judges/precision.js'
import { REACTION_MS, startSenderWaitProbe, waitedMoving, type WaitRead } from '../../../src/conformance/sender-wait.js'
import type { Attempt } from '../../../src/conformance/judges/handed.js'
import type { ExpectedInterval } from '../../../src/conformance/schedule.js'

/** Cumulative reads from (mono, wait credited since the previous read) pairs. */
function reads(steps: Array<[number, number]>): WaitRead[] {
  let total = 0
  return steps.map(([mono, ms]) => ({ mono, waitedMs: (total += ms) }))
}

describe('waitedMoving', () => {
  // An interval from an answer at 1000 to the next attempt at 2000; due no earlier than 1900.
  it('counts a wait right after the answer and one from the due time on, not one while the sender sleeps', () => {
    const r = reads([
      [1000, 0], // the answer's stamp
      [1010, 4], // reacting to the answer
      [1450, 0], // a poll
      [1500, 30], // a garbage collection while asleep: began after the reaction, ended before the due time
      [1950, 7], // the timer fired late
      [2000, 2], // the next attempt's stamp
    ])
    expect(waitedMoving(r, 1000, 2000, 1900)).toBe(4 + 7 + 2)
    // Without a due time the whole interval counts.
    expect(waitedMoving(r, 1000, 2000)).toBe(43)
  })

  it('counts a long stall that began in the reaction, though the kernel credits it only when it ends', () => {
    const r = reads([
      [1000, 0],
      [1050, 0],
      [1700, 640], // starved from about 1055 to 1695: it began within REACTION_MS of the answer's read
      [2000, 0],
    ])
    expect(waitedMoving(r, 1000, 2000, 1900)).toBe(640)
    // 600 ms credited between 1700 and 1750 began after 1100, past the reaction, and ended before
    // the due time: the sender was held back while asleep, which delays nothing judged.
    expect(1700 - 600).toBeGreaterThan(1000 + REACTION_MS)
    expect(waitedMoving(reads([[1000, 0], [1050, 0], [1700, 0], [1750, 600], [2000, 0]]), 1000, 2000, 1900)).toBe(0)
  })

  it('is undefined when no read brackets the interval', () => {
    expect(waitedMoving([], 0, 10)).toBeUndefined()
    expect(waitedMoving(reads([[5, 1]]), 0, 10)).toBeUndefined()
    expect(waitedMoving(reads([[0, 0], [5, 1]]), 0, 10)).toBeUndefined()
  })
})

describe('the judges with the sender\'s wait', () => {
  const tol = { absMs: 6, rel: 0 }
  const interval: ExpectedInterval = { cycle: 1, position: 1, nominalMs: 300, minMs: 300, maxMs: 300 }
  const attempt = (n: number, startMono: number, endMono: number): Attempt => ({ entryId: n, startMono, endMono, kind: 'request', outcome: 'answered', status: 500 }) as Attempt
  const ctx = (senderWait?: WaitRead[]) => ({ tolerance: tol, lag: [], inProcess: false, machineLag: [], timeScale: 0.3, intervalFrom: 'attempt-end' as const, ...(senderWait ? { senderWait } : {}) })

  it('widens the late side by the wait, takes the larger of it and the probe process, and leaves the early side alone', () => {
    const sender = { reads: reads([[0, 0], [1000, 40]]), dueFromMono: 900 }
    expect(slackBetween(tol, 1000, [], 0, 1000, false, [], sender)).toEqual({ earlyMs: 3, lateMs: 46, lagMs: 40, senderWaitMs: 40 })
    expect(slackBetween(tol, 1000, [], 0, 1000, false, [{ mono: 999, lateMs: 60 }], sender)).toEqual({ earlyMs: 3, lateMs: 66, lagMs: 60, senderWaitMs: 40 })
    // The in-process sender's delays are the runner's lag: no sender figure.
    expect(slackBetween(tol, 1000, [], 0, 1000, true, [], sender)).toEqual({ earlyMs: 3, lateMs: 6, lagMs: 0 })
  })

  it('a late attempt the sender\'s wait explains is inconclusive and names it; without the figure it fails', () => {
    const attempts = [attempt(1, 0, 10), attempt(2, 10 + 300 + 140, 460)]
    // Starved 138 ms right before its timer's attempt (credited at the attempt's stamp).
    const starved = reads([[10, 0], [40, 0], [200, 1], [449, 0], [450, 138]])
    const rows = compareTimeline(attempts, [interval], ctx(starved), 2)
    expect(rows[1]!.verdict).toBe('unsure')
    const check = intervalsCheck(rows)
    expect(check.passed).toBe(true)
    expect(check.inconclusive).toMatch(/^sender-side lag \(the sender's processes waited 138 ms for a CPU within the interval/)
    expect(renderTimeline(rows)).toContain('sender-side lag, in the late side: the sender\'s processes waited for a CPU 138 ms before attempt 2')
    expect(intervalsCheck(compareTimeline(attempts, [interval], ctx(), 2)).passed).toBe(false)
  })

  it('a late attempt the wait does not explain still fails (a sender 10 % slow on a quiet machine)', () => {
    const attempts = [attempt(1, 0, 10), attempt(2, 10 + 330, 350)]
    const quiet = reads([[10, 0], [20, 1], [339, 0], [340, 1]])
    const rows = compareTimeline(attempts, [interval], ctx(quiet), 2)
    expect(rows[1]!.verdict).toBe('out')
    expect(rows[1]!.slack!.senderWaitMs).toBe(2)
    expect(intervalsCheck(rows).passed).toBe(false)
  })
})

describe('startSenderWaitProbe', () => {
  let dir = ''
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  /** A proc tree as the kernel lays it out: PID/task/TID/{schedstat,children}. */
  function task(pid: number, tid: number, runDelayNs: number, children: number[] = []): void {
    mkdirSync(join(dir, String(pid), 'task', String(tid)), { recursive: true })
    writeFileSync(join(dir, String(pid), 'task', String(tid), 'schedstat'), `1000 ${runDelayNs} 3\n`)
    writeFileSync(join(dir, String(pid), 'task', String(tid), 'children'), children.map((c) => `${c} `).join(''))
  }

  it('sums every thread of the process and of what it started; a task that appears later counts from zero', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ff-proc-'))
    task(10, 10, 5e6, [20]) // a shell
    task(20, 20, 7e6) // the sender's main thread
    task(20, 21, 1e6) // one of its threads
    const clock = new ManualClock()
    const probe = startSenderWaitProbe(10, { procRoot: dir, platform: 'linux', clock, pollMs: 150 })
    task(20, 20, 9e6) // +2 ms
    task(20, 21, 4e6) // +3 ms
    task(20, 22, 1.5e6) // a new thread: all of its 1.5 ms
    await clock.advance(100)
    probe.read(100)
    task(10, 10, 5e6, []) // the sender ended: its figures are gone
    await clock.advance(100) // the poll at 150
    probe.stop()
    expect(probe.result()).toEqual({ reads: [{ mono: 0, waitedMs: 0 }, { mono: 100, waitedMs: 6.5 }, { mono: 150, waitedMs: 6.5 }, { mono: 200, waitedMs: 6.5 }] })
    expect(clock.pendingCount).toBe(0)
  })

  it('reads once more after an answer, at the end of the sender\'s reaction', async () => {
    dir = mkdtempSync(join(tmpdir(), 'ff-proc-'))
    task(30, 30, 0)
    const clock = new ManualClock()
    const probe = startSenderWaitProbe(30, { procRoot: dir, platform: 'linux', clock, pollMs: 60_000 })
    await clock.advance(10)
    probe.read(10, REACTION_MS)
    task(30, 30, 3e6)
    await clock.advance(REACTION_MS)
    probe.stop()
    expect(probe.result().reads).toEqual([{ mono: 0, waitedMs: 0 }, { mono: 10, waitedMs: 0 }, { mono: 10 + REACTION_MS, waitedMs: 3 }, { mono: 10 + REACTION_MS, waitedMs: 3 }])
  })

  it('says why it measures nothing: not Linux, or a process it cannot read', () => {
    expect(startSenderWaitProbe(1, { platform: 'darwin' }).result()).toEqual({ reads: [], notMeasured: 'sender lag not measured: the run-queue figures are Linux-only (/proc)' })
    dir = mkdtempSync(join(tmpdir(), 'ff-proc-'))
    const gone = startSenderWaitProbe(4242, { procRoot: dir, platform: 'linux' }).result()
    expect(gone.reads).toEqual([])
    expect(gone.notMeasured).toMatch(/^sender lag not measured: .*4242.* cannot be read/)
  })
})
