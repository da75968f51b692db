/**
 * A sender or client under test started as a command (`--sender-cmd`, through the shell), in its own
 * process group so that the shell and whatever it started are stopped together; the last bytes of
 * its stderr kept for the report. Used by the HTTP command adapter and the forward command client.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'

/** Bytes of stderr kept for the report. */
const STDERR_TAIL_BYTES = 4096

export interface ChildUnderTest {
  child: ChildProcessWithoutNullStreams
  /** The last STDERR_TAIL_BYTES of its stderr (and a spawn error's message). */
  stderrTail(): string
  /** Settles once it closed: its exit status, or signal (both null when it could not be started). */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  /** Sends a signal to its process group; nothing once it has exited. */
  signalGroup(sig: NodeJS.Signals): void
}

/** Starts `command` with `env` over the environment; `onLine` gets each line of its stdout. */
export function startChildUnderTest(command: string, options: { cwd?: string; env: Record<string, string>; onLine: (line: string) => void }): ChildUnderTest {
  const child = spawn(command, {
    shell: true,
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group, so that the shell and whatever it started can be stopped together.
    detached: process.platform !== 'win32',
  })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES)
  })
  createInterface({ input: child.stdout }).on('line', options.onLine)
  // EPIPE when the child is gone: its close reports it.
  child.stdin.on('error', () => {})
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (err) => {
      stderr += `\n${err.message}`
      resolve({ code: null, signal: null })
    })
    child.on('close', (code, signal) => resolve({ code, signal }))
  })
  return {
    child,
    stderrTail: () => stderr,
    closed,
    signalGroup(sig) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
      try {
        if (process.platform !== 'win32') process.kill(-child.pid, sig)
        else child.kill(sig)
      } catch {
        // already gone
      }
    },
  }
}
