/**
 * The runner's own disturbance, measured: a timer that should fire every PERIOD_MS records how late
 * it fired. Receiver timestamps (accept, answer end) are taken on the runner's event loop, so a stamp
 * taken while the loop was blocked is late by up to that lateness. Judges widen their slack by it,
 * and call a scenario inconclusive when it exceeds what a 10 % wrong sender would move.
 */
import { spawn, type ChildProcess } from 'node:child_process'
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
