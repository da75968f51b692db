/**
 * The sender's side of the lag, measured on the sender: how long the processes of a command
 * sender (`--sender-cmd`: the shell, the sender, whatever it started) were ready to run but waited
 * for a CPU, from the kernel's per-thread run-queue wait (`/proc/PID/task/TID/schedstat`, second
 * field, Linux). A timer that a loaded machine holds back shows there: the thread is runnable and
 * not running. A sender that waits on purpose (a retry interval) sleeps, and accrues none.
 *
 * What is kept is a cumulative figure read at runner stamps (an accept, a request, an answer) and
 * every SENDER_WAIT_POLL_MS, so that the judges can take the wait INSIDE the interval they judge,
 * and nothing else: what the sender waited while it started, or during another interval, does not
 * widen this one's slack. (The reverted first attempt, 2fed9b6, summed a 5 s look-back of the main
 * threads and placed it at every stamp: the start-up of a Node sender on a busy machine, seconds of
 * waiting, landed on its first intervals, and correct senders became inconclusive.)
 *
 * Where it cannot be read (not Linux, no schedstat, no process: a URL sender) it says why and
 * reports no figure: the judges then have only the probe process's view (lag-probe.ts).
 * @see issue 22 (item 13)
 */
import { readdirSync, readFileSync } from 'node:fs'
import { systemClock, type Clock, type TimerHandle } from '../clock/index.js'
import type { SenderAdapter, SenderSession } from './adapters/types.js'

/**
 * How often the sender's tasks are read between stamps, ms: a read of a Node sender (a shell, node
 * and its threads) takes about 0.3 ms of the runner's loop.
 */
export const SENDER_WAIT_POLL_MS = 50

/** Most processes of a sender's tree that are read (a shell, the sender, what it started). */
const MAX_PROCESSES = 64

/** The sender's cumulative run-queue wait at one runner time. */
export interface WaitRead {
  /** Runner monotonic ms (the stamp it was read for, or the poll's time). */
  mono: number
  /** Run-queue wait of every task of the sender's tree since the probe started, ms. */
  waitedMs: number
}

/** What a scenario learnt about its sender's wait for a CPU. */
export interface SenderWait {
  /** Reads in time order; empty when not measured. */
  reads: WaitRead[]
  /** Why there is no figure ("--sender-url: no process to read", "not Linux" ...); absent when measured. */
  notMeasured?: string
}

export interface SenderWaitProbe {
  /**
   * Reads the counters now and records them at `mono` (a stamp the judges use); with `againAfterMs`,
   * reads once more that long after (the end of a sender's reaction to an answer, REACTION_MS).
   */
  read(mono: number, againAfterMs?: number): void
  /** Stops polling (a last read first); idempotent. */
  stop(): void
  /** What was measured so far. */
  result(): SenderWait
}

export interface SenderWaitOptions {
  /** The runner's clock: its monotonic time stamps the reads, its timers poll (default systemClock). */
  clock?: Clock
  /** Where the proc filesystem is (default /proc). */
  procRoot?: string
  /** Default process.platform. */
  platform?: NodeJS.Platform
  /** Default SENDER_WAIT_POLL_MS. */
  pollMs?: number
}

/** A probe that measures nothing, and says why. */
export function unmeasured(why: string): SenderWaitProbe {
  return { read: () => {}, stop: () => {}, result: () => ({ reads: [], notMeasured: why }) }
}

/** Run-queue wait of one task, ns (schedstat: on-CPU ns, run-queue ns, timeslices); undefined when gone. */
function runDelayNs(path: string): number | undefined {
  try {
    const ns = Number(readFileSync(`${path}/schedstat`, 'utf8').split(' ')[1])
    return Number.isFinite(ns) ? ns : undefined
  } catch {
    return undefined
  }
}

/**
 * The run-queue wait of every thread of `pid` and of its descendants, ns by `pid/tid`. Children are
 * read from every thread (a child belongs to the thread that forked it). A process that ended is
 * not there any more: what it waited since the last read is lost (a `sleep` between two attempts
 * of a shell sender, for one; the shell that wakes after it is counted).
 */
function readTree(procRoot: string, pid: number): Map<string, number> {
  const out = new Map<string, number>()
  const queue = [pid]
  let processes = 0
  while (queue.length > 0 && processes < MAX_PROCESSES) {
    const p = queue.shift()!
    processes++
    let tids: string[]
    try {
      tids = readdirSync(`${procRoot}/${p}/task`)
    } catch {
      continue // ended
    }
    for (const tid of tids) {
      const ns = runDelayNs(`${procRoot}/${p}/task/${tid}`)
      if (ns !== undefined) out.set(`${p}/${tid}`, ns)
      try {
        for (const c of readFileSync(`${procRoot}/${p}/task/${tid}/children`, 'utf8').split(' ')) if (c.trim()) queue.push(Number(c))
      } catch {
        // a thread that ended, or a kernel without the children file: its own figure is kept
      }
    }
  }
  return out
}

/**
 * Starts reading the run-queue wait of process `pid` (the process-group leader a command adapter
 * started) and all it started, every thread of each. Tasks present at the first read count from
 * their figure then; tasks that appear later count from zero (all their waiting came after the
 * start). stop() ends its timers.
 */
export function startSenderWaitProbe(pid: number, options: SenderWaitOptions = {}): SenderWaitProbe {
  const procRoot = options.procRoot ?? '/proc'
  const clock = options.clock ?? systemClock
  const pollMs = options.pollMs ?? SENDER_WAIT_POLL_MS
  if ((options.platform ?? process.platform) !== 'linux') return unmeasured('sender lag not measured: the run-queue figures are Linux-only (/proc)')
  if (runDelayNs(`${procRoot}/${pid}/task/${pid}`) === undefined) return unmeasured(`sender lag not measured: ${procRoot}/${pid}/task/${pid}/schedstat cannot be read (a kernel without scheduler statistics, or the sender already ended)`)
  const last = new Map<string, number>()
  const reads: WaitRead[] = []
  let total = 0
  let first = true
  let stopped = false
  const read = (mono: number): void => {
    const seen = readTree(procRoot, pid)
    for (const [task, ns] of seen) {
      const before = last.get(task)
      // A new task (or a reused id whose figure went down) waited all of its figure since it started.
      const base = before !== undefined && ns >= before ? before : first ? ns : 0
      total += (ns - base) / 1e6
      last.set(task, ns)
    }
    for (const task of last.keys()) if (!seen.has(task)) last.delete(task)
    first = false
    // Stamps can be read out of order with a poll (a stamp's mono is taken before its read).
    const at = reads.length > 0 ? Math.max(mono, reads[reads.length - 1]!.mono) : mono
    reads.push({ mono: at, waitedMs: total })
  }
  const timers = new Set<TimerHandle>()
  const after = (ms: number, fn: () => void): void => {
    const t = clock.setTimer(() => {
      timers.delete(t)
      if (!stopped) fn()
    }, ms)
    timers.add(t)
  }
  const poll = (): void => {
    read(clock.now())
    after(pollMs, poll)
  }
  poll()
  return {
    read: (mono, againAfterMs) => {
      if (stopped) return
      read(mono)
      if (againAfterMs !== undefined) after(againAfterMs, () => read(clock.now()))
    },
    stop: () => {
      if (stopped) return
      read(clock.now())
      stopped = true
      for (const t of timers) clock.clearTimer(t)
      timers.clear()
    },
    result: () => ({ reads: [...reads] }),
  }
}

/**
 * The probe for a scenario's sender: measured on the processes of a command sender; said not
 * measured for a sender the runner did not start (a URL sender); none for the in-process one, whose
 * delays are the runner's own lag (lag-probe.ts).
 */
export function senderWaitOf(adapter: Pick<SenderAdapter, 'inProcess'>, session: Pick<SenderSession, 'pid'>, clock: Clock): SenderWaitProbe | undefined {
  if (adapter.inProcess === true) return undefined
  if (session.pid === undefined) return unmeasured('sender lag not measured: the runner did not start the sender (a URL sender), so it has no process to read')
  return startSenderWaitProbe(session.pid, { clock })
}

/**
 * How soon a sender acts on an answer (reads it, arms its retry timer), ms, when the machine does
 * not hold it back: what it waits for a CPU in that stretch delays everything after it.
 */
export const REACTION_MS = 20

/**
 * How long the sender waited for a CPU, between two runner stamps `from` (an answer) and `to` (its
 * next attempt), in a way that can have moved `to`, ms: in its reaction to the answer (right
 * after `from`: a late reaction arms its timer late) or from `dueFromMono` on (the earliest its
 * next action can be due, so a wait there holds back its timer or its connect). A wait in between
 * (a sender asleep until its timer is due: a garbage collection, a library's own timer, each
 * queued a little on a busy machine) delays nothing it is judged on, and is left out.
 *
 * The kernel credits a wait when it ends (the thread gets the CPU), so a read shows the waits that
 * ended since the one before, each of which began at most its length before that: the waits seen
 * between two reads are counted, all of them, when they can have overlapped one of the two
 * stretches. Reads are taken at the stamps themselves, and once more REACTION_MS after an answer,
 * so the interval's ends and the reaction are exact; before the due time the poll's period sets how
 * much extra is counted (at most one period). Undefined when no read brackets the interval.
 */
export function waitedMoving(reads: readonly WaitRead[], from: number, to: number, dueFromMono = from): number | undefined {
  let first = -1
  let last = -1
  for (let i = 0; i < reads.length; i++) {
    if (reads[i]!.mono <= from) first = i
    if (reads[i]!.mono >= to) {
      last = i
      break
    }
  }
  if (first < 0 || last < 0) return undefined
  let total = 0
  for (let i = first + 1; i <= last; i++) {
    const waited = reads[i]!.waitedMs - reads[i - 1]!.waitedMs
    if (!(waited > 0)) continue
    const inReaction = reads[i - 1]!.mono - waited <= from + REACTION_MS
    const nearDue = reads[i]!.mono >= dueFromMono
    if (inReaction || nearDue) total += waited
  }
  return total
}
