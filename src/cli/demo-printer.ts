/**
 * The terminal timeline of `fake-fluentd demo`: one line per attempt (delivery, attempt, cycle,
 * planned vs actual interval, how long it took, the result), a rule at each new cycle, the endings,
 * and on a TTY a countdown line to the next expected attempt. Subscribes to the demo's events.
 */
import type { DemoEvent, DemoReadyEvent } from '../demo/index.js'
import { formatDuration } from '../text/index.js'

/** Where and how to print. */
export interface DemoPrinterOptions {
  write: (text: string) => void
  /** ANSI colours. */
  color: boolean
  /** Rewrite a countdown line in place (a TTY). */
  live: boolean
}

function signed(ms: number): string {
  const rounded = Math.round(ms)
  return rounded > 0 ? `+${formatDuration(rounded)}` : rounded === 0 ? '±0 ms' : formatDuration(rounded)
}

const ESC = '\u001b['

/** Column layout of the attempt table. */
const COLUMNS = ['delivery', 'attempt', 'cycle', 'planned', 'actual', 'deviation', 'took', 'result'] as const
const WIDTHS = [9, 8, 9, 10, 10, 10, 9, 0]

function row(cells: readonly string[]): string {
  return cells.map((c, i) => (WIDTHS[i] ? c.padEnd(WIDTHS[i] ?? 0) : c)).join(' ').trimEnd()
}

/** Creates a listener that prints the demo's events. Call `stop()` to clear the countdown timer. */
export function createDemoPrinter(options: DemoPrinterOptions): { listener: (event: DemoEvent) => void; stop(): void } {
  const paint = (code: string, text: string): string => (options.color ? `${ESC}${code}m${text}${ESC}0m` : text)
  const dim = (t: string): string => paint('2', t)
  const bold = (t: string): string => paint('1', t)
  const red = (t: string): string => paint('31', t)
  const green = (t: string): string => paint('32', t)
  const yellow = (t: string): string => paint('33', t)
  const cyan = (t: string): string => paint('36', t)

  let ready: DemoReadyEvent | undefined
  let lastCycle = -1
  /** Set once the integration is disabled: any attempt told after it was already in flight. */
  let disabled = false
  let countdown: { due: number; text: string } | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  let countdownShown = false

  const clearCountdown = (): void => {
    if (countdownShown) options.write(`\r${ESC}2K`)
    countdownShown = false
  }
  const drawCountdown = (): void => {
    if (!countdown) return
    const left = countdown.due - performance.now()
    options.write(`\r${ESC}2K${yellow(`  … ${countdown.text} in ${formatDuration(Math.max(0, left))}`)}`)
    countdownShown = true
  }
  const line = (text: string): void => {
    clearCountdown()
    options.write(`${text}\n`)
    if (countdown && options.live) drawCountdown()
  }

  const cycleRule = (cycle: number): string => {
    const intervals = ready?.cycles[cycle - 1] ?? []
    const scale = ready?.timeScale ?? 1
    const real = intervals.map((ms) => formatDuration(ms / scale)).join(', ')
    const scaled = intervals.map((ms) => formatDuration(ms)).join(', ')
    return dim(`  ── cycle ${cycle}: ${real}${scale !== 1 ? `  (scaled: ${scaled})` : ''}`)
  }

  const listener = (event: DemoEvent): void => {
    switch (event.type) {
      case 'ready': {
        ready = event
        const scaleNote = event.timeScale === 1 ? 'real time' : `time scale ${event.timeScale}: 1 s of schedule = ${formatDuration(1000 * event.timeScale)}`
        line(bold(`fake-fluentd demo · ${event.scenario} · ${scaleNote}`))
        line(event.story)
        line(`  ingest   ${event.ingestUrl}`)
        if (event.caPath) line(`  ca       ${event.caPath}`)
        line(`  page     ${cyan(event.pageUrl)}   ${dim('← open it to watch the timeline')}`)
        line(`  profile  ${event.profileName}, request timeout ${formatDuration(event.requestTimeoutMs)}`)
        line(`  expect   ${event.ending} in about ${formatDuration(event.expectedDurationMs)}${event.deliveries > 1 ? ` (${event.deliveries} deliveries)` : ''}`)
        line('')
        line(dim(row(COLUMNS)))
        break
      }
      case 'attempt': {
        // Each cycle's rule once, when the first delivery reaches it: with several deliveries in
        // flight, a later one entering an earlier cycle would otherwise repeat old rules between new ones.
        if (event.cycle > 0 && event.cycle > lastCycle) {
          line(cycleRule(event.cycle))
        }
        lastCycle = Math.max(lastCycle, event.cycle)
        countdown = undefined
        const cycleLen = ready?.cycles[event.cycle - 1]?.length
        const cycle = event.cycle === 0 ? 'first' : `${event.cycle} (${event.position}/${cycleLen ?? '?'})`
        const deviation = event.plannedMs !== undefined && event.actualMs !== undefined ? signed(event.actualMs - event.plannedMs) : ''
        const result = event.status !== undefined ? String(event.status) : (event.failure ?? 'failed')
        const cells = [
          `#${event.delivery}`,
          String(event.attempt),
          cycle,
          formatDuration(event.plannedMs),
          formatDuration(event.actualMs),
          deviation,
          formatDuration(event.durationMs),
          event.ok ? green(result) : red(result),
        ]
        line(row(cells) + (disabled ? dim('  (in flight when the integration was disabled)') : ''))
        break
      }
      case 'waiting':
        countdown = { due: event.dueMono, text: `#${event.delivery}: attempt ${event.nextAttempt} (cycle ${event.cycle})` }
        if (options.live) {
          drawCountdown()
          timer ??= setInterval(drawCountdown, 100)
          timer.unref?.()
        }
        break
      case 'delivered':
        countdown = undefined
        line(green(`  #${event.delivery} delivered on attempt ${event.attempts}`))
        break
      case 'dropped':
        countdown = undefined
        line(red(`  #${event.delivery} dropped after ${event.attempts} attempts: the last interval of the last cycle failed too`))
        break
      case 'disabled':
        countdown = undefined
        disabled = true
        line(red(bold(`  integration disabled: ${event.failed} of ${event.attempts} attempts in the window failed (${Math.round(event.ratio * 100)} %); pending retries cancelled`)))
        break
      case 'done': {
        countdown = undefined
        if (timer) clearInterval(timer)
        timer = undefined
        clearCountdown()
        const attempts = `${event.attempts} attempt${event.attempts === 1 ? '' : 's'}`
        line('')
        if (event.ending === 'stopped') {
          line(bold(`Interrupted after ${attempts} (${formatDuration(event.elapsedMs)}).`))
          break
        }
        const verdict = event.asExpected ? green('as expected') : red(`expected ${ready?.ending ?? '?'}`)
        line(bold(`Story over in ${formatDuration(event.elapsedMs)}: ${event.ending} after ${attempts}, ${verdict}.`))
        break
      }
    }
  }

  return {
    listener,
    stop() {
      if (timer) clearInterval(timer)
      timer = undefined
      clearCountdown()
    },
  }
}
