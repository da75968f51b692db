// Ingest throughput and latency, side by side in one run: the real Fluentd (in_http over TLS, null
// output; only when FLUENTD_SRC is set, see bench/fluentd.mjs), a bare node:https server that parses
// the JSON and answers 200, and our receiver (by default with --journal and --validate warn; journal
// file and validation off/on on request). Keep-alive TLS 1.2, 10 and 50 connections, by default one
// Wallarm hit in a JSON array (`one`); also the hit as an object (`single`) and 20 hits (`array`).
// Load generator: wrk (a separate process, C) when installed, else bench/load-node.mjs (undici Pool,
// also a separate process). Each server runs in its own process. The ratio to bare is the figure
// that counts: absolute numbers drift on a shared machine.
// Usage: npm run build && node bench/ingest.mjs [seconds per cell, default 5]
// Env: BENCH_SERVERS=fluentd,bare,ours,ours+validate,ours+journal,ours+journal+validate,ours+journal+validate+workers2
//      BENCH_CONNS=10,50 BENCH_BODIES=one,single,array BENCH_LOAD=wrk|node
//      BENCH_JSON=<file> (write the results as JSON too) FLUENTD_SRC=<fluentd source> BENCH_FL_PORT=24880
//      A server kind `ours+journal+validate@DIR` runs that kind from another built checkout (before/after).
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { ensureCertificates } from '../dist/certs/index.js'
import { arrayBody, oneInArrayBody, singleBody } from './bodies.mjs'
import { startFluentd } from './fluentd.mjs'

const seconds = Number(process.argv[2] ?? 5)
const wanted = (process.env.BENCH_SERVERS ?? 'fluentd,bare,ours+journal+validate,ours+journal+validate+workers2').split(',')
const conns = (process.env.BENCH_CONNS ?? '10,50').split(',').map(Number)
const bodies = (process.env.BENCH_BODIES ?? 'one').split(',')
const hasWrk = spawnSync('wrk', ['--version']).error === undefined
const loadKind = process.env.BENCH_LOAD ?? (hasWrk ? 'wrk' : 'node')

const work = mkdtempSync(join(tmpdir(), 'ff-bench-'))
const certDir = join(work, 'certs')
await ensureCertificates({ certDir })
const bodyFiles = { one: join(work, 'one.json'), single: join(work, 'single.json'), array: join(work, 'array.json') }
writeFileSync(bodyFiles.one, oneInArrayBody)
writeFileSync(bodyFiles.single, singleBody)
writeFileSync(bodyFiles.array, arrayBody)
const fluentd = wanted.includes('fluentd') ? await startFluentd() : undefined
if (wanted.includes('fluentd') && !fluentd) console.log('(no FLUENTD_SRC: the real Fluentd is left out)')
const kinds = wanted.filter((k) => k !== 'fluentd' || fluentd)

async function startServer(kind) {
  if (kind === 'fluentd') return { child: { pid: fluentd.pid, kill: () => {} }, port: fluentd.port }
  // `ours+journal@DIR`: the same server from another built checkout (before/after in one run).
  const [name, checkout] = kind.split('@')
  const script = checkout ? join(checkout, 'bench/ingest-server.mjs') : new URL('./ingest-server.mjs', import.meta.url).pathname
  const child = spawn(process.execPath, [script, name, certDir, work], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const rl = createInterface({ input: child.stdout })
  const line = await new Promise((resolve, reject) => {
    rl.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`${kind} server exited ${code}`)))
  })
  return { child, port: JSON.parse(line).port }
}

/** Fields of /proc/PID/stat after the command name, or undefined. */
function statFields(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
  } catch {
    return undefined
  }
}

/** utime+stime in clock ticks (Linux) of a process and its children (the workers of +workersN), or undefined. */
function cpuTicks(pid) {
  const own = statFields(pid)
  if (!own) return undefined
  let ticks = Number(own[11]) + Number(own[12])
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === pid) continue
    const f = statFields(name)
    if (f && Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12])
  }
  return ticks
}

function toMs(text) {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text)
  if (!m) return NaN
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1)
}

function runProcess(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}: ${out}`))))
  })
}

async function load(port, connections, durationS, body) {
  const url = `https://127.0.0.1:${port}/wallarm`
  if (loadKind === 'wrk') {
    const out = await runProcess(
      'wrk',
      ['-t1', `-c${connections}`, `-d${durationS}s`, '--latency', '-s', new URL('./post.lua', import.meta.url).pathname, url],
      { BENCH_BODY: bodyFiles[body] },
    )
    const num = (re) => Number(re.exec(out)?.[1] ?? 0)
    const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
    return {
      rps: num(/Requests\/sec:\s+([\d.]+)/),
      non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
      errors: sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
      p50: toMs(/ 50%\s+(\S+)/.exec(out)?.[1] ?? ''),
      p99: toMs(/ 99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    }
  }
  const out = await runProcess(process.execPath, [
    new URL('./load-node.mjs', import.meta.url).pathname,
    url,
    String(connections),
    String(durationS * 1000),
    bodyFiles[body],
    join(certDir, 'ca.pem'),
  ])
  return JSON.parse(out.trim().split('\n').pop())
}

const ticksPerS = 100
const WARM_UP_S = 3
const sizes = { one: oneInArrayBody.length, single: singleBody.length, array: arrayBody.length }
console.log(
  `ingest bench: ${bodies.map((b) => `${b} (${sizes[b]} bytes)`).join(', ')}, ${conns.join('/')} connections, ` +
    `keep-alive TLS 1.2, ${seconds}s per cell (+${WARM_UP_S}s warm-up), load by ${loadKind === 'wrk' ? 'wrk -t1' : 'undici Pool child process'}`,
)
const results = []
for (const body of bodies) {
  for (const c of conns) {
    let bare
    let fl
    for (const kind of kinds) {
      const { child, port } = await startServer(kind)
      // Warm-up: a fresh server's first seconds run cold code (1,359 then 681 then 109 µs/request in
      // consecutive 2 s windows, bench/results.md); 3 s brings it to its steady cost.
      await load(port, c, WARM_UP_S, body)
      const t0 = cpuTicks(child.pid)
      const r = await load(port, c, seconds, body)
      const t1 = cpuTicks(child.pid)
      child.kill('SIGKILL')
      r.serverCpu = t0 === undefined || t1 === undefined ? undefined : (t1 - t0) / ticksPerS / seconds
      // Server CPU per request: robust to other load on the machine (throughput is not).
      r.cpuUsPerReq = r.serverCpu === undefined || r.rps === 0 ? undefined : (r.serverCpu * 1e6) / r.rps
      if (kind === 'bare') bare = r
      if (kind === 'fluentd') fl = r
      r.ratio = bare ? r.rps / bare.rps : undefined
      r.flRatio = fl ? r.rps / fl.rps : undefined
      r.cpuRatio = bare?.cpuUsPerReq && r.cpuUsPerReq ? bare.cpuUsPerReq / r.cpuUsPerReq : undefined
      results.push({ body, conns: c, kind, ...r })
      console.log(
        `${body.padEnd(6)} conns=${String(c).padEnd(3)} ${kind.padEnd(32)} ${r.rps.toFixed(0).padStart(7)} req/s` +
          `  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  non-2xx ${r.non2xx}  errors ${r.errors}` +
          (r.serverCpu === undefined ? '' : `  cpu ${(r.serverCpu * 100).toFixed(0)}% ${r.cpuUsPerReq.toFixed(0)} us/req`) +
          (r.ratio === undefined || kind === 'bare' ? '' : `  ratio ${r.ratio.toFixed(2)} (cpu/req ${r.cpuRatio?.toFixed(2) ?? '?'})`),
      )
    }
  }
}
await fluentd?.stop()
// The table (markdown): req/s and p99 side by side, with the ratios to Fluentd and to bare.
const fmt = (n) => Math.round(n).toLocaleString('en-US')
console.log(`\n| body | conns | server | req/s | p50 ms | p99 ms | cpu µs/req | ÷ Fluentd | ÷ bare |\n|---|---|---|---|---|---|---|---|---|`)
for (const r of results) {
  const ratio = (x, self) => (x === undefined || self ? '' : x.toFixed(2))
  console.log(
    `| ${r.body} | ${r.conns} | ${r.kind} | ${fmt(r.rps)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.cpuUsPerReq === undefined ? '' : fmt(r.cpuUsPerReq)} | ` +
      `${ratio(r.flRatio, r.kind === 'fluentd')} | ${ratio(r.ratio, r.kind === 'bare')} |` + (r.non2xx || r.errors ? ` non-2xx ${r.non2xx}, errors ${r.errors}` : ''),
  )
}
if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ loadKind, seconds, results }, null, 2))
rmSync(work, { recursive: true, force: true })
