#!/usr/bin/env node
// The static half of `npm test`: type check (src and tests), type check of the page (JSDoc), lint,
// and the build that the CLI tests run. Each is one single-threaded process, so they run side by
// side; each one's output is printed whole, in this order, once all have ended. Exits 1 when any failed.
import { spawn } from 'node:child_process'

const steps = [
  ['type check', 'npx', ['--no-install', 'tsc', '--noEmit']],
  ['type check (web)', 'npx', ['--no-install', 'tsc', '-p', 'tsconfig.web.json']],
  ['lint', 'npx', ['--no-install', 'eslint', '.']],
  ['build', 'npm', ['run', '--silent', 'build']],
]

function run([name, command, args]) {
  const started = performance.now()
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', (err) => resolve({ name, ok: false, output: `${output}${err.message}\n`, ms: performance.now() - started }))
    child.on('close', (code, signal) => resolve({ name, ok: code === 0, output: code === 0 ? output : `${output}(exit ${code ?? signal})\n`, ms: performance.now() - started }))
  })
}

const results = await Promise.all(steps.map(run))
for (const r of results) {
  process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name} (${(r.ms / 1000).toFixed(1)} s)\n`)
  if (r.output.trim() !== '') process.stdout.write(r.output.endsWith('\n') ? r.output : `${r.output}\n`)
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1
