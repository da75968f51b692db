// Fallback load generator for bench/ingest.mjs when wrk is not installed: a separate process with an
// undici Pool (keep-alive, one request in flight per connection). Prints one JSON result line.
// Usage: node bench/load-node.mjs <url> <connections> <durationMs> <bodyFile> <caFile>
import { readFileSync } from 'node:fs'
import { Pool } from 'undici'

const [url, connArg, durArg, bodyFile, caFile] = process.argv.slice(2)
const connections = Number(connArg)
const durationMs = Number(durArg)
const body = readFileSync(bodyFile)
const pool = new Pool(new URL(url).origin, { connections, pipelining: 1, connect: { ca: readFileSync(caFile, 'utf8') } })
const path = new URL(url).pathname
let count = 0
let non2xx = 0
let errors = 0
const latencies = []
const end = performance.now() + durationMs
async function worker() {
  while (performance.now() < end) {
    const t0 = performance.now()
    try {
      const res = await pool.request({ path, method: 'POST', body, headers: { 'content-type': 'application/json' } })
      await res.body.dump()
      if (res.statusCode < 200 || res.statusCode > 299) non2xx++
      count++
      latencies.push(performance.now() - t0)
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
console.log(JSON.stringify({ rps: count / (elapsed / 1000), requests: count, non2xx, errors, p50: p(0.5), p99: p(0.99) }))
