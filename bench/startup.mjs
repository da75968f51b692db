// Time from spawning `fake-fluentd serve` to its ready line, beside a bare `node -e 0` (spawn to
// exit) measured in the same run: cached certificates (the usual start), --validate off, a fresh
// certificate directory (generation), and `--help`. Median of N runs each, interleaved so that
// other load on the machine hits every row alike.
// Usage: npm run build && node bench/startup.mjs [N]   (N defaults to 9)
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const main = new URL('../dist/cli/main.js', import.meta.url).pathname
const arg = process.argv[2]
if (arg === '--help' || arg === '-h') {
  process.stdout.write('usage: node bench/startup.mjs [N]   median of N runs (default 9) of each start-up; npm run build first\n')
  process.exit(0)
}
if (arg !== undefined && !/^[1-9]\d*$/.test(arg)) {
  process.stderr.write(`startup.mjs: ${arg}: give the number of runs, a whole number >= 1 (or --help)\n`)
  process.exit(2)
}
const runs = Number(arg ?? 9)

/** CPU time (user + system, ms) the process has used so far, from /proc (Linux; NaN elsewhere). */
function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100 // utime + stime, in USER_HZ (100)
  } catch {
    return NaN
  }
}

/** Spawn → the `fake-fluentd ready` line on stderr (then SIGKILL); also the CPU used until then. */
function timeToReady(certDir, extra) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--admin-port', 'any', '--cert-dir', certDir, '--output', 'none', ...extra], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let ready = false
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (ready || !line.startsWith('fake-fluentd ready')) return
      ready = true
      const ms = performance.now() - t0
      resolve({ ms, cpu: cpuMs(child.pid) })
      child.kill('SIGKILL')
    })
    child.once('exit', (code) => {
      if (!ready) reject(new Error(`serve exited ${code} before ready`))
    })
  })
}

/** Spawn → exit. */
function timeToExit(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, args, { stdio: 'ignore' })
    child.once('exit', (code) => (code === 0 ? resolve({ ms: performance.now() - t0, cpu: NaN }) : reject(new Error(`${args.join(' ')} exited ${code}`))))
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const work = mkdtempSync(join(tmpdir(), 'ff-bench-start-'))
const cached = join(work, 'cached')
await timeToReady(cached, []) // generates the certificates that the cached rows reuse

const rows = [
  ['node -e 0 (spawn to exit)', () => timeToExit(['-e', '0'])],
  ['serve, cached certificates (default)', () => timeToReady(cached, [])],
  ['serve, cached, --validate off', () => timeToReady(cached, ['--validate', 'off'])],
  ['serve, new certificates', (i) => timeToReady(join(work, `fresh-${i}`), [])],
  ['fake-fluentd --help (spawn to exit)', () => timeToExit([main, '--help'])],
]
const samples = rows.map(() => [])
for (let i = 0; i < runs; i++) {
  for (const [r, [, run]] of rows.entries()) samples[r].push(await run(i))
}
rmSync(work, { recursive: true, force: true })
const base = median(samples[0].map((s) => s.ms))
console.log(`start-up, median of ${runs}: wall time from spawn to the ready line (serve) or to exit; CPU used until ready`)
for (const [r, [label]] of rows.entries()) {
  const m = median(samples[r].map((s) => s.ms))
  const cpu = median(samples[r].map((s) => s.cpu))
  const extra = r === 0 ? '' : `   (+${(m - base).toFixed(0)} ms over node -e 0)`
  const cpuText = Number.isNaN(cpu) ? '' : `   cpu ${cpu.toFixed(0)} ms`
  console.log(`${label.padEnd(40)} ${m.toFixed(0).padStart(5)} ms${extra}${cpuText}`)
}
