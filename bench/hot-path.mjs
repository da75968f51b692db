// The receiver's own work per request, in process and without sockets: what `serve --journal
// --validate warn` does between node's HTTP parser and the answer's write (journal entry on arrival,
// delivery key and attempt, parse, validate, the journal line and its batched file write), for one
// Wallarm hit in a JSON array. CPU time per request, the least of several rounds: less noisy than
// req/s on a shared machine, so one step of an optimisation can be measured on its own.
// Usage: npm run build && node bench/hot-path.mjs [requests per round, default 20000] [rounds, default 5]
import { hash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDeliveryTracker } from '../dist/deliveries/index.js'
import { createJournal } from '../dist/journal/index.js'
import { parseRequestBody } from '../dist/receiver/parse-body.js'
import { createValidator, validateAllSliced } from '../dist/validation/index.js'
import { oneInArrayBody } from './bodies.mjs'

const perRound = Number(process.argv[2] ?? 20_000)
const rounds = Number(process.argv[3] ?? 5)
const work = mkdtempSync(join(tmpdir(), 'ff-hot-'))
const journal = createJournal({ file: join(work, 'j.ndjson'), ...(process.env.HOT_MAX ? { max: Number(process.env.HOT_MAX) } : {}) })
const validator = createValidator()
const tracker = createDeliveryTracker()
const body = Buffer.from(oneInArrayBody)
const headers = { host: '127.0.0.1:9880', 'content-type': 'application/json', 'content-length': String(body.length) }
const tls = { protocol: 'TLSv1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', servername: undefined, alpn: false }

/** One request through the journal, the tracker, the parser, the validator and the file line. */
async function one(i) {
  const entry = journal.add({
    kind: 'request', receivedAt: Date.now(), connectionId: 1 + (i % 50), remoteAddress: '127.0.0.1', remotePort: 40000 + (i % 50), tls,
    method: 'POST', url: '/wallarm', path: '/wallarm', tag: 'wallarm', httpVersion: '1.1', headers, contentType: headers['content-type'],
    connectedMono: 0, requestOnConnection: i,
  })
  const ticket = tracker.begin(`wallarm#${hash('sha1', body, 'base64url')}`)
  journal.update(entry, { bodySize: body.length, body: body.toString('utf8'), deliveryKey: ticket.deliveryKey, attempt: ticket.attempt })
  const parsed = await parseRequestBody({ contentType: headers['content-type'], query: undefined, body, bodyText: entry.body, arrivalTime: Date.now() / 1000 })
  const verdicts = await validateAllSliced(validator, parsed.events.map((e) => e.record))
  journal.update(entry, { verdicts })
  await new Promise((resolve) => journal.completeThen(entry, { status: 200, outcome: 'answered', events: parsed.events, bodyInEvents: true }, resolve, () => true))
  tracker.end(ticket, true)
}

const results = []
for (let r = 0; r < rounds + 1; r++) {
  const c0 = process.cpuUsage()
  // 50 in flight at a time, as 50 connections would be.
  for (let i = 0; i < perRound; i += 50) await Promise.all(Array.from({ length: 50 }, (_, k) => one(r * perRound + i + k)))
  const c = process.cpuUsage(c0)
  if (r > 0) results.push((c.user + c.system) / perRound) // round 0 warms up (JIT, schema compile)
}
journal.close()
rmSync(work, { recursive: true, force: true })
const sorted = [...results].sort((a, b) => a - b)
console.log(`hot path: ${sorted[0].toFixed(1)} µs/request at best, median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} (${rounds} rounds of ${perRound}; load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`)
