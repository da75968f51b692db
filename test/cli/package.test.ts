/**
 * The package as a user gets it: `npm pack` (as built by `npm run build`), installed with the real npm
 * client into a fresh directory, `npx fake-fluentd --help` there; the tarball's contents; the CI
 * example's install route; and `conformance` without --cert-dir leaving nothing in the working directory.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
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
  }, 240_000)

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
