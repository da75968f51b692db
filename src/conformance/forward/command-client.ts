/**
 * `conformance --protocol forward --sender-cmd "CMD"`: one child process per scenario (through the
 * shell), told where to send in the environment (FORWARD_HOST, FORWARD_PORT, FORWARD_SHARED_KEY,
 * FORWARD_STANDBY_PORT, FORWARD_ACK_TIMEOUT_MS, FORWARD_RECONNECT_INTERVAL_MS), asked to emit records
 * as NDJSON lines on stdin (`{"id", "tag", "record"}`) and reporting each outcome as a JSON line on
 * stdout (`{"event": "emitted", "id"}` or `{"event": "emit-failed", "id", "error"}`). Closing stdin
 * asks it to flush and exit 0.
 * @see docs/forward.md "Conformance for forward clients"
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { ForwardClientAdapter, ForwardClientProfile, ForwardClientSession, ForwardTarget } from '../../forward/index.js'
import { parseEventLine } from '../adapters/types.js'

const STDERR_TAIL_BYTES = 4096
/** Time a child gets after stdin is closed to exit by itself, then after SIGTERM, ms. */
const EXIT_GRACE_MS = 10_000
const KILL_GRACE_MS = 500

/** The environment a forward client under test is started with. */
export function forwardClientEnv(target: ForwardTarget, profile: ForwardClientProfile): Record<string, string> {
  return {
    FORWARD_HOST: target.host,
    FORWARD_PORT: String(target.port),
    FORWARD_ACK_TIMEOUT_MS: String(profile.ackTimeoutMs),
    FORWARD_RECONNECT_INTERVAL_MS: String(profile.reconnectIntervalMs),
    ...(target.sharedKey !== undefined ? { FORWARD_SHARED_KEY: target.sharedKey } : {}),
    ...(target.standbyPort !== undefined ? { FORWARD_STANDBY_PORT: String(target.standbyPort) } : {}),
  }
}

/** The adapter for a forward client command. */
export function forwardCommandClient(command: string, profile: ForwardClientProfile, env: Record<string, string> = {}): ForwardClientAdapter {
  return (target) => Promise.resolve(startClient(command, { ...env, ...forwardClientEnv(target, profile) }))
}

function startClient(command: string, env: Record<string, string>): ForwardClientSession {
  const child = spawn(command, { shell: true, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'], detached: process.platform !== 'win32' })
  let stderr = ''
  let inputClosed = false
  let exit: { code: number | null; signal: NodeJS.Signals | null; inputClosed: boolean } | undefined
  let nextId = 1
  const waiting = new Map<number, (err: Error | undefined) => void>()
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES)
  })
  child.stdin.on('error', () => {})
  createInterface({ input: child.stdout }).on('line', (line) => {
    const ev = parseEventLine(line, performance.now())
    const id = ev?.data['id']
    if (!ev || typeof id !== 'number' || !waiting.has(id)) return
    if (ev.event === 'emitted') waiting.get(id)!(undefined)
    else if (ev.event === 'emit-failed') waiting.get(id)!(new Error(typeof ev.data['error'] === 'string' ? ev.data['error'] : 'emit failed'))
    else return
    waiting.delete(id)
  })
  const closed = new Promise<void>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      exit ??= { code, signal, inputClosed }
      for (const [, done] of waiting) done(new Error(`the client exited (${describeExit(exit)}) before reporting this record's outcome`))
      waiting.clear()
      resolve()
    }
    child.on('error', (err) => {
      stderr += `\n${err.message}`
      finish(null, null)
    })
    child.on('close', finish)
  })
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined || exit !== undefined) return
    try {
      if (process.platform !== 'win32') process.kill(-child.pid, sig)
      else child.kill(sig)
    } catch {
      // already gone
    }
  }
  const waitExit = (ms: number): Promise<boolean> => Promise.race([closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())])
  let killedByUs = false
  return {
    emit(tag, record) {
      if (exit !== undefined || inputClosed) return Promise.resolve(new Error(`the client is not running (${exit ? describeExit(exit) : 'input closed'})`))
      const id = nextId++
      return new Promise((resolve) => {
        waiting.set(id, resolve)
        child.stdin.write(`${JSON.stringify({ id, tag, record })}\n`)
      })
    },
    async close() {
      if (!inputClosed) {
        inputClosed = true
        child.stdin.end()
      }
      if (await waitExit(EXIT_GRACE_MS)) return
      killedByUs = true
      signalGroup('SIGTERM')
      if (!(await waitExit(KILL_GRACE_MS))) signalGroup('SIGKILL')
      await closed
    },
    problem() {
      if (exit === undefined || killedByUs) return undefined
      if (exit.inputClosed && exit.code === 0) return undefined
      const tail = stderr.trim() ? `; stderr: ${stderr.trim().split('\n').slice(-5).join(' | ')}` : ''
      return `the client exited (${describeExit(exit)})${exit.inputClosed ? '' : ' before its input was complete'}${tail}`
    },
  }
}

function describeExit(e: { code: number | null; signal: NodeJS.Signals | null }): string {
  return e.signal ? `signal ${e.signal}` : `status ${e.code ?? '?'}`
}
