/**
 * `fake-fluentd demo` as a black box (the built binary): each scenario tells its story to the end
 * with --exit, at a small time scale; Ctrl-C closes everything within a second.
 */
import { spawn } from 'node:child_process'
import { describe, expect, it, onTestFinished } from 'vitest'
import { CLI_PATH, runCli } from '../helpers/cli.js'

const attemptRows = (out: string): string[] => out.split('\n').filter((l) => /^#\d+\s+\d+\s/.test(l))

describe('fake-fluentd demo', () => {
  it('recovery: 500 three times, then delivered on attempt 4, on schedule', async () => {
    const r = await runCli(['demo', '--scenario', 'recovery', '--time-scale', '0.05', '--exit'], { timeoutMs: 20_000 })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^fake-fluentd demo · recovery · time scale 0\.05/)
    expect(r.stdout).toMatch(/ {2}page {5}http:\/\/127\.0\.0\.1:\d+\//)
    const rows = attemptRows(r.stdout)
    expect(rows).toHaveLength(4)
    expect(rows[0]).toMatch(/^#1\s+1\s+first\s+—\s+—\s+\d+ ms\s+500$/)
    // planned intervals 1, 3, 5 s scaled by 0.05
    expect(rows[1]).toMatch(/^#1\s+2\s+1 \(1\/5\)\s+50 ms\s+\d+ ms\s+\S+ ms\s+\d+ ms\s+500$/)
    expect(rows[2]).toMatch(/^#1\s+3\s+1 \(2\/5\)\s+150 ms\s/)
    expect(rows[3]).toMatch(/^#1\s+4\s+1 \(3\/5\)\s+250 ms\s+.*200$/)
    expect(r.stdout).toContain('#1 delivered on attempt 4')
    expect(r.stdout).toMatch(/Story over in .*: delivered after 4 attempts, as expected\./)
    expect(r.stdout).not.toContain('\u001b[')
  })

  it('retry: 17 attempts through the three cycles, then dropped', async () => {
    const r = await runCli(['demo', '--time-scale', '0.003', '--exit'], { timeoutMs: 30_000 })
    expect(r.code, r.stderr).toBe(0)
    const rows = attemptRows(r.stdout)
    expect(rows).toHaveLength(17)
    // 503 each time (on a busy machine a 45 ms request timeout may fire first: also a failure)
    for (const row of rows) expect(row).toMatch(/(503|timeout)$/)
    expect(r.stdout).toContain('── cycle 3: 1 min, 1 min, 3 min, 5 min, 10 min, 30 min')
    expect(r.stdout).toContain('#1 dropped after 17 attempts')
    expect(r.stdout).toMatch(/dropped after 17 attempts, as expected\./)
  })

  it('timeout: three attempts time out, the fourth is delivered', async () => {
    const r = await runCli(['demo', '--scenario', 'timeout', '--time-scale', '0.05', '--exit'], { timeoutMs: 30_000 })
    expect(r.code, r.stderr).toBe(0)
    const rows = attemptRows(r.stdout)
    expect(rows).toHaveLength(4)
    for (const row of rows.slice(0, 3)) expect(row).toMatch(/request timeout$/)
    expect(rows[3]).toMatch(/200$/)
    expect(r.stdout).toContain('request timeout 750 ms')
  })

  it('auto-disable: failing deliveries until the integration is disabled', async () => {
    const r = await runCli(['demo', '--scenario', 'auto-disable', '--time-scale', '0.02', '--exit'], { timeoutMs: 30_000 })
    expect(r.code, r.stderr).toBe(0)
    const rows = attemptRows(r.stdout)
    expect(new Set(rows.map((l) => l.split(/\s+/)[0]))).toEqual(new Set(['#1', '#2', '#3']))
    expect(rows.length).toBeGreaterThanOrEqual(20)
    expect(r.stdout).toMatch(/integration disabled: \d+ of \d+ attempts in the window failed \(100 %\)/)
    expect(r.stdout).toMatch(/disabled after \d+ attempts, as expected\./)
    // The disable line follows the row of the attempt that tripped it (the 20th in the window); a row
    // after it can only be an attempt that was already in flight, and says so.
    const lines = r.stdout.split('\n')
    const at = lines.findIndex((l) => l.includes('integration disabled:'))
    const inWindow = Number(/of (\d+) attempts in the window/.exec(lines[at]!)![1])
    expect(attemptRows(lines.slice(0, at).join('\n'))).toHaveLength(inWindow)
    for (const later of attemptRows(lines.slice(at).join('\n'))) expect(later).toContain('(in flight when the integration was disabled)')
  })

  it('warns on stderr when the time scale makes the timeouts too short to honour, and still tells the story', async () => {
    const r = await runCli(['demo', '--time-scale', '0.0007', '--exit'], { timeoutMs: 30_000 })
    expect(r.stderr).toMatch(/warning: the request timeout is 10\.5 ms \(the profile's default x --time-scale 0\.0007\); below 50 ms/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stdout).toMatch(/Story over in .*: dropped after 17 attempts/)
  })

  it('rejects an unknown scenario and a bad time scale with exit 2', async () => {
    const a = await runCli(['demo', '--scenario', 'nope'])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/Allowed choices are retry, timeout, auto-disable, recovery/)
    const b = await runCli(['demo', '--time-scale', '0'])
    expect(b.code).toBe(2)
  })

  it('Ctrl-C closes the sender, receiver and page within a second', async () => {
    const child = spawn(process.execPath, [CLI_PATH, 'demo'], { stdio: ['ignore', 'pipe', 'pipe'] })
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    // Wait for the page URL and a few attempts (the retry story is then mid-way, with retries pending).
    const deadline = Date.now() + 15_000
    while (attemptRows(out).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const page = /page {5}(http:\/\/\S+)/.exec(out)?.[1]
    expect(page).toBeDefined()
    // A live page: an open SSE stream must not hold the shutdown up.
    const stream = await fetch(`${page}api/stream`)
    expect(stream.status).toBe(200)
    const started = Date.now()
    child.kill('SIGINT')
    const code = await exited
    const tookMs = Date.now() - started
    expect(code).toBe(0)
    expect(tookMs).toBeLessThan(1000)
    expect(out).toMatch(/Interrupted after \d+ attempts/)
    expect(out).toContain('Stopped: sender, receiver and page closed.')
    await expect(fetch(page!)).rejects.toThrow()
  })

  it('Ctrl-C with --exit exits 130: the story was cut short, so a script does not read it as told', async () => {
    const child = spawn(process.execPath, [CLI_PATH, 'demo', '--exit'], { stdio: ['ignore', 'pipe', 'pipe'] })
    onTestFinished(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    const deadline = Date.now() + 15_000
    while (attemptRows(out).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(attemptRows(out).length).toBeGreaterThanOrEqual(2)
    child.kill('SIGINT')
    expect(await exited).toBe(130)
    expect(out).toContain('Stopped: sender, receiver and page closed.')
  })
})
