/**
 * The sender-side probe (lag-probe.ts startRunQueueProbe) against real load: busy loops pinned to
 * the core of a sender-like process (a timer loop started through `sh -c`, as --sender-cmd does).
 * The probe reads how long the process tree waited for a CPU: it sees the load the sender suffers;
 * a process that sleeps through the same load (as a sender with too long an interval does) accrues
 * nothing, so the figure cannot excuse a wrong schedule.
 * @see issue 22 (item 13)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { describe, expect, it, onTestFinished } from 'vitest'
import { maxLag, startRunQueueProbe } from '../../../src/conformance/lag-probe.js'

const LOAD_MS = 2000
const usable = process.platform === 'linux' && existsSync('/proc/self/schedstat') && spawnSync('taskset', ['-V']).status === 0

/** A process on core 0, through a shell (not exec'd: the probe must follow the tree), killed when the test ends. */
function onCore0(script: string): ChildProcess {
  const child = spawn('sh', ['-c', `taskset -c 0 ${process.execPath} -e '${script}'; true`], { stdio: 'ignore', detached: true })
  onTestFinished(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // ended
    }
  })
  return child
}

describe.runIf(usable)('sender-side run-queue probe', () => {
  it('measures the CPU wait of a loaded sender-like process, and none for one that sleeps through the load', async () => {
    // Sender-like: every 100 ms it wakes and does 15 ms of CPU work (an attempt: TLS, a request,
    // the answer), for LOAD_MS + 2 s.
    const sender = onCore0(`const end = Date.now() + ${LOAD_MS + 2000}; const t = setInterval(() => { const c = process.cpuUsage(); while (process.cpuUsage(c).user + process.cpuUsage(c).system < 15000) {} if (Date.now() > end) clearInterval(t) }, 100)`)
    // Asleep for the whole time (a sender whose interval is too long does nothing while it waits).
    const sleeper = onCore0(`setTimeout(() => {}, ${LOAD_MS + 2000})`)
    await new Promise((r) => setTimeout(r, 1000)) // both started and booted (on a busy machine too)
    const probe = startRunQueueProbe(sender.pid!)
    const quiet = startRunQueueProbe(sleeper.pid!)
    onTestFinished(() => { probe.stop(); quiet.stop() })
    const from = performance.now()
    // Three busy loops on the same core, each ending by itself.
    const hogs = [0, 1, 2].map(() => onCore0(`const end = Date.now() + ${LOAD_MS}; while (Date.now() < end) {}`))
    await Promise.all(hogs.map((h) => once(h, 'exit')))
    const to = performance.now()
    probe.stop()
    quiet.stop()
    const loaded = maxLag(probe.samples(), from, to + 50)
    const asleep = maxLag(quiet.samples(), from, to + 50)
    // Four processes runnable on one core: 15 ms of work take about four times as long, most of
    // it spent waiting for the CPU (measured: a 248 ms stall; the sleeper 0).
    expect(loaded, `sender-like ${loaded} ms, sleeper ${asleep} ms`).toBeGreaterThanOrEqual(20)
    // What is left for the sleeper is noise (its own boot finishing on a busy machine), far below.
    expect(asleep, `sleeper ${asleep} ms`).toBeLessThan(Math.max(5, loaded / 10))
  }, 15_000)

  it('reports nothing for a process it cannot read', () => {
    const probe = startRunQueueProbe(2 ** 22 + 12345)
    expect(probe.samples()).toEqual([])
    probe.stop()
  })
})
