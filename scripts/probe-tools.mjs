// What the probe scripts (tag-state-rss.mjs, fault-plan-costs.mjs) share: their arguments (--help,
// one-line errors, exit 2) and a `serve` child started from a given build, plain HTTP on free ports.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'

/** Prints `name: message` and exits 2. */
export function fail(name, message) {
  console.error(`${name}: ${message}`)
  process.exit(2)
}

/**
 * parseArgs with string options (each with its default), --help printing `usage`, and a one-line
 * error for anything else. Returns the values, the positionals and `cli`, the resolved --cli path.
 */
export function probeArgs(name, usage, defaults, allowPositionals = false) {
  const options = { help: { type: 'boolean' }, cli: { type: 'string', default: 'dist/cli/main.js' } }
  for (const [key, value] of Object.entries(defaults)) options[key] = { type: 'string', default: value }
  let parsed
  try {
    parsed = parseArgs({ options, allowPositionals })
  } catch (err) {
    fail(name, `${err.message}\n${usage}`)
  }
  if (parsed.values.help) {
    console.log(usage)
    process.exit(0)
  }
  const cli = resolve(parsed.values.cli)
  if (!existsSync(cli)) fail(name, `--cli ${cli}: no such file (npm run build first)`)
  return { values: parsed.values, positionals: parsed.positionals, cli }
}

/** A whole number >= 1 from option `key`, or exit 2 naming it. */
export function countArg(name, values, key) {
  const n = Number(values[key])
  if (!Number.isInteger(n) || n < 1) fail(name, `--${key} takes a whole number >= 1, not ${JSON.stringify(values[key])}`)
  return n
}

/** Starts `serve` of the build at `cli` (plain HTTP, port 0); resolves once ready, or exits 2 with serve's last line. */
export async function startServe(name, cli, args) {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--no-tls', '--output', 'none', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  const ready = await new Promise((done) => {
    const timer = setTimeout(() => done(undefined), 30_000)
    child.stderr.on('data', (d) => {
      stderr += d
      const m = /^fake-fluentd ready ingest=(\S+) admin=(\S+)/m.exec(stderr)
      if (m) {
        clearTimeout(timer)
        done(m)
      }
    })
    child.once('exit', () => done(undefined))
  })
  if (ready === undefined) {
    child.kill('SIGKILL')
    fail(name, `serve did not start: ${stderr.trim().split('\n').at(-1) ?? ''}`)
  }
  return { child, ingest: ready[1], admin: ready[2] }
}
