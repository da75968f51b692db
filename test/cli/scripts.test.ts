/**
 * The scripts a user runs by hand answer --help and bad arguments in one line, exit 2, no stack trace.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))
const STACK = /^\s+at\s|node:internal/m

function run(script: string, args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: 'utf8', timeout: 15_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

describe('scripts: --help and bad arguments', () => {
  it('compare-fluentd.mjs --help prints the usage, exit 0', () => {
    const r = run('scripts/compare-fluentd.mjs', ['--help'])
    expect(r.code, r.err).toBe(0)
    expect(r.out).toContain('usage: compare-fluentd.mjs --a URL --b URL')
  })

  for (const [args, text] of [
    [['--nope'], "Unknown option '--nope'"],
    [['--a', 'https://127.0.0.1:1', '--b', 'https://127.0.0.1:2', '--a-ca', '/nonexistent/ca.pem'], '--a-ca /nonexistent/ca.pem: cannot read it (ENOENT)'],
    [['--a', 'https://127.0.0.1:1', '--b', 'https://127.0.0.1:2', '--b-log', '/nonexistent/b.log'], '--b-log /nonexistent/b.log: cannot read it'],
    [['--a', 'not a url', '--b', 'https://127.0.0.1:2'], '--a not a url: not a URL'],
    [['--a', 'https://127.0.0.1:1'], '--a and --b are required'],
  ] as Array<[string[], string]>) {
    it(`compare-fluentd.mjs ${args.join(' ')}: exit 2, one line`, () => {
      const r = run('scripts/compare-fluentd.mjs', args)
      expect(r.code).toBe(2)
      expect(r.err).toContain(text)
      expect(r.err + r.out).not.toMatch(STACK)
    })
  }

  it('bench/startup.mjs --help prints the usage and a bad count exits 2', () => {
    const help = run('bench/startup.mjs', ['--help'])
    expect(help.code).toBe(0)
    expect(help.out).toContain('usage: node bench/startup.mjs [N]')
    const bad = run('bench/startup.mjs', ['many'])
    expect(bad.code).toBe(2)
    expect(bad.err).not.toMatch(STACK)
  })
})
