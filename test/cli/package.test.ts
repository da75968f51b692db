/**
 * The package as a user gets it: `npm pack` (as built by `npm run build`), installed with the real npm
 * client into a fresh directory, `npx fake-fluentd --help` there; the tarball's contents; the CI
 * example's install route; and `conformance` without --cert-dir leaving nothing in the working directory.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'
import { CLI_PATH } from '../helpers/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'

interface PackResult {
  filename: string
  files: Array<{ path: string }>
}

function pack(destination: string): PackResult {
  // --ignore-scripts: `npm test` has just built dist/; packing must not rebuild it.
  const r = spawnSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: root, encoding: 'utf8', timeout: 60_000 })
  expect(r.status, r.stderr).toBe(0)
  return (JSON.parse(r.stdout) as PackResult[])[0]!
}

/** What the README tells a TypeScript user to install beside the tarball. */
const TYPESCRIPT_INSTALLS = ['typescript@5.9', '@types/node@20', '@types/express@5']

/** A user's file: the README's library examples and the typed APIs the issue named. */
const CONSUMER = `
import express from 'express'
import { createAdminApp, createDemo, createSender, mountWebPage, runConformance, startReceiver, verifyRequests, type DemoAttemptEvent, type NewHitsNotification, type Notifications } from 'fake-fluentd'
import { Agent, request } from 'undici'

const r = await startReceiver({ port: 0, adminPort: false, certDir: 'certs' })
const agent = new Agent({ connect: { ca: r.ca } })
await request(\`\${r.url}/wallarm\`, { method: 'POST', body: '[{"a":1}]', headers: { 'content-type': 'application/json' }, dispatcher: agent })
console.log(r.journal.entries({ tag: 'wallarm' })[0]?.events)
await r.close()

export const hit: NewHitsNotification | undefined = undefined
export const vuln: Notifications.VulnNotification | undefined = undefined

const demo = createDemo({ scenario: 'recovery', timeScale: 0.01 })
demo.on('attempt', (e: DemoAttemptEvent) => console.log(e.attempt))
demo.on((e) => console.log(e.type))

const app = express()
mountWebPage(app, { journal: r.journal, timeScale: 1 })
app.use(await createAdminApp({ journal: r.journal, mount: (a) => mountWebPage(a) }))
verifyRequests(r.journal, { tag: 'wallarm' }, { atLeast: 1 })

const sender = createSender({ url: 'https://127.0.0.1:9880/wallarm' })
sender.on('attempt-end', ({ record }) => console.log(record.attempt))
export const run = runConformance
`

/** The directory the install test installed the tarball into. */
let installed: string | undefined

describe('the packed package', () => {
  it('carries LICENSE, dist, schemas, profiles and the page; not dist/.tsbuildinfo', () => {
    const result = pack(mkdtempSync(join(tmpdir(), 'ff-pack-')))
    const paths = result.files.map((f) => f.path)
    for (const p of ['LICENSE', 'README.md', 'package.json', 'dist/cli/main.js', 'schemas/profile.schema.json', 'profiles/wallarm.json', 'web/index.html']) {
      expect(paths, p).toContain(p)
    }
    expect(paths.filter((p) => p.includes('tsbuildinfo'))).toEqual([])
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License/)
    expect((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { license: string }).license).toBe('MIT')
  })

  it('installs from the tarball into a fresh directory with the documented command (no install-script warning), and `npx fake-fluentd --help` works there', () => {
    const out = mkdtempSync(join(tmpdir(), 'ff-pack-'))
    const { filename } = pack(out)
    const app = mkdtempSync(join(tmpdir(), 'ff-install-'))
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'ff-install-check', private: true, type: 'module' }))
    // README "Quick start": the tarball with --ignore-scripts (dist/ is in it), and for TypeScript the type packages.
    const install = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', join(out, filename), ...TYPESCRIPT_INSTALLS], { cwd: app, encoding: 'utf8', timeout: 180_000 })
    expect(install.status, install.stderr).toBe(0)
    expect(install.stderr).not.toContain('prepare')
    const help = spawnSync('npx', ['--no-install', 'fake-fluentd', '--help'], { cwd: app, encoding: 'utf8', timeout: 30_000 })
    expect(help.status, help.stderr).toBe(0)
    expect(help.stdout).toContain('Usage: fake-fluentd')
    const profile = spawnSync('npx', ['--no-install', 'fake-fluentd', 'validate', '--help'], { cwd: app, encoding: 'utf8', timeout: 30_000 })
    expect(profile.status, profile.stderr).toBe(0)
    installed = app
  }, 240_000)

  it('a fresh strict TypeScript project compiles against the installed package (typed events, per-type notifications, the page on an express app)', () => {
    expect(installed, 'the install test above ran').toBeDefined()
    const app = installed!
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] }, include: ['*.ts'] }))
    writeFileSync(join(app, 'use.ts'), CONSUMER)
    const tsc = spawnSync('npx', ['--no-install', 'tsc', '-p', '.'], { cwd: app, encoding: 'utf8', timeout: 120_000 })
    expect(tsc.status, tsc.stdout + tsc.stderr).toBe(0)
    // The check can fail: a wrong event name is a type error.
    writeFileSync(join(app, 'use.ts'), `${CONSUMER}\ndemo.on('no-such-event', () => {})\n`)
    const bad = spawnSync('npx', ['--no-install', 'tsc', '-p', '.'], { cwd: app, encoding: 'utf8', timeout: 120_000 })
    expect(bad.status).not.toBe(0)
    expect(bad.stdout).toContain("'\"no-such-event\"'")
  }, 180_000)

  it('ships docs/ (the README links there), no source maps pointing at a src/ it does not ship, and schemas/ in exports', () => {
    expect(installed, 'the install test above ran').toBeDefined()
    const pkg = join(installed!, 'node_modules', 'fake-fluentd')
    for (const p of ['docs/sender-contract.md', 'docs/design.md', 'docs/examples/example-sender.mjs', 'docs/examples/github-workflow.yml']) expect(existsSync(join(pkg, p)), p).toBe(true)
    const maps = spawnSync('find', [join(pkg, 'dist'), '-name', '*.map'], { encoding: 'utf8' })
    expect(maps.stdout.trim()).toBe('')
    const resolved = spawnSync(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('fake-fluentd/schemas/profile.schema.json'))"], { cwd: installed, encoding: 'utf8' })
    expect(resolved.status, resolved.stderr).toBe(0)
    expect(resolved.stdout).toMatch(/node_modules\/fake-fluentd\/schemas\/profile\.schema\.json/)
  })

  it.skipIf(process.platform === 'win32')('npx fake-fluentd serve says how to run it under a supervisor, and stops on Ctrl-C (the signal to the whole group)', async () => {
    expect(installed, 'the install test above ran').toBeDefined()
    const child = spawn('npx', ['--no-install', 'fake-fluentd', 'serve', '--port', '0', '--admin-port', '0', '--cert-dir', mkdtempSync(join(tmpdir(), 'ff-npx-'))], {
      cwd: installed,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    const pgid = child.pid!
    onTestFinished(() => {
      try {
        process.kill(-pgid, 'SIGKILL')
      } catch {
        // already gone
      }
    })
    let stderr = ''
    const exited = new Promise<string>((resolve) => child.on('close', (code, signal) => resolve(signal ?? `code ${String(code)}`)))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready within 30 s:\n${stderr}`)), 30_000)
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        if (/^fake-fluentd ready /m.test(stderr)) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    expect(stderr).toContain('note: started through npx: a supervisor that signals only the npm process will not stop this server; run node_modules/.bin/fake-fluentd serve')
    process.kill(-pgid, 'SIGINT')
    // npm passes the server's end on as its own: killed by the same signal (or exit 0).
    expect(['SIGINT', 'code 0']).toContain(await exited)
    expect(stderr).toContain('fake-fluentd: SIGINT, stopping')
    expect(() => process.kill(-pgid, 0)).toThrow()
  }, 60_000)

  it('the CI example installs a packed tarball, not a registry name that does not exist', () => {
    const yml = readFileSync(join(root, 'docs/examples/github-workflow.yml'), 'utf8')
    expect(yml).not.toMatch(/npm install[^\n]*\sfake-fluentd\s*$/m)
    expect(yml).toContain('npm pack --ignore-scripts --pack-destination')
    expect(yml).toMatch(/npm install --no-save [^\n]*--ignore-scripts [^\n]*fake-fluentd-\*\.tgz/)
    // Built once: npm ci builds, npm pack must not build again.
    expect(yml).toContain('npm pack --ignore-scripts')
    // The default sender exists in a user's repository once the tarball is installed.
    const senderCmd = /SENDER_CMD: node (\S+)/.exec(yml)?.[1]
    expect(senderCmd).toBe('node_modules/fake-fluentd/docs/examples/example-sender.mjs')
    if (installed !== undefined) expect(existsSync(join(installed, senderCmd!))).toBe(true)
    expect(yml).not.toMatch(/node-version: 20\b/)
    expect(yml).toContain('annotate_only: ${{ github.event.pull_request.head.repo.fork == true }}')
  })
})

describe('conformance without --cert-dir', () => {
  it('keeps its CA in the user cache directory, never in the working directory', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ff-cwd-'))
    const cache = mkdtempSync(join(tmpdir(), 'ff-cache-'))
    const r = spawnSync(process.execPath, [CLI_PATH, 'conformance', '--sender', 'builtin', '--scenarios', 'delivery.single', '--quiet'], {
      cwd,
      env: { ...process.env, XDG_CACHE_HOME: cache },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status, r.stderr).toBe(0)
    expect(readdirSync(cwd)).toEqual([])
    expect(existsSync(join(cache, 'fake-fluentd', 'certs', 'ca-key.pem'))).toBe(true)
  }, 60_000)
})
