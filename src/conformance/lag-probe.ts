/**
 * The runner's own disturbance, measured: a timer that should fire every PERIOD_MS records how late
 * it fired. Receiver timestamps (accept, answer end) are taken on the runner's event loop, so a stamp
 * taken while the loop was blocked is late by up to that lateness. Judges widen their slack by it,
 * and call a scenario inconclusive when it exceeds what a 10 % wrong sender would move.
 */
import { spawn, type ChildProcess } from 'node:child_process'

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
  stop(): void
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
    return { samples: () => [], stop: () => {} }
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
    stop: () => {
      child?.stdin?.end()
      child?.kill()
    },
  }
}
