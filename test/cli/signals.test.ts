/**
 * Stopping `serve` when a supervisor signals only the process it started: `npm start` (npm runs the
 * script through `sh -c`; the script `exec`s node so that npm's forwarded signal reaches the server).
 * Real child processes in their own process group, removed by group when the test ends.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, onTestFinished } from 'vitest'

const root = fileURLToPath(new URL('../../', import.meta.url))

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** Starts `command` in a process group of its own; resolves once serve's ready line is out. */
function startGroup(command: string, args: string[], cwd: string): Promise<{ pid: number; stderr: () => string; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
    const pid = child.pid!
    onTestFinished(() => {
      if (groupAlive(pid)) process.kill(-pid, 'SIGKILL')
    })
    let stderr = ''
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)))
    const timer = setTimeout(() => reject(new Error(`not ready within 30 s:\n${stderr}`)), 30_000)
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (/^fake-fluentd ready /m.test(stderr)) {
        clearTimeout(timer)
        resolve({ pid, stderr: () => stderr, exited })
      }
    })
  })
}

describe.skipIf(process.platform === 'win32')('signals reach serve through npm', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`npm start: ${signal} sent to the npm process alone stops the server, and nothing is left running`, async () => {
      const certDir = mkdtempSync(join(tmpdir(), 'ff-sig-'))
      const npm = await startGroup('npm', ['start', '--silent', '--', '--port', '0', '--admin-port', '0', '--cert-dir', certDir], root)
      process.kill(npm.pid, signal)
      const bounded = new Promise<'still running'>((res) => setTimeout(() => res('still running'), 10_000).unref())
      const code = await Promise.race([npm.exited, bounded])
      expect(code, npm.stderr()).toBe(0)
      expect(npm.stderr()).toContain(`fake-fluentd: ${signal}, stopping`)
      // npm, its shell and the server: the whole group is gone.
      expect(groupAlive(npm.pid)).toBe(false)
    }, 45_000)
  }
})
