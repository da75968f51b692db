/** Tools of the hostile mix (hostile-mix.ts): serve in its own process, its RSS, the attack bodies. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { CLI_PATH, READY_RE } from '../../helpers/cli.js'

export interface Serve {
  child: ChildProcess
  ingestUrl: string
  adminUrl: string
  caPath: string
  stop(): Promise<{ code: number | null; signal: string | null; ms: number }>
}

/** `serve` in its own process (usable from beforeAll, unlike spawnServe); killed by the caller's stop(). */
export function startServe(args: string[]): Promise<Serve> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, 'serve', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.on('close', (code, signal) => res({ code, signal })))
    // Never outlive the test process (a hook timeout leaves the run going).
    const killOnExit = (): void => void child.kill('SIGKILL')
    process.once('exit', killOnExit)
    void exited.then(() => process.off('exit', killOnExit))
    let stderr = ''
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`serve not ready in 30 s: ${stderr}`))
    }, 30_000)
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString()
      const m = READY_RE.exec(stderr)
      if (!m) return
      clearTimeout(timer)
      resolve({
        child,
        ingestUrl: m[1]!,
        adminUrl: m[2]!,
        caPath: m[3]!,
        async stop() {
          const t0 = Date.now()
          child.kill('SIGTERM')
          const killer = setTimeout(() => child.kill('SIGKILL'), 30_000)
          const r = await exited
          clearTimeout(killer)
          return { ...r, ms: Date.now() - t0 }
        },
      })
    })
    void exited.then((r) => reject(new Error(`serve exited (${String(r.code)}): ${stderr}`)))
  })
}

export const rssMiB = (pid: number): number => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
  } catch {
    return 0
  }
}
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0

/** The bomb: `[` then `{"a":1},` repeated, gzip level 9, inflating to about `mib` MiB. */
export function gzipBomb(mib: number): Buffer {
  const unit = Buffer.from('{"a":1},'.repeat(131072)) // 1 MiB
  return gzipSync(Buffer.concat([Buffer.from('['), ...Array<Buffer>(mib).fill(unit), Buffer.from('{"a":1}]')]), { level: 9 })
}

export function arrayOf(item: string, n: number): Buffer {
  return Buffer.from('[' + Array<string>(n).fill(item).join(',') + ']')
}
