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

  it('installs from the tarball into a fresh directory, and `npx fake-fluentd --help` works there', () => {
    const out = mkdtempSync(join(tmpdir(), 'ff-pack-'))
    const { filename } = pack(out)
    const app = mkdtempSync(join(tmpdir(), 'ff-install-'))
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'ff-install-check', private: true }))
    const install = spawnSync(npm, ['install', '--no-audit', '--no-fund', '--prefer-offline', join(out, filename)], { cwd: app, encoding: 'utf8', timeout: 180_000 })
    expect(install.status, install.stderr).toBe(0)
    const help = spawnSync('npx', ['--no-install', 'fake-fluentd', '--help'], { cwd: app, encoding: 'utf8', timeout: 30_000 })
    expect(help.status, help.stderr).toBe(0)
    expect(help.stdout).toContain('Usage: fake-fluentd')
    const profile = spawnSync('npx', ['--no-install', 'fake-fluentd', 'validate', '--help'], { cwd: app, encoding: 'utf8', timeout: 30_000 })
    expect(profile.status, profile.stderr).toBe(0)
    installed = app
  }, 240_000)

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
    expect(yml).toContain('npm pack --pack-destination')
    expect(yml).toMatch(/npm install --no-save [^\n]*fake-fluentd-\*\.tgz/)
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
