/**
 * `--sender-cmd "CMD"`: one child process per scenario (through the shell), settings in the
 * environment, deliveries as NDJSON lines on stdin written over time, JSON event lines read from
 * stdout. Stdin is closed once every delivery is written; the sender then exits when its deliveries
 * have ended. A child that exits before its input is complete, or with a non-zero status, ends with `exited-early`
 * (FF_ERR_SENDER_EXITED in the result).
 * @see docs/sender-contract.md
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { SenderEnd } from '../types.js'
import { toContractEnv } from './settings-env.js'
import { parseEventLine, type SenderAdapter, type SenderSession, type SessionOptions } from './types.js'

/** Bytes of stderr kept for the report. */
const STDERR_TAIL_BYTES = 4096

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
  const child = spawn(options.command, {
    shell: true,
    cwd: options.cwd,
    env: { ...process.env, ...options.env, ...toContractEnv(session.settings) },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group, so that the shell and whatever it started can be stopped together.
    detached: process.platform !== 'win32',
  })
  let stderr = ''
  let inputClosed = false
  let killed = false
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES)
  })
  const lines = createInterface({ input: child.stdout })
  lines.on('line', (line) => {
    const event = parseEventLine(line, performance.now())
    if (event) session.onEvent(event)
  })
  // EPIPE when the child is gone: the exit handler reports it.
  child.stdin.on('error', () => {})

  const ended = new Promise<SenderEnd>((resolve) => {
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
      resolve({
        // Dying before the input is complete, or with a failure status, is an early exit.
        how: killed ? 'killed' : inputClosed && exitCode === 0 ? 'ended' : 'exited-early',
        exitCode,
        signal,
        stderrTail: stderr.trim() || undefined,
      })
    }
    child.on('error', (err) => {
      stderr += `\n${err.message}`
      finish(null, null)
    })
    child.on('close', finish)
  })

  const signalGroup = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
    try {
      if (process.platform !== 'win32') process.kill(-child.pid, sig)
      else child.kill(sig)
    } catch {
      // already gone
    }
  }

  return {
    ended,
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
