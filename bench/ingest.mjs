// Ingest throughput: our receiver vs a bare node:https server that parses the JSON and answers 200,
// side by side in one run. Keep-alive TLS, a ~650-byte Wallarm hit as a JSON object, 10 and 50
// connections, an undici Pool as the load generator (in this process; each server in its own).
// Usage: npm run build && node bench/ingest.mjs [seconds per cell, default 5]
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { Pool } from 'undici'
import { ensureCertificates } from '../dist/certs/index.js'

const seconds = Number(process.argv[2] ?? 5)
const kinds = (process.env.BENCH_SERVERS ?? 'bare,ours').split(',')
const conns = (process.env.BENCH_CONNS ?? '10,50').split(',').map(Number)

const hit = JSON.stringify({
  summary: '[Wallarm] New hit detected',
  description: 'Notification about newly detected hit',
  details: {
    client_name: 'TestCompany',
    cloud: 'EU',
    notification_type: 'new_hits',
    hit: {
      domain: 'www.example.com',
      method: 'POST',
      parameter: 'SOME_value',
      path: '/news/some_path',
      payloads: ['say ni'],
      point: ['post'],
      probability: 0.01,
      remote_country: 'PL',
      remote_port: 0,
      remote_addr4: '8.8.8.8',
      tor: 'none',
      request_time: 1603834606,
      create_time: 1603834606,
      response_len: 14,
      response_status: 200,
      response_time: 5,
      stamps: [1111],
      regex: [],
      stamps_hash: -22222,
      attack_type: 'redir',
      block_status: 'monitored',
      id: ['hits_production_999_202010_v_1', 'c2dd33831a13be0d_AC9'],
      object_type: 'hit',
      anomaly: 0,
    },
  },
})

const certDir = mkdtempSync(join(tmpdir(), 'ff-bench-'))
await ensureCertificates({ certDir })
const ca = readFileSync(join(certDir, 'ca.pem'), 'utf8')

async function startServer(kind) {
  const child = spawn(process.execPath, [new URL('./ingest-server.mjs', import.meta.url).pathname, kind, certDir], { stdio: ['ignore', 'pipe', 'inherit'] })
  const rl = createInterface({ input: child.stdout })
  const line = await new Promise((resolve, reject) => {
    rl.once('line', resolve)
    child.once('exit', (code) => reject(new Error(`${kind} server exited ${code}`)))
  })
  return { child, port: JSON.parse(line).port }
}

async function load(port, connections, durationMs) {
  const pool = new Pool(`https://localhost:${port}`, { connections, pipelining: 1, connect: { ca } })
  let count = 0
  let errors = 0
  const latencies = []
  const end = performance.now() + durationMs
  async function worker() {
    while (performance.now() < end) {
      const t0 = performance.now()
      try {
        const res = await pool.request({ path: '/wallarm', method: 'POST', body: hit, headers: { 'content-type': 'application/json' } })
        await res.body.dump()
        if (res.statusCode !== 200) errors++
        count++
        if ((count & 7) === 0) latencies.push(performance.now() - t0)
      } catch {
        errors++
      }
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: connections }, worker))
  const elapsed = performance.now() - t0
  await pool.close()
  latencies.sort((a, b) => a - b)
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return { rps: count / (elapsed / 1000), errors, p50: p(0.5), p99: p(0.99) }
}

console.log(`ingest bench: ${hit.length}-byte hit, keep-alive TLS, ${seconds}s per cell (+1s warm-up), undici Pool`)
const results = {}
for (const c of conns) {
  for (const kind of kinds) {
    const { child, port } = await startServer(kind)
    await load(port, c, 1000)
    const r = await load(port, c, seconds * 1000)
    child.kill('SIGKILL')
    results[`${kind}/${c}`] = r
    console.log(`${kind.padEnd(14)} conns=${String(c).padEnd(3)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  errors ${r.errors}`)
  }
  const bare = results[`bare/${c}`]
  for (const kind of kinds.filter((k) => k !== 'bare')) {
    const ours = results[`${kind}/${c}`]
    if (bare && ours) console.log(`  ratio ${kind}/bare at ${c} connections: ${(ours.rps / bare.rps).toFixed(2)}`)
  }
}
