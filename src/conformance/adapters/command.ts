/**
 * `--sender-cmd "CMD"`: one child process per scenario (through the shell), settings in the
 * environment, deliveries as NDJSON lines on stdin written over time, JSON event lines read from
 * stdout. Stdin is closed once every delivery is written; the sender then exits when its deliveries
 * have ended. A child that exits before its input is complete, or with a non-zero status, ends with `exited-early`
 * (FF_ERR_SENDER_EXITED in the result).
 * @see docs/sender-contract.md
 */
import type { SenderEnd } from '../types.js'
import { startChildUnderTest } from './child.js'
import { toContractEnv } from './settings-env.js'
import { parseEventLine, type SenderAdapter, type SenderSession, type SessionOptions } from './types.js'

/** Time a child gets to exit after SIGTERM before SIGKILL, ms. */
const KILL_GRACE_MS = 500

export interface CommandAdapterOptions {
  /** Shell command line. */
  command: string
  /** Working directory (default: the current one). */
  cwd?: string
  /** Extra environment (merged over process.env, under the contract variables). */
  env?: Record<string, string>
}

/** Creates the command adapter. */
export function commandAdapter(options: CommandAdapterOptions): SenderAdapter {
  return {
    label: `command: ${options.command}`,
    reportsEvents: false,
    start: (session) => Promise.resolve(startCommand(options, session)),
  }
}

function startCommand(options: CommandAdapterOptions, session: SessionOptions): SenderSession {
  const { child, stderrTail, closed, signalGroup } = startChildUnderTest(options.command, {
    cwd: options.cwd,
    env: { ...options.env, ...toContractEnv(session.settings) },
    onLine: (line) => {
      const event = parseEventLine(line, performance.now())
      if (event) session.onEvent(event)
    },
  })
  let inputClosed = false
  let killed = false
  const ended = closed.then(
    ({ code, signal }): SenderEnd => ({
      // Dying before the input is complete, or with a failure status, is an early exit.
      how: killed ? 'killed' : inputClosed && code === 0 ? 'ended' : 'exited-early',
      exitCode: code,
      signal,
      stderrTail: stderrTail().trim() || undefined,
    }),
  )

  return {
    ended,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    deliver(notifications, batch) {
      if (inputClosed || child.stdin.destroyed) return
      child.stdin.write(`${JSON.stringify(batch ? notifications : notifications[0])}\n`)
    },
    end() {
      if (!inputClosed) {
        inputClosed = true
        child.stdin.end()
      }
      return ended
    },
    async kill() {
      if (!inputClosed) {
        inputClosed = true
        child.stdin.destroy()
      }
      killed = true
      signalGroup('SIGTERM')
      const timer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS)
      const end = await ended
      clearTimeout(timer)
      return end
    },
  }
}
