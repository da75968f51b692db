/**
 * Runs the built binary (`node dist/cli/main.js`, after `npm run build`) as a black box.
 * `spawnServe` waits for serve's ready line and parses the URLs from it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { onTestFinished } from 'vitest'

/** Absolute path of the built CLI entry. */
export const CLI_PATH = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/** Runs the CLI to completion (kills it after timeoutMs). */
export function runCli(args: string[], opts: { cwd?: string; timeoutMs?: number; input?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.stdin.end(opts.input ?? '')
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}

export interface ServeProcess {
  child: ChildProcess
  ingestUrl: string
  /** undefined when the admin API is off. */
  adminUrl?: string
  /** undefined with --no-tls. */
  caPath?: string
  stdout(): string
  stderr(): string
  /** Sends `signal` and resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>
}

/** The line serve prints (on stderr) once it listens. */
export const READY_RE = /^fake-fluentd ready ingest=(\S+) admin=(\S+) ca=(\S+)$/m

/** Starts `fake-fluentd serve ...args` and resolves once it is ready (killed when the test ends). */
export function spawnServe(args: string[], opts: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<ServeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, 'serve', ...args], { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let ready = false
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })))
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`serve not ready within ${opts.timeoutMs ?? 15_000} ms; stderr:\n${stderr}`))
    }, opts.timeoutMs ?? 15_000)
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      const m = READY_RE.exec(stderr)
      if (m && !ready) {
        ready = true
        clearTimeout(timer)
        resolve({
          child,
          ingestUrl: m[1]!,
          adminUrl: m[2] === 'off' ? undefined : m[2],
          caPath: m[3] === 'none' ? undefined : m[3],
          stdout: () => stdout,
          stderr: () => stderr,
          async stop(signal = 'SIGTERM') {
            const t0 = Date.now()
            child.kill(signal)
            const r = await exited
            return { ...r, ms: Date.now() - t0 }
          },
        })
      }
    })
    void exited.then((r) => {
      if (!ready) {
        clearTimeout(timer)
        reject(new Error(`serve exited (${String(r.code)}) before ready; stderr:\n${stderr}`))
      }
    })
  })
}
