#!/usr/bin/env node
// Loaded runs: the default conformance suite against the three correct senders (builtin,
// `send --contract` as a command, docs/examples/example-sender.mjs), round after round, while a
// busy loop keeps one core busy. Counts passes, failures (false failures: these senders are
// correct) and inconclusive results, and measures the yardstick: the reference sender's retries at
// time scale 0.01 from a fresh `send --contract` process (retry.cycle-1, deltas from the accept).
// Bounded: --runs N per sender (default 20) and --max-minutes M (default 60); stops by itself.
// Needs `npm run build`. Writes .tmp/loaded-runs.json.
//
//   node scripts/loaded-runs.mjs [--runs 20] [--max-minutes 60] [--no-busy] [--senders builtin,contract,example]
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const cli = `${root}dist/cli/main.js`
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : fallback
}
const runs = Number(arg('runs', '20'))
const maxMs = Number(arg('max-minutes', '60')) * 60_000
const busy = !process.argv.includes('--no-busy')
const wanted = arg('senders', 'builtin,contract,example').split(',')
const senders = [
  { name: 'builtin', args: ['--sender', 'builtin'] },
  { name: 'contract', args: ['--sender-cmd', `node "${cli}" send --contract`] },
  { name: 'example', args: ['--sender-cmd', `node "${root}docs/examples/example-sender.mjs"`] },
].filter((s) => wanted.includes(s.name))
mkdirSync(`${root}.tmp`, { recursive: true })
const tmp = `${root}.tmp/loaded-run.json`

let hog
if (busy) {
  hog = spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' })
  console.log(`busy loop started (pid ${hog.pid}) on a ${cpus().length}-core machine`)
}
const stopHog = () => {
  if (hog && hog.exitCode === null) hog.kill('SIGKILL')
}
process.on('exit', stopHog)
process.on('SIGINT', () => process.exit(130))

function suite(sender, extra = []) {
  const t0 = Date.now()
  const load = loadavg()[0]
  const r = spawnSync(process.execPath, [cli, 'conformance', ...sender.args, '--quiet', '--json', tmp, '--cert-dir', `${root}.tmp/certs`, ...extra], { encoding: 'utf8', timeout: 300_000 })
  let report
  try {
    report = JSON.parse(readFileSync(tmp, 'utf8'))
  } catch {
    return { ok: false, error: `no report (exit ${r.status}): ${r.stderr.slice(-400)}`, seconds: (Date.now() - t0) / 1000, load }
  }
  const bad = report.results.filter((x) => x.status !== 'passed' && x.status !== 'skipped')
  return {
    ok: bad.length === 0,
    seconds: report.durationMs / 1000,
    load,
    totals: report.totals,
    precision: report.precision,
    bad: bad.map((x) => ({ id: x.id, status: x.status, message: (x.message ?? '').split('\n').slice(0, 3).join(' | ') })),
    timelines: report.results.filter((x) => x.timeline).map((x) => ({ id: x.id, deltas: deltas(x.timeline) })),
  }
}

/** Wallarm's intervals, ms at scale 1, in order. */
const INTERVALS = [1, 3, 5, 10, 10, 0, 1, 3, 5, 30, 60, 60, 180, 300, 600, 1800].map((s) => s * 1000)

/**
 * Every retry of a scenario, from its JSON journal: (accept of the retry's connection - end of the
 * previous answer of the same delivery) - the planned interval, ms. In journal order, so the first
 * value is the first retry the sender process ever made.
 */
function retryLateness(result, scale) {
  const byKey = new Map()
  const out = []
  for (const e of [...result.journal].sort((a, b) => a.id - b.id)) {
    if (e.kind !== 'request' || e.deliveryKey === undefined) continue
    const prev = byKey.get(e.deliveryKey)
    byKey.set(e.deliveryKey, { end: e.endedMono, n: (prev?.n ?? 0) + 1 })
    if (!prev || prev.end === undefined) continue
    const start = e.requestOnConnection === 1 && e.connectedMono !== undefined ? e.connectedMono : e.receivedMono
    out.push(start - prev.end - INTERVALS[prev.n - 1] * scale)
  }
  return out
}

/** The delta column (observed - expected, ms) of a timeline table. */
function deltas(timeline) {
  return timeline
    .split('\n')
    .filter((l) => /^\d+ +\|/.test(l))
    .map((l) => l.split('|')[3].trim())
    .filter((d) => d !== '')
    .map(Number)
}

const started = Date.now()
const results = Object.fromEntries(senders.map((s) => [s.name, []]))
const yardstick = []
for (let round = 1; round <= runs && Date.now() - started < maxMs; round++) {
  for (const s of senders) {
    if (Date.now() - started >= maxMs) break
    const r = suite(s)
    results[s.name].push(r)
    console.log(`round ${round} ${s.name}: ${r.ok ? 'pass' : 'NOT PASSED'} in ${r.seconds.toFixed(1)} s (load ${r.load.toFixed(1)})${r.ok ? '' : ` ${JSON.stringify(r.bad ?? r.error)}`}`)
  }
  if (Date.now() - started < maxMs && senders.some((s) => s.name === 'contract')) {
    suite(senders.find((s) => s.name === 'contract'), ['--scenarios', 'retry.cycle-1', '--time-scale', '0.01'])
    const d = retryLateness(JSON.parse(readFileSync(tmp, 'utf8')).results[0], 0.01)
    yardstick.push({ first: d[0], max: Math.max(...d), deltas: d })
    console.log(`round ${round} yardstick (fresh send --contract, scale 0.01, ms from plan, accept-measured; the first is the process's first retry): ${d.map((x) => x.toFixed(1)).join(' ')}`)
  }
}
stopHog()

const summary = Object.fromEntries(
  Object.entries(results).map(([name, rs]) => [
    name,
    {
      runs: rs.length,
      passed: rs.filter((r) => r.ok).length,
      failed: rs.filter((r) => r.bad?.some((b) => b.status === 'failed' || b.status === 'error') || r.error).length,
      inconclusive: rs.filter((r) => r.bad?.some((b) => b.status === 'inconclusive')).length,
      seconds: { min: Math.min(...rs.map((r) => r.seconds)), max: Math.max(...rs.map((r) => r.seconds)) },
      load: { min: Math.min(...rs.map((r) => r.load)), max: Math.max(...rs.map((r) => r.load)) },
      notPassed: rs.flatMap((r) => r.bad ?? [{ id: '-', status: 'error', message: r.error }]),
    },
  ]),
)
const firsts = yardstick.map((y) => y.first).filter((x) => Number.isFinite(x))
const allDeltas = yardstick.flatMap((y) => y.deltas)
const out = {
  when: new Date().toISOString(),
  busyLoop: busy,
  cores: cpus().length,
  summary,
  yardstick: {
    runs: yardstick.length,
    firstRetryLateMs: firsts,
    within5ms: `${allDeltas.filter((d) => Math.abs(d) <= 5).length} of ${allDeltas.length} retries`,
    maxLateMs: Math.max(...allDeltas),
  },
  precision: Object.fromEntries(Object.entries(results).map(([n, rs]) => [n, rs.map((r) => r.precision)])),
}
writeFileSync(`${root}.tmp/loaded-runs.json`, `${JSON.stringify(out, null, 2)}\n`)
console.log(JSON.stringify({ summary: Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, { runs: v.runs, passed: v.passed, failed: v.failed, inconclusive: v.inconclusive, seconds: v.seconds, load: v.load }])), yardstick: out.yardstick }, null, 2))
