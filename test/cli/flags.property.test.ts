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
import { argsFor, durationText, numberText, oneOf, type FlagSpec } from './flags/values.js'

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
  files.ca = join(certDir, 'ca.pem')
  files.cert = join(certDir, 'server.pem')
  files.key = join(certDir, 'server-key.pem')
})

afterAll(async () => {
  await new Promise<void>((resolve) => (busy ? busy.close(() => resolve()) : resolve()))
})

// Values that need the fixtures are drawn as names and resolved when the run starts.
const fileValue = (...names: string[]): fc.Arbitrary<string> => oneOf(names.map((n) => `@${n}`), fc.constantFrom('/nonexistent/x.json', '.', ''))
const resolveToken = (v: string): string => (v.startsWith('@') && files[v.slice(1)] !== undefined ? files[v.slice(1)]! : v === '@busy' ? busyPort : v === '@certs' ? certDir : v)
/** `@name` values, also in `--flag=@name`. */
const resolveValue = (arg: string): string => {
  const eq = arg.startsWith('--') ? arg.indexOf('=') : -1
  return eq > 0 ? `${arg.slice(0, eq)}=${resolveToken(arg.slice(eq + 1))}` : resolveToken(arg)
}
const port = oneOf(['0', '@busy', '-1', '65536', '1.5', 'abc', ' 0', '0x0', '99999999999'])

/** The admin flags serve and demo share (src/cli/admin-flags.ts). */
const adminFlags: FlagSpec[] = [
  { flag: '--admin-allowed-host', value: oneOf(['fluentd.example', 'any', '127.0.0.1']) },
  { flag: '--admin-token', value: oneOf(['s3cret-token-0123456789', 'x']) },
  { flag: '--admin-stream-buffer', value: oneOf(['64k', '1k', '1', '0', '1g']) },
  { flag: '--admin-max-streams', value: oneOf(['1', '16'], numberText) },
  { flag: '--admin-stream-replay', value: oneOf(['1', '1000'], numberText) },
]

interface CommandSpec {
  name: string
  /** First on the command line, so that no generated flag can swallow them as its value. */
  base: string[]
  flags: FlagSpec[]
  positional?: fc.Arbitrary<string[]>
  /** A long-running command: once this shows, it is stopped with `signal` and must exit 0. */
  ready?: { pattern: RegExp; signal: NodeJS.Signals }
  /** Exit codes that mean "ran" (2 is always allowed, with a flag named). */
  ok: number[]
  runs: number
  /** Counterexamples found by longer runs (FF_CLI_RUNS, other seeds), replayed every time. */
  examples?: Array<[string[], string[]]>
}

const commands: CommandSpec[] = [
  {
    name: 'send',
    base: ['send', '--dry-run', '--url', 'https://127.0.0.1:9/wallarm'],
    flags: [
      { flag: '--url', value: oneOf(['https://127.0.0.1:9/wallarm', 'http://localhost:1/x', 'https://[::1]:1/t', 'ftp://x', 'not a url', 'https://127.0.0.1:99999/x']) },
      { flag: '--method', value: oneOf(['POST', 'PUT', 'GET', 'post']) },
      { flag: '--header', value: oneOf(['X-A: b', 'X-Auth-Token:abc', 'X:', ': v', 'no-colon', 'X-Ü: ü']) },
      { flag: '--ca', value: fileValue('ca', 'notJson') },
      { flag: '--insecure' },
      { flag: '--format', value: oneOf(['json', 'ndjson', 'xml']) },
      { flag: '--request-timeout', value: oneOf(['2s', '1500.5ms', '5ms', '30s'], durationText) },
      { flag: '--connect-timeout', value: oneOf(['2s', '20ms', '1m'], durationText) },
      { flag: '--time-scale', value: oneOf(['0.001', '0.0003', '0.01', '1', '1000'], numberText) },
      { flag: '--profile', value: oneOf(['wallarm', 'exponential-jitter', 'nope', '@profile', '@badProfile', '@notJson']) },
      { flag: '--type', value: oneOf(['new_hits', 'vuln', 'create_user', 'nope']) },
      { flag: '--file', value: fileValue('notification', 'ndjson', 'notJson', 'empty') },
      { flag: '--count', value: oneOf(['1', '3', '10000'], numberText) },
      { flag: '--seed', value: oneOf(['0', '7', '4294967295'], numberText) },
      { flag: '--test-message' },
    ],
    ok: [0],
    runs: 30,
  },
  {
    name: 'serve',
    base: ['serve', '--port', '0', '--admin-port', '0', '--cert-dir', '@certs'],
    flags: [
      { flag: '--port', value: port },
      { flag: '--bind', value: oneOf(['127.0.0.1', 'localhost', 'a b', '999.1.1.1']) },
      { flag: '--no-tls' },
      { flag: '--cert-dir', value: oneOf(['@certs', '/proc/nope']) },
      { flag: '--cert', value: fileValue('cert', 'ca') },
      { flag: '--key', value: fileValue('key', 'cert') },
      { flag: '--ca', value: fileValue('ca') },
      { flag: '--host', value: oneOf(['fluentd.example', '10.0.0.7', 'ü.example', '*.example.com', '999.999.1.1']) },
      { flag: '--tls-version', value: oneOf(['1.2', '1.3', '1.2+', '1.1']) },
      { flag: '--admin-port', value: oneOf(['0', 'any', '@busy', '-1', '65536', 'x']) },
      { flag: '--admin-bind', value: oneOf(['127.0.0.1', 'localhost', 'a b']) },
      { flag: '--journal', value: oneOf(['journal.ndjson', '/proc/nope/j.ndjson', '.']) },
      { flag: '--journal-max', value: oneOf(['1', '100', '10000'], numberText) },
      { flag: '--require-header', value: oneOf(['X-Token: abc', 'X-Token:', 'bad header', ':x']) },
      { flag: '--validate', value: oneOf(['off', 'warn', 'strict', 'on']) },
      { flag: '--output', value: oneOf(['fluentd', 'json', 'none', 'xml']) },
      { flag: '--body-limit', value: oneOf(['32m', '1k', '0', '1g', '10t', '-1'], numberText) },
      { flag: '--idle-timeout', value: oneOf(['10s', '0', '500ms'], durationText) },
      { flag: '--header-timeout', value: oneOf(['10s', '0', '1m'], durationText) },
      { flag: '--request-timeout', value: oneOf(['30s', '0', '2m'], durationText) },
      { flag: '--max-connections', value: oneOf(['1', '100', '1000'], numberText) },
      { flag: '--inflate-limit', value: oneOf(['32m', '1k', '0', '10g', 'x', '-1'], numberText) },
      { flag: '--max-records', value: numberText },
      { flag: '--max-record-size', value: oneOf(['1m', '1', '0', '64k', 'big'], numberText) },
      { flag: '--journal-max-bytes', value: oneOf(['64m', '1k', '0', 'lots'], numberText) },
      { flag: '--journal-body-max', value: oneOf(['64k', '0', '1m', '-5'], numberText) },
      { flag: '--strict-parse' },
      { flag: '--use-204' },
      { flag: '--seed', value: oneOf(['0', '7', '4294967295'], numberText) },
      { flag: '--fault', value: oneOf(['500x3,200', '103', 'hang', 'dealy=5s', '200', 'PUT 500', 'slow=1s:101', 'delay=99999999999h']) },
      { flag: '--faults', value: fileValue('plan', 'badPlan', 'notJson', 'empty') },
      ...adminFlags,
    ],
    ready: { pattern: /^fake-fluentd ready /m, signal: 'SIGTERM' },
    ok: [],
    runs: 18,
    // mkdir -p under /proc looped for ever on Node 20.
    examples: [[['--cert-dir=/proc/nope', '--require-header', 'X-Token: abc'], []]],
  },
  {
    name: 'demo',
    base: ['demo', '--port', '0', '--admin-port', '0', '--no-color'],
    flags: [
      { flag: '--scenario', value: oneOf(['retry', 'timeout', 'auto-disable', 'recovery', 'nope']) },
      { flag: '--time-scale', value: oneOf(['0.02', '0.001', '1', '1000'], numberText) },
      { flag: '--port', value: port },
      { flag: '--admin-port', value: port },
      { flag: '--bind', value: oneOf(['127.0.0.1', 'localhost', 'a b']) },
      { flag: '--tls' },
      { flag: '--cert-dir', value: oneOf(['@certs', '/proc/nope']) },
      { flag: '--exit' },
      { flag: '--no-color' },
      ...adminFlags,
    ],
    ready: { pattern: /^ {2}page {5}http/m, signal: 'SIGINT' },
    // --exit with a tiny time scale may end the story (exit 1 when it did not go as told) before the signal.
    ok: [1],
    runs: 8,
  },
  {
    name: 'validate',
    base: ['validate'],
    flags: [{ flag: '--json' }, { flag: '--format', value: oneOf(['auto', 'json', 'ndjson', 'yaml']) }],
    positional: fc.array(fileValue('notification', 'ndjson', 'notJson', 'empty'), { minLength: 1, maxLength: 3 }),
    ok: [0, 1],
    runs: 14,
    examples: [[['--format', 'ndjson'], ['']]],
  },
  {
    name: 'certs',
    base: ['certs', '--cert-dir', '@certs'],
    flags: [
      { flag: '--cert-dir', value: oneOf(['@certs', '/proc/nope']) },
      { flag: '--host', value: oneOf(['localhost', '127.0.0.1', 'a b', '999.999.1.1', '-x']) },
      { flag: '--json' },
    ],
    ok: [0],
    runs: 8,
    examples: [[['--host=127.0.0.1', '--cert-dir=/proc/nope'], []]],
  },
  {
    name: 'conformance --list',
    base: ['conformance', '--list'],
    flags: [
      { flag: '--sender', value: oneOf(['builtin', 'nope']) },
      { flag: '--sender-cmd', value: oneOf(['node x.mjs']) },
      { flag: '--sender-url', value: oneOf(['http://127.0.0.1:1/', 'nope']) },
      { flag: '--scenarios', value: oneOf(['delivery.*', 'retry', '!tls.*', 'nope.*']) },
      { flag: '--profile', value: oneOf(['wallarm', '@profile', 'nope']) },
      { flag: '--time-scale', value: oneOf(['0.05', '1'], numberText) },
      { flag: '--tolerance-ms', value: oneOf(['60', '0'], numberText) },
      { flag: '--tolerance-rel', value: oneOf(['0.2', '0'], numberText) },
      { flag: '--concurrency', value: oneOf(['2', '8'], numberText) },
      { flag: '--junit', value: oneOf(['j.xml']) },
      { flag: '--json', value: oneOf(['r.json']) },
      { flag: '--html', value: oneOf(['r.html']) },
      { flag: '--cert-dir', value: oneOf(['@certs']) },
      { flag: '--quiet' },
    ],
    ok: [0],
    runs: 10,
  },
]

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
            expect(o.code, shown).toBe(0)
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
