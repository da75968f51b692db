#!/usr/bin/env node
// Issue 19 item 7b: RSS of `serve` while it receives many requests, each with its own long tag (the
// per-tag delivery state once grew ~20 MB per 1,000 such requests). Bounded: stops after --requests
// or --max-seconds, whichever comes first, and stops the server. Prints one JSON object.
//
//   node scripts/tag-state-rss.mjs [--cli dist/cli/main.js] [--requests 95000] [--tag-bytes 15360]
//     [--connections 8] [--max-seconds 300] [-- extra serve flags]
//
// --cli may name another build (e.g. an old commit built in a temporary worktree) to compare.
import { readFileSync } from 'node:fs'
import { Pool } from 'undici'
import { countArg, probeArgs, startServe } from './probe-tools.mjs'

const NAME = 'tag-state-rss'
const USAGE = 'usage: tag-state-rss.mjs [--cli dist/cli/main.js] [--requests 95000] [--tag-bytes 15360] [--connections 8] [--max-seconds 300] [-- serve flags]'
const { values, positionals: serveExtra, cli } = probeArgs(NAME, USAGE, { requests: '95000', 'tag-bytes': '15360', connections: '8', 'max-seconds': '300' }, true)
const requests = countArg(NAME, values, 'requests')
const tagBytes = countArg(NAME, values, 'tag-bytes')
const connections = countArg(NAME, values, 'connections')
const maxMs = countArg(NAME, values, 'max-seconds') * 1000

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

const { child, ingest } = await startServe(NAME, cli, ['--admin-port', '0', ...serveExtra])
const pid = child.pid
const before = rssMiB(pid)
const pool = new Pool(ingest, { connections, pipelining: 1 })
const statuses = {}
const samples = []
let next = 0
let sent = 0
const started = performance.now()
const padding = 'x'.repeat(tagBytes)
async function worker() {
  while (next < requests && performance.now() - started < maxMs) {
    const i = next++
    // Distinct tags of tagBytes characters: the number first, so no two share a prefix of any length.
    const tag = `${i}.${padding}`.slice(0, tagBytes)
    try {
      const res = await pool.request({ path: `/${tag}`, method: 'POST', body: `{"i":${i}}`, headers: { 'content-type': 'application/json' } })
      await res.body.dump()
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
    } catch (err) {
      statuses[err.code ?? 'error'] = (statuses[err.code ?? 'error'] ?? 0) + 1
    }
    sent++
    if (sent % 1000 === 0) samples.push({ sent, rssMiB: Math.round(rssMiB(pid)) })
  }
}
await Promise.all(Array.from({ length: connections }, worker))
const seconds = (performance.now() - started) / 1000
await new Promise((r) => setTimeout(r, 1000))
const after = rssMiB(pid)
await pool.close()
child.kill('SIGTERM')
await new Promise((r) => child.once('exit', r))
const max = Math.max(before, after, ...samples.map((s) => s.rssMiB))
const step = Math.max(1, Math.floor(samples.length / 10))
console.log(JSON.stringify({
  cli, serveFlags: serveExtra, requests: sent, tagBytes, connections, seconds: Math.round(seconds),
  statuses, rssMiB: { before: Math.round(before), max: Math.round(max), after: Math.round(after) },
  growthMiBPer1000: sent >= 1000 ? Math.round(((after - before) / sent) * 1000 * 10) / 10 : null,
  samples: samples.filter((_, i) => i % step === 0 || i === samples.length - 1),
}))
