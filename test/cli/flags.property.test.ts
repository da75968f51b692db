/**
 * The whole command line, property-based (fast-check, fixed seed, bounded): for every command, flags
 * in any order and number with values a user might type. Each run of the real CLI (a child process)
 * must either work or exit 2 with a message naming one of the flags given; never a stack trace, never
 * exit 1 from a crash, never hang. Where a value works but is likely a mistake, a warning is printed.
 *
 * To stay bounded every run ends quickly: `send --dry-run` checks everything and sends nothing;
 * `conformance --list` parses every flag and lists; `serve` and `demo` start for real (port 0) and
 * are stopped by a signal once ready (exit 0 expected); `validate` and `certs` just run.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureCertificates } from '../../src/certs/index.js'
import { CLI_PATH } from '../helpers/cli.js'
import { commands, type CommandSpec } from './flags/commands.js'
import { argsFor } from './flags/values.js'

const SEED = Number(process.env.FF_CLI_SEED ?? 20261129)
/** FF_CLI_RUNS multiplies the runs (e.g. 10 for a long local hunt). */
const SCALE = Number(process.env.FF_CLI_RUNS ?? 1)
const root = fileURLToPath(new URL('../../', import.meta.url))
const STACK = /^\s+at\s.*(:\d+:\d+\)?|<anonymous>\)?)$|node:internal/m

let work = ''
let cache = ''
let certDir = ''
let busy: Server | undefined
let busyPort = ''
const files: Record<string, string> = {}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'ff-flags-cwd-'))
  cache = mkdtempSync(join(tmpdir(), 'ff-flags-cache-'))
  certDir = join(cache, 'fake-fluentd', 'certs')
  await ensureCertificates({ certDir })
  busy = createServer()
  await new Promise<void>((resolve) => busy!.listen(0, '127.0.0.1', resolve))
  busyPort = String((busy.address() as { port: number }).port)
  const put = (name: string, text: string): string => {
    const p = join(work, name)
    writeFileSync(p, text)
    return p
  }
  files.notification = join(root, 'test/fixtures/notifications/valid/new_hits-seed-fluentd.json')
  files.ndjson = put('n.ndjson', '{"summary":"a","details":{"notification_type":"create_user"}}\n{"summary":"b"}\n')
  files.notJson = put('bad.json', '{ nope')
  files.empty = put('empty.json', '')
  files.profile = put('profile.json', JSON.stringify({ extends: 'wallarm', name: 'quick', requestTimeoutMs: 2000 }))
  files.badProfile = put('bad-profile.json', JSON.stringify({ extends: 'no-such-profile' }))
  files.plan = put('plan.json', JSON.stringify({ rules: [{ steps: [{ status: 500, times: 2 }], then: { status: 200 } }] }))
  files.badPlan = put('bad-plan.json', JSON.stringify({ rules: [{ steps: [{ status: 103 }] }] }))
  files.serveConfig = put('serve-config.json', JSON.stringify({ idleTimeout: '10s', output: 'none', bodyLimit: '1m' }))
  files.journal = put('journal.ndjson', `${JSON.stringify({ kind: 'request', id: 1, receivedAt: 1, method: 'POST', url: '/wallarm', contentType: 'application/json', body: '[{}]' })}\n`)
  files.ca = join(certDir, 'ca.pem')
  files.cert = join(certDir, 'server.pem')
  files.key = join(certDir, 'server-key.pem')
})

afterAll(async () => {
  await new Promise<void>((resolve) => (busy ? busy.close(() => resolve()) : resolve()))
})

// Values that need the fixtures are drawn as names and resolved when the run starts.
const resolveToken = (v: string): string => (v.startsWith('@') && files[v.slice(1)] !== undefined ? files[v.slice(1)]! : v === '@busy' ? busyPort : v === '@certs' ? certDir : v)
/** `@name` values, also in `--flag=@name`. */
const resolveValue = (arg: string): string => {
  const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
  return eq > 0 ? `${arg.slice(0, eq)}=${resolveToken(arg.slice(eq + 1))}` : resolveToken(arg)
}
interface Outcome {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  ready: boolean
  hung: boolean
}

function run(spec: CommandSpec, argv: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI_PATH, ...argv], {
      cwd: work,
      env: { ...process.env, XDG_CACHE_HOME: cache, FF_DEBUG: '', NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Outcome = { code: null, signal: null, stdout: '', stderr: '', ready: false, hung: false }
    const kill = setTimeout(() => {
      out.hung = true
      child.kill('SIGKILL')
    }, 20_000)
    const check = (): void => {
      if (spec.ready && !out.ready && spec.ready.pattern.test(out.stdout + out.stderr)) {
        out.ready = true
        child.kill(spec.ready.signal)
      }
    }
    child.stdout.on('data', (d: Buffer) => {
      out.stdout += d.toString()
      check()
    })
    child.stderr.on('data', (d: Buffer) => {
      out.stderr += d.toString()
      check()
    })
    child.stdin.end('')
    child.on('close', (code, signal) => {
      clearTimeout(kill)
      resolve({ ...out, code, signal })
    })
  })
}

/** The flags on a command line (`--name` of `--name value` and `--name=value`). */
function flagsIn(argv: readonly string[]): string[] {
  return argv.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]!)
}

/** Timeouts the dry run prints below 50 ms must come with a warning on stderr. */
function checkTimeoutWarnings(o: Outcome): void {
  for (const m of o.stdout.matchAll(/(request|connect) timeout ([\d.]+) (ms|s)\b/g)) {
    const ms = Number(m[2]) * (m[3] === 's' ? 1000 : 1)
    if (ms < 50) expect(o.stderr, `${m[0]} without a warning`).toMatch(new RegExp(`warning: (the ${m[1]} timeout|--${m[1]}-timeout)`))
  }
}

describe('every flag of every command works or says why (property, fixed seed)', () => {
  for (const spec of commands) {
    it(`${spec.name}`, async () => {
      const argsArb = fc.tuple(argsFor(spec.flags), spec.positional ?? fc.constant([] as string[]))
      await fc.assert(
        fc.asyncProperty(argsArb, async ([flags, positional]) => {
          const argv = [...spec.base, ...flags, ...positional].map(resolveValue)
          const o = await run(spec, argv)
          const shown = `fake-fluentd ${argv.map((a) => JSON.stringify(a)).join(' ')}\nexit ${String(o.code)} ${String(o.signal)}\n${o.stdout.slice(-1500)}\n${o.stderr.slice(-1500)}`
          expect(o.hung, shown).toBe(false)
          expect(o.stderr + o.stdout, shown).not.toMatch(STACK)
          if (o.ready) {
            // demo --exit stopped by Ctrl-C: 130, the story was cut short (0 or 1 when it ended first).
            expect(spec.name === 'demo' && argv.includes('--exit') ? [0, 1, 130] : [0], shown).toContain(o.code)
            return
          }
          if (o.code === 2) {
            // The flag at fault, or the one missing (`--url is required`), or the input file.
            const known = [...flagsIn(argv), ...spec.flags.map((f) => f.flag), ...positional.map(resolveValue).map((p) => (p === '' ? 'empty file name' : p))]
            const named = known.some((f) => f !== '' && (o.stderr + o.stdout).includes(f))
            expect(named, `exit 2 without naming a flag:\n${shown}`).toBe(true)
            return
          }
          expect(spec.ok, shown).toContain(o.code)
          if (spec.name === 'send') checkTimeoutWarnings(o)
          if (spec.name === 'demo') expect(o.stdout, shown).toContain('Story over')
        }),
        { seed: SEED, numRuns: Math.max(1, Math.round(spec.runs * SCALE)), endOnFailure: true, examples: (spec.examples ?? []).map((e): [[string[], string[]]] => [e]) },
      )
    }, 180_000)
  }
})

describe('warnings for values that work but are likely a mistake', () => {
  it('serve warns about a --fault rule behind a never-ending catch-all, and runs', async () => {
    const spec = commands.find((c) => c.name === 'serve')!
    const o = await run(spec, [...spec.base, '--fault', '200', '--fault', 'PUT 500'].map(resolveValue))
    expect(o.ready, o.stderr).toBe(true)
    expect(o.code).toBe(0)
    expect(o.stderr).toContain('fake-fluentd: warning: fault plan: rules[1] ("PUT 500") can never apply: rules[0] ("200") matches every request')
  })
})
