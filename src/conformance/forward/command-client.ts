/**
 * `conformance --protocol forward --sender-cmd "CMD"`: one child process per scenario (through the
 * shell), told where to send in the environment (FORWARD_HOST, FORWARD_PORT, FORWARD_SHARED_KEY,
 * FORWARD_STANDBY_PORT, FORWARD_ACK_TIMEOUT_MS, FORWARD_RECONNECT_INTERVAL_MS), asked to emit records
 * as NDJSON lines on stdin (`{"id", "tag", "record"}`) and reporting each outcome as a JSON line on
 * stdout (`{"event": "emitted", "id"}` or `{"event": "emit-failed", "id", "error"}`). Closing stdin
 * asks it to flush and exit 0.
 * @see docs/forward.md "Conformance for forward clients"
 */
import type { ForwardClientAdapter, ForwardClientProfile, ForwardClientSession, ForwardTarget } from '../../forward/index.js'
import { startChildUnderTest } from '../adapters/child.js'
import { parseEventLine } from '../adapters/types.js'

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
  let inputClosed = false
  let exit: { code: number | null; signal: NodeJS.Signals | null; inputClosed: boolean } | undefined
  let nextId = 1
  const waiting = new Map<number, (err: Error | undefined) => void>()
  const { child, stderrTail, closed: exited, signalGroup } = startChildUnderTest(command, {
    env,
    onLine: (line) => {
      const ev = parseEventLine(line, performance.now())
      const id = ev?.data['id']
      if (!ev || typeof id !== 'number' || !waiting.has(id)) return
      if (ev.event === 'emitted') waiting.get(id)!(undefined)
      else if (ev.event === 'emit-failed') waiting.get(id)!(new Error(typeof ev.data['error'] === 'string' ? ev.data['error'] : 'emit failed'))
      else return
      waiting.delete(id)
    },
  })
  const closed = exited.then(({ code, signal }) => {
    exit ??= { code, signal, inputClosed }
    for (const [, done] of waiting) done(new Error(`the client exited (${describeExit(exit)}) before reporting this record's outcome`))
    waiting.clear()
  })
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
      const stderr = stderrTail().trim()
      const tail = stderr ? `; stderr: ${stderr.split('\n').slice(-5).join(' | ')}` : ''
      return `the client exited (${describeExit(exit)})${exit.inputClosed ? '' : ' before its input was complete'}${tail}`
    },
  }
}

function describeExit(e: { code: number | null; signal: NodeJS.Signals | null }): string {
  return e.signal ? `signal ${e.signal}` : `status ${e.code ?? '?'}`
}
