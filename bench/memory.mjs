// Memory after 1 million journaled events with the default journal bound (10,000 entries in memory),
// journal file and validation on (after a full GC, and the peak RSS under load), and the journal file's
// bytes per request against the body: 50,000 requests of 20-notification arrays over 50 keep-alive TLS
// connections (undici Pool in this process; the server in its own, started with --expose-gc).
// Usage: npm run build && node bench/memory.mjs [events, default 1000000]
import { spawn } from 'node:child_process'
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Pool } from 'undici'
import { ensureCertificates } from '../dist/certs/index.js'
import { arrayBody } from './bodies.mjs'

const events = Number(process.argv[2] ?? 1_000_000)
const perRequest = 20
const work = mkdtempSync(join(tmpdir(), 'ff-bench-mem-'))
const certDir = join(work, 'certs')
await ensureCertificates({ certDir })
const kind = process.env.BENCH_KIND ?? 'ours+journal+validate'
const child = spawn(process.execPath, ['--expose-gc', new URL('./ingest-server.mjs', import.meta.url).pathname, kind, certDir, work], {
  stdio: ['pipe', 'pipe', 'inherit'],
})
const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
const next = async () => JSON.parse((await lines.next()).value)
const { port } = await next()
const mem = async () => {
  child.stdin.write('mem\n')
  return next()
}
const mb = (b) => (b / 1024 / 1024).toFixed(0)
const show = (label, m) => console.log(`${label.padEnd(34)} rss ${mb(m.rss)} MiB  heapUsed ${mb(m.heapUsed)} MiB  heapTotal ${mb(m.heapTotal)} MiB  external ${mb(m.external)} MiB`)
show('at start', await mem())

const pool = new Pool(`https://127.0.0.1:${port}`, { connections: 50, connect: { ca: readFileSync(join(certDir, 'ca.pem'), 'utf8') } })
const requests = Math.ceil(events / perRequest)
let sent = 0
let ok = 0
let failed = 0
const t0 = performance.now()
let marks = [0.1, 0.5]
async function worker() {
  while (sent < requests) {
    sent++
    try {
      const res = await pool.request({ path: '/wallarm', method: 'POST', body: arrayBody, headers: { 'content-type': 'application/json' } })
      await res.body.dump()
      if (res.statusCode === 200) ok++
    } catch {
      // A connection cut under load (counted, the run goes on).
      failed++
    }
  }
}
const progress = setInterval(async () => {
  if (marks.length && ok >= marks[0] * requests) {
    const f = marks.shift()
    show(`after ${(f * events).toLocaleString('en')} events`, await mem())
  }
}, 500)
await Promise.all(Array.from({ length: 50 }, worker))
clearInterval(progress)
const s = (performance.now() - t0) / 1000
await pool.close()
show(`after ${(ok * perRequest).toLocaleString('en')} events`, await mem())
const file = join(work, `${kind}-${child.pid}.ndjson`)
let newlines = 0
for await (const chunk of createReadStream(file)) for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) newlines++
console.log(`${ok} requests (${ok * perRequest} events) answered 200 (${failed} failed) in ${s.toFixed(1)} s (${((ok * perRequest) / s).toFixed(0)} events/s); journal file ${mb(statSync(file).size)} MiB, ${newlines} lines`)
// Peak RSS under load (no forced GC), and the journal line against the body it records.
const peak = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]
if (peak) console.log(`peak RSS under load ${mb(Number(peak) * 1024)} MiB`)
console.log(`journal file per request ${(statSync(file).size / newlines).toFixed(0)} bytes for a ${arrayBody.length}-byte body (${(statSync(file).size / newlines / arrayBody.length).toFixed(2)}x)`)
child.kill('SIGKILL')
rmSync(work, { recursive: true, force: true })
