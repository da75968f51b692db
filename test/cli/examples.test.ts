/**
 * Every command line shown in README.md and docs/*.md, run as written (issue "A new user's path").
 * The command lines are read from the fenced blocks; each must have an entry below: a driver that
 * runs it, or the reason it cannot run here. A new example without an entry fails the first test.
 * The only changes to a line: `fake-fluentd` runs the built CLI, and a server that would take a
 * fixed port (9880/9881) gets `--port 0 --admin-port 0` (tests never bind fixed ports), with the
 * port it printed put into the client lines that follow.
 */
import { spawn, spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it, onTestFinished } from 'vitest'
import { CLI_PATH, spawnServe } from '../helpers/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const DOCS = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]
const COMMAND = /^(npx fake-fluentd|fake-fluentd|node |npm |curl |cat )/

/** The command lines of every fenced block (continuations joined, trailing comments cut). */
function exampleLines(): Array<{ file: string; line: string }> {
  const out: Array<{ file: string; line: string }> = []
  for (const file of DOCS) {
    const blocks = readFileSync(join(root, file), 'utf8').match(/^```[a-z]*\n[\s\S]*?^```$/gm) ?? []
    for (const block of blocks) {
      if (block.startsWith('```ts')) continue
      const text = block.replace(/\\\n\s*/g, '')
      for (const raw of text.split('\n')) {
        const line = raw.replace(/\s+#\s.*$/, '').trim()
        if (COMMAND.test(line)) out.push({ file, line })
      }
    }
  }
  return out
}

/** Lines that are not run here, and why. */
const NOT_RUN: Record<string, string> = {
  'npm ci && npm test': 'the whole suite; this file is part of it',
  'npm run test:e2e': 'needs Chromium; its own suite',
  'npm run build': 'done before the CLI tests run',
  'node scripts/compare-fluentd.mjs --a https://127.0.0.1:9880 --a-ca fluentd-cert.pem --b https://127.0.0.1:9890 --b-ca certs/ca.pem --a-log fluentd.log --b-log fake.log':
    'needs a real Fluentd (its arguments and errors: test/cli/scripts.test.ts)',
  'node dist/cli/main.js serve --port 9890 --admin-port off > fake.log &': 'part of the compare-fluentd run above (a fixed port beside a real Fluentd)',
  'fake-fluentd conformance --sender-cmd "node my-sender.mjs" --junit junit.xml --json report.json': 'the whole suite against your sender (minutes); the example senders run it in test/integration/conformance',
  'fake-fluentd conformance --sender-cmd "node my-sender.mjs"': 'the whole suite against your sender (minutes)',
  'fake-fluentd conformance --sender-url http://127.0.0.1:8080/send --profile profiles/my-profile.json': 'a sender of yours on a fixed port 8080',
  'fake-fluentd conformance --sender-url http://127.0.0.1:8080/send': 'a sender of yours on a fixed port 8080',
  'fake-fluentd conformance --sender builtin': 'the whole suite (minutes); test/integration/conformance runs it',
  'fake-fluentd serve --no-tls --forward-port 24224': "Fluentd's fixed forward port; test/integration/forward/serve-forward.test.ts runs serve --forward-port on a free one",
  'fake-fluentd serve --no-tls --forward-port 24224 --forward-fault "withhold-ack x2,ack"': "Fluentd's fixed forward port; test/integration/forward/serve-forward.test.ts runs --forward-fault on a free one",
  'fake-fluentd serve --no-tls --admin-port off --validate off --forward-port 25899': 'part of the compare-forward run beside a real Fluentd (fixed ports)',
  'fake-fluentd serve --no-tls --admin-port off --validate off --forward-port 25896 --forward-shared-key k --forward-self-hostname fluentd-host --forward-user u:p': 'part of the compare-forward run beside a real Fluentd (fixed ports)',
  'fake-fluentd serve --no-tls --admin-port off --validate off --forward-port 25897 --forward-skip-invalid-event --forward-chunk-size-limit 100 --forward-chunk-size-warn-limit 40 --forward-source-address-key src': 'part of the compare-forward run beside a real Fluentd (fixed ports)',
  'node scripts/compare-forward.mjs --a 127.0.0.1:25890 --b 127.0.0.1:25899 --a-log fluentd.out --b-log fake.out': 'needs a real Fluentd in_forward',
  'node scripts/compare-forward.mjs --variant security --a 127.0.0.1:25891 --b 127.0.0.1:25896 ...': 'needs a real Fluentd in_forward',
  'node scripts/compare-forward.mjs --variant limits --a 127.0.0.1:25892 --b 127.0.0.1:25897 ...': 'needs a real Fluentd in_forward',
  'fake-fluentd conformance --sender-cmd "node test/fixtures/senders/got-retry.mjs" --profile profiles/got-retry.json': 'test/integration/conformance/real-senders-got.test.ts runs this sender and profile',
  'fake-fluentd conformance --protocol forward --sender-cmd "node docs/examples/forward/fluent-logger-sender.mjs" --profile fluent-logger': 'test/cli/forward/conformance-forward.test.ts runs this line as the README shows it',
}

/** Runs a shell line in `cwd` with `fake-fluentd` as the built CLI. */
function sh(line: string, cwd: string, timeoutMs = 60_000): { code: number | null; stdout: string; stderr: string } {
  const bin = join(cwd, '.bin')
  mkdirSync(bin, { recursive: true })
  writeFileSync(join(bin, 'fake-fluentd'), `#!/bin/sh\nexec "${process.execPath}" "${CLI_PATH}" "$@"\n`, { mode: 0o755 })
  const r = spawnSync('sh', ['-c', line.replace(/^npx fake-fluentd/, 'fake-fluentd')], { cwd, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, XDG_CACHE_HOME: join(cwd, '.cache') } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** Starts a long-running line, resolves with its output once `ready` shows, then stops it with SIGINT. */
async function startAndStop(line: string, cwd: string, ready: RegExp): Promise<{ out: string; code: number | null }> {
  const args = line.replace(/^(npx )?fake-fluentd /, '').split(/\s+/)
  const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_CACHE_HOME: join(cwd, '.cache') } })
  onTestFinished(() => void (child.exitCode === null && child.kill('SIGKILL')))
  let out = ''
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready: ${line}\n${out}`)), 20_000)
    const take = (d: Buffer): void => {
      out += d.toString()
      if (ready.test(out)) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout.on('data', take)
    child.stderr.on('data', take)
  })
  child.kill('SIGINT')
  return { out, code: await exited }
}

const work = (): string => mkdtempSync(join(tmpdir(), 'ff-examples-'))
const fixture = (name: string): string => join(root, 'test/fixtures/notifications/valid', name)

describe('README and docs examples, as written', () => {
  it('every command line in the docs is driven below or says why not', () => {
    const driven = new Set([...Object.keys(NOT_RUN), ...DRIVEN])
    const missing = exampleLines().filter((l) => !driven.has(l.line))
    expect(missing).toEqual([])
  })

  it('Quick start and "Fake Fluentd (serve)": serve, then the curl line prints the Fluentd stdout line', async () => {
    const cwd = work()
    // `npm start -s` runs `node dist/cli/main.js serve` (test/cli/signals.test.ts runs it under npm).
    const s = await spawnServe(['--port', '0', '--admin-port', '0'], { cwd })
    const port = new URL(s.ingestUrl).port
    const curl = sh(`curl --cacert certs/ca.pem -H 'Content-Type: application/json' -d '[{"a":1}]' https://localhost:9880/wallarm`.replace(':9880', `:${port}`), cwd)
    expect(curl.code, curl.stderr).toBe(0)
    await new Promise((r) => setTimeout(r, 200))
    expect(s.stdout()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} \+0000 wallarm: \{"a":1\}$/m)
    await s.stop()
  })

  it('the --config example of "Fake Fluentd (serve)" is a file serve takes (its port 9880 made 0)', async () => {
    const cwd = work()
    const json = /\*\*Config file and environment\.\*\*[\s\S]*?```json\n([\s\S]*?)```/.exec(readFileSync(join(root, 'README.md'), 'utf8'))![1]!
    writeFileSync(join(cwd, 'serve.json'), json.replace('"port": 9880', '"port": 0'))
    const s = await spawnServe(['--config', 'serve.json'], { cwd })
    expect(s.adminUrl).toBeUndefined()
    await s.stop()
  })

  it('the library and verify examples (README "Library") run as written', () => {
    const cwd = work()
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const library = /\*\*Library\.\*\*\n\n```ts\n([\s\S]*?)```/.exec(readme)![1]!
    // The verify example continues the library one, before its receiver closes.
    const verify = /as WireMock's `verify`:\n\n```ts\n([\s\S]*?)```/.exec(readme)![1]!
    const [imports, ...rest] = verify.split('\n\n')
    const snippet = `${imports!}\n${library.replace('await r.close()', `${rest.join('\n\n')}\nawait r.close()`)}`
    mkdirSync(join(cwd, 'node_modules'))
    symlinkSync(root, join(cwd, 'node_modules', 'fake-fluentd'))
    symlinkSync(join(root, 'node_modules', 'undici'), join(cwd, 'node_modules', 'undici'))
    const js = ts.transpileModule(`${snippet}\nconsole.log(JSON.stringify(r.journal.entries({ tag: 'wallarm' })[0]?.events))\n`, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText
    writeFileSync(join(cwd, 'example.mjs'), js)
    const r = spawnSync(process.execPath, ['example.mjs'], { cwd, encoding: 'utf8', timeout: 30_000 })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/\[\{"time":\d+(\.\d+)?,"record":\{"a":1\}\}\]/)
  })

  it('"Schemas and validation": the three validate lines', () => {
    const cwd = work()
    cpSync(fixture('new_hits-seed-fluentd.json'), join(cwd, 'hits.json'))
    cpSync(fixture('new_hits-seed-fluentd.json'), join(cwd, 'body.json'))
    const ndjson = `${JSON.stringify(JSON.parse(readFileSync(fixture('new_hits-seed-fluentd.json'), 'utf8')))}\n`
    writeFileSync(join(cwd, 'batch.ndjson'), ndjson)
    writeFileSync(join(cwd, 'x.ndjson'), ndjson)
    for (const line of ['fake-fluentd validate hits.json batch.ndjson', 'cat body.json | fake-fluentd validate -', 'fake-fluentd validate --json --format ndjson x.ndjson']) {
      const r = sh(line, cwd)
      expect(r.code, `${line}\n${r.stdout}${r.stderr}`).toBe(0)
      expect(r.stdout).toMatch(/new_hits|"valid": ?true/)
    }
  })

  it('"Reference sender (send)": the send line against serve answering 503, then 200', async () => {
    const cwd = work()
    const s = await spawnServe(['--port', '0', '--admin-port', '0', '--fault', '503,200', '--output', 'none'], { cwd })
    const port = new URL(s.ingestUrl).port
    const r = sh('fake-fluentd send --url https://127.0.0.1:9880/wallarm --ca certs/ca.pem --type new_hits --time-scale 0.01'.replaceAll(':9880', `:${port}`), cwd)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`sending 1 notification(s) to https://127.0.0.1:${port}/wallarm as json, profile wallarm (time scale 0.01)`)
    // The lines the README shows. At scale 0.01 the request timeout is 150 ms: on a loaded machine an
    // attempt may time out first, which is the sender doing its job, so the outcome is not pinned.
    expect(r.stdout).toMatch(/^attempt 1 \(first\) (HTTP 503|timeout \(\w+\)) at \+\d+\.\d{3} s, took \d+ ms; next retry in 10 ms \(1 s at scale 1\), cycle 1\.1$/m)
    expect(r.stdout).toMatch(/^attempt \d+ \(cycle 1\.\d\) HTTP 200 at .*; delivered$/m)
    expect(r.stdout).toMatch(/^delivered after \d+ attempt\(s\)$/m)
    await s.stop()
  })

  it('"Conformance": --list, and the retry scenarios at their own scales pass with the reference sender', () => {
    const cwd = work()
    const list = sh('fake-fluentd conformance --list', cwd)
    expect(list.code, list.stderr).toBe(0)
    expect(list.stdout).toMatch(/scenario\(s\)/)
    const r = sh("fake-fluentd conformance --sender builtin --scenarios 'retry.*,!retry.cycle-3'", cwd, 120_000)
    // Inconclusive only on a loaded machine; never failed.
    const totals = /^(\d+) passed, 0 failed, 0 blocked, (\d+) inconclusive, 0 error\(s\)/m.exec(r.stdout)
    expect(totals, r.stdout.slice(-2000)).not.toBeNull()
    expect(Number(totals![1]) + Number(totals![2])).toBe(11)
    expect([0, 1]).toContain(r.code)
  }, 150_000)

  it('"Web page and demo": each demo line starts its story (the --exit one runs to its end)', async () => {
    const cwd = work()
    for (const line of ['fake-fluentd demo', 'fake-fluentd demo --scenario recovery', 'fake-fluentd demo --scenario timeout', 'fake-fluentd demo --scenario auto-disable']) {
      const r = await startAndStop(line, cwd, /^ {2}page {5}http/m)
      expect(r.code, `${line}\n${r.out}`).toBe(0)
    }
    const r = sh('fake-fluentd demo --scenario retry --time-scale 0.005 --exit', cwd)
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/Story over in .*, as expected\./)
  }, 120_000)
})

/** The lines the tests above run (as the docs show them). */
const DRIVEN = [
  'npm ci && npm start -s',
  'npx fake-fluentd serve',
  `curl --cacert certs/ca.pem -H 'Content-Type: application/json' -d '[{"a":1}]' https://localhost:9880/wallarm`,
  'fake-fluentd validate hits.json batch.ndjson',
  'cat body.json | fake-fluentd validate -',
  'fake-fluentd validate --json --format ndjson x.ndjson',
  'fake-fluentd send --url https://127.0.0.1:9880/wallarm --ca certs/ca.pem --type new_hits --time-scale 0.01',
  'fake-fluentd conformance --list',
  "fake-fluentd conformance --sender builtin --scenarios 'retry.*,!retry.cycle-3'",
  'fake-fluentd demo',
  'fake-fluentd demo --scenario recovery',
  'fake-fluentd demo --scenario timeout',
  'fake-fluentd demo --scenario auto-disable',
  'fake-fluentd demo --scenario retry --time-scale 0.005 --exit',
]
