// Child process for bench/ingest.mjs: starts one server on 127.0.0.1:0 and prints {"port":N} when
// ready. Kinds: `bare` (node:https that parses the JSON and answers 200) or `ours[+journal][+validate]`
// (startReceiver with --output none; +journal appends to an NDJSON file, +validate = validation warn,
// +workersN = N processes on the port, node:cluster, as `serve --workers N`).
// Requires `npm run build`. Usage: node bench/ingest-server.mjs <kind> <certDir> [journalDir]
import { createServer } from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const [kind, certDir, journalDir] = process.argv.slice(2)
const cert = readFileSync(`${certDir}/server.pem`, 'utf8')
const key = readFileSync(`${certDir}/server-key.pem`, 'utf8')
const ca = readFileSync(`${certDir}/ca.pem`, 'utf8')
// A clean exit on SIGTERM so `node --cpu-prof bench/ingest-server.mjs ...` writes its profile.
process.on('SIGTERM', () => process.exit(0))
// `mem` on stdin: print memory use as one JSON line (after a full GC when run with --expose-gc).
process.stdin.setEncoding('utf8').on('data', (text) => {
  if (!text.includes('mem')) return
  globalThis.gc?.()
  const m = process.memoryUsage()
  console.log(JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers }))
})
process.stdin.unref?.()

if (kind === 'bare') {
  // The reference: parse the JSON, answer 200 with an empty body. Nothing else. TLS 1.2 as ours.
  const server = createServer({ cert, key, keepAliveTimeout: 10_000, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, (req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      try {
        JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        // ignore
      }
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': '0' })
      res.end()
    })
  })
  server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
} else {
  const parts = new Set(kind.split('+'))
  const workers = Number(/\+workers(\d+)/.exec(kind)?.[1] ?? 1)
  const { startReceiver } = await import('../dist/index.js')
  const validate = parts.has('validate')
  const validator = validate ? (await import('../dist/validation/index.js')).createValidator() : undefined
  const journalFile = parts.has('journal') ? join(journalDir, `${kind}-${process.pid}.ndjson`) : undefined
  const r = await startReceiver({
    port: 0,
    tls: { cert, key, ca },
    output: 'none',
    validate: validate ? 'warn' : 'off',
    validator,
    journalFile,
    ...(workers > 1 ? { workers, faults: false } : {}),
    onError: (err) => console.error('bench server internal error:', err),
  })
  console.log(JSON.stringify({ port: r.port }))
}
