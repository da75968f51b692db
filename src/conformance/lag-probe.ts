/**
 * The runner's own disturbance, measured: a timer that should fire every PERIOD_MS records how late
 * it fired. Receiver timestamps (accept, answer end) are taken on the runner's event loop, so a stamp
 * taken while the loop was blocked is late by up to that lateness. Judges widen their slack by it,
 * and call a scenario inconclusive when it exceeds what a 10 % wrong sender would move.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { systemClock, type Clock } from '../clock/index.js'

/** How often the probe looks, ms. */
export const LAG_PROBE_PERIOD_MS = 2

/** One late firing of the probe: at `mono` it fired `lateMs` after it was due. */
export interface LagSample {
  mono: number
  lateMs: number
}

/** Lateness below this is the timer's own jitter and not kept, ms. */
const KEEP_ABOVE_MS = 0.5

export interface LagProbe {
  /** Late firings so far (copies). */
  samples(): LagSample[]
  /** The largest lateness among the firings at or after `mono` (0 when none was late). */
  worstSince(mono: number): number
  stop(): void
}

/** The largest lateness among the samples at or after `mono`, looking back from the newest. */
function worstSince(samples: readonly LagSample[], mono: number): number {
  let worst = 0
  for (let i = samples.length - 1; i >= 0 && samples[i]!.mono >= mono; i--) worst = Math.max(worst, samples[i]!.lateMs)
  return worst
}

/** What "quiet" means before a scenario starts: no firing later than this, ms ... */
export const QUIET_LAG_MS = 4
/** ... for this long, ms ... */
export const QUIET_FOR_MS = 150
/** ... waiting at most this long for it, ms. */
export const QUIET_MAX_WAIT_MS = 2_000

/**
 * Waits until the probes have seen no lateness above QUIET_LAG_MS for QUIET_FOR_MS, at most
 * QUIET_MAX_WAIT_MS (then the scenario starts anyway, and its judges widen their slack by what they
 * measure). A scenario started in the middle of a burst (other suites starting beside this one,
 * a CI job compiling) times its first intervals through it and ends inconclusive; a short wait for
 * the burst to pass keeps its verdict. Returns the time waited, ms.
 */
export async function untilQuiet(probes: ReadonlyArray<LagProbe | undefined>, signal?: AbortSignal, clock: Clock = systemClock): Promise<number> {
  const started = clock.now()
  for (;;) {
    const now = clock.now()
    if (signal?.aborted || now - started >= QUIET_MAX_WAIT_MS) return now - started
    const worst = Math.max(0, ...probes.map((p) => p?.worstSince(now - QUIET_FOR_MS) ?? 0))
    // The probe needs QUIET_FOR_MS of its own history before "nothing late" means quiet.
    if (worst <= QUIET_LAG_MS && now - started >= QUIET_FOR_MS) return now - started
    await clock.sleep(20)
  }
}

/** Starts a probe on this process's event loop (unref'd: it never keeps the process alive). */
export function startLagProbe(): LagProbe {
  const samples: LagSample[] = []
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    const late = now - last - LAG_PROBE_PERIOD_MS
    if (late > KEEP_ABOVE_MS) samples.push({ mono: now, lateMs: late })
    last = now
  }, LAG_PROBE_PERIOD_MS)
  timer.unref()
  return {
    samples: () => [...samples],
    worstSince: (mono) => worstSince(samples, mono),
    stop: () => clearInterval(timer),
  }
}

/**
 * Blocks that ended this long before a stamp can still have delayed it: the events that waited
 * through them (a timer, then a connect, then the accept, each a loop turn apart) reach the stamp
 * a few ms later.
 */
const LOOKBACK_MS = 10

/**
 * How late a runner timestamp taken at `mono` can be, from the probe firings that ended a blocked
 * stretch shortly before it or that cover it (a firing at m, late by L, covers [m - L - period, m]):
 * - `max` when the event came from outside (an accept, an answer leaving): it waited through one block;
 * - `sum` when a chain of events ran in this process (an in-process sender's timer, its connect,
 *   the accept), each of which may have waited through its own block.
 */
export function lagAt(samples: readonly LagSample[], mono: number, combine: 'max' | 'sum' = 'max'): number {
  let total = 0
  for (const s of samples) {
    if (s.mono < mono - LOOKBACK_MS) continue
    if (s.mono - s.lateMs - 2 * LAG_PROBE_PERIOD_MS > mono) continue
    total = combine === 'sum' ? total + s.lateMs : Math.max(total, s.lateMs)
  }
  return total
}

/** The largest lateness in [from, to]. */
export function maxLag(samples: readonly LagSample[], from = -Infinity, to = Infinity): number {
  let worst = 0
  for (const s of samples) if (s.mono >= from && s.mono <= to) worst = Math.max(worst, s.lateMs)
  return worst
}

/**
 * The same probe in a separate process: how late any other process (the sender under test) gets
 * the CPU right now. A sender in its own process is delayed by the machine, not by the runner's
 * loop; its lateness cannot be seen from here, but a probe process scheduled alongside it suffers
 * the same load. Samples come back on stdout and are mapped onto this process's clock.
 */
export function startProcessProbe(): LagProbe {
  const samples: LagSample[] = []
  const code = `const P=${LAG_PROBE_PERIOD_MS};let last=performance.now();setInterval(()=>{const now=performance.now();const late=now-last-P;if(late>${KEEP_ABOVE_MS})process.stdout.write((performance.timeOrigin+now).toFixed(3)+' '+late.toFixed(3)+'\\n');last=now},P);process.stdin.on('end',()=>process.exit(0));process.stdin.resume()`
  let child: ChildProcess | undefined
  try {
    child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'ignore'] })
  } catch {
    return { samples: () => [], worstSince: () => 0, stop: () => {} }
  }
  child.on('error', () => {
    // No probe process: the judges fall back to the runner's own lag.
  })
  child.stdin?.on('error', () => {})
  let rest = ''
  child.stdout?.setEncoding('utf8')
  child.stdout?.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n')
    rest = lines.pop() ?? ''
    for (const line of lines) {
      const [at, late] = line.split(' ').map(Number)
      if (Number.isFinite(at) && Number.isFinite(late)) samples.push({ mono: at! - performance.timeOrigin, lateMs: late! })
    }
  })
  child.unref()
  ;(child.stdout as { unref?: () => void } | null)?.unref?.()
  return {
    samples: () => [...samples],
    worstSince: (mono) => worstSince(samples, mono),
    stop: () => {
      child?.stdin?.end()
      child?.kill()
    },
  }
}

/** How often a sender's run-queue wait is read, ms. */
export const RUN_QUEUE_POLL_MS = 10
/**
 * The longest stall looked back over, ms: a starved sender has been seen 1.5 s late. Waits
 * scattered over it do not add up (stallMs takes only stretches mostly spent waiting).
 */
export const RUN_QUEUE_WINDOW_MS = 5_000
/** A stretch counts as a stall when the sender waited for a CPU at least this part of it. */
const STALL_DENSITY = 0.5
/** Most processes of a sender's tree that are read (a shell, the sender, what it started). */
const RUN_QUEUE_MAX_PROCESSES = 32

/** Time a task (`/proc/PID`: a process's main thread) spent waiting for a CPU, ns; undefined when unreadable. */
function runDelayNs(path: string): number | undefined {
  try {
    const ns = Number(readFileSync(`${path}/schedstat`, 'utf8').split(' ')[1])
    return Number.isFinite(ns) ? ns : undefined
  } catch {
    return undefined
  }
}

/** `pid` and its descendants (the shell of a --sender-cmd, the sender it started, and theirs). */
function processTree(pid: number): number[] {
  const seen: number[] = []
  const queue = [pid]
  while (queue.length > 0 && seen.length < RUN_QUEUE_MAX_PROCESSES) {
    const p = queue.shift()!
    seen.push(p)
    try {
      for (const c of readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').split(' ')) if (c.trim()) queue.push(Number(c))
    } catch {
      // gone, or no children file: its own figure is still read
    }
  }
  return seen
}

/**
 * The longest recent stall: the wait summed over the longest stretch ending now (at most
 * RUN_QUEUE_WINDOW_MS) in which the sender waited for a CPU at least STALL_DENSITY of the time.
 * A timer held back D ms by the machine means D ms of waiting just before the attempt; a few
 * ms of waiting scattered over seconds (each wake-up queued a little) delays no timer by more
 * than each of them, and is not summed into one figure.
 */
function stallMs(recent: ReadonlyArray<{ mono: number; ms: number }>, now: number): number {
  let waited = 0
  let best = 0
  for (let i = recent.length - 1; i >= 0; i--) {
    waited += recent[i]!.ms
    const span = now - recent[i]!.mono + RUN_QUEUE_POLL_MS
    if (waited >= STALL_DENSITY * span) best = waited
  }
  return best
}

/**
 * The sender's side, measured on the sender itself: how long its processes (the one started and
 * its descendants; the main thread of each, a Node sender's event loop) were ready to run but
 * waited for a CPU, from the kernel's per-task run-queue wait (`/proc/PID/schedstat`, Linux). That is the lateness the machine adds to a correct
 * sender's timers and answers; a sender whose schedule is wrong accrues none of it (it sleeps), so
 * this widens the slack of a loaded sender only and never excuses a wrong one on a quiet machine.
 * Every RUN_QUEUE_POLL_MS a sample holds the longest recent stall (stallMs). A process first seen
 * counts from then on. Where the figures cannot be read (not Linux, no schedstat), it reports
 * nothing: the judges then have only the probe process's view. Timers are unref'd; stop() ends it.
 */
export function startRunQueueProbe(pid: number, clock: { now(): number } = { now: () => performance.now() }): LagProbe {
  const samples: LagSample[] = []
  if (process.platform !== 'linux' || runDelayNs(`/proc/${pid}`) === undefined) return { samples: () => [], worstSince: () => 0, stop: () => {} }
  const last = new Map<string, number>()
  const recent: Array<{ mono: number; ms: number }> = []
  const poll = (): void => {
    const now = clock.now()
    let added = 0
    const alive = new Set<string>()
    // The main thread of each: a Node sender's event loop. (Its compiler and GC threads wait in the
    // run queue too, but mostly beside the event loop, not in its way: counting them made stalls
    // of seconds out of senders that were on time.)
    for (const task of processTree(pid).map((p) => `/proc/${p}`)) {
      const ns = runDelayNs(task)
      if (ns === undefined) continue
      alive.add(task)
      const before = last.get(task)
      // Processes waiting side by side delay the sender once: the most any of them waited.
      if (before !== undefined && ns > before) added = Math.max(added, (ns - before) / 1e6)
      last.set(task, ns)
    }
    for (const p of last.keys()) if (!alive.has(p)) last.delete(p)
    recent.push({ mono: now, ms: added })
    while (recent.length > 0 && recent[0]!.mono < now - RUN_QUEUE_WINDOW_MS) recent.shift()
    const stall = stallMs(recent, now)
    if (stall > KEEP_ABOVE_MS) samples.push({ mono: now, lateMs: stall })
  }
  poll()
  const timer = setInterval(poll, RUN_QUEUE_POLL_MS)
  timer.unref()
  return {
    samples: () => [...samples],
    worstSince: (mono) => worstSince(samples, mono),
    stop: () => {
      poll()
      clearInterval(timer)
    },
  }
}

/**
 * The sender's stalls that can have moved a timestamp the judges use: for each stamp (an attempt's
 * accept or request, an attempt's end), the longest stall that ended right at it (a sample from the
 * poll before it to two polls after). A sender that stalled and then, on getting the CPU, made its
 * attempt at once, made it late by that stall; a stall elsewhere (its next TLS handshake, its
 * start-up) moved no stamp and is left out, so it cannot widen the slack of intervals it did not
 * touch. Returned as samples at the stamps, for the observation's machineLag.
 */
export function stallsAt(samples: readonly LagSample[], stamps: readonly number[]): LagSample[] {
  const out: LagSample[] = []
  for (const t of stamps) {
    let worst = 0
    for (const s of samples) if (s.mono >= t - RUN_QUEUE_POLL_MS && s.mono <= t + 2 * RUN_QUEUE_POLL_MS) worst = Math.max(worst, s.lateMs)
    if (worst > KEEP_ABOVE_MS) out.push({ mono: t, lateMs: worst })
  }
  return out.sort((a, b) => a.mono - b.mono)
}
