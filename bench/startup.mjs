// Time from spawning `fake-fluentd serve` to its ready line, with and without cached certificates,
// with schema validation on (the default, warn) and off. Median of 3 runs each.
// Usage: npm run build && node bench/startup.mjs
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

const main = new URL('../dist/cli/main.js', import.meta.url).pathname

function timeToReady(certDir, extra) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now()
    const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--admin-port', 'any', '--cert-dir', certDir, '--output', 'none', ...extra], {
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const rl = createInterface({ input: child.stderr })
    rl.on('line', (line) => {
      if (!line.startsWith('fake-fluentd ready')) return
      const ms = performance.now() - t0
      child.kill('SIGKILL')
      resolve(ms)
    })
    child.once('exit', (code) => reject(new Error(`serve exited ${code} before ready`)))
  }).catch((err) => {
    throw err
  })
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const work = mkdtempSync(join(tmpdir(), 'ff-bench-start-'))
const rows = []
for (const [label, extra] of [
  ['validation warn (default)', []],
  ['--validate off', ['--validate', 'off']],
]) {
  const cold = []
  const warm = []
  for (let i = 0; i < 3; i++) {
    const dir = join(work, `c${label.length}-${i}`)
    cold.push(await timeToReady(dir, extra)) // generates the CA and server certificate
    warm.push(await timeToReady(dir, extra)) // reuses them
  }
  rows.push({ label, coldMs: median(cold), warmMs: median(warm) })
  console.log(`start to ready, ${label.padEnd(26)} new certificates ${median(cold).toFixed(0)} ms   cached certificates ${median(warm).toFixed(0)} ms`)
}
rmSync(work, { recursive: true, force: true })
