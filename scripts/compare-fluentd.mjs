#!/usr/bin/env node
// Differential probes: sends the same raw requests to two in_http endpoints (for example the real
// Fluentd and fake-fluentd) and compares what comes back, byte for byte: status line, header names,
// order and values, body, and how the connection ends. With --a-log/--b-log it also compares the
// lines each server printed for the probe (timestamps masked).
//
//   node scripts/compare-fluentd.mjs --a https://127.0.0.1:9880 --a-ca fluentd.pem \
//        --b https://127.0.0.1:9890 --b-ca certs/ca.pem [--a-log FILE] [--b-log FILE] [--json]
//
// Exit code: 0 when every probe matches, 1 when some differ, 2 on bad arguments.
// The probe list is in scripts/fluentd-probes.mjs. Only loopback addresses are accepted.
import { readFileSync, statSync, openSync, readSync, closeSync } from 'node:fs'
import { connect as tlsConnect } from 'node:tls'
import { connect as netConnect } from 'node:net'
import { parseArgs } from 'node:util'
import { probes } from './fluentd-probes.mjs'

const USAGE = 'usage: compare-fluentd.mjs --a URL --b URL [--a-ca PEM] [--b-ca PEM] [--a-log FILE] [--b-log FILE] [--only SUBSTR] [--json] [--wait-ms N]\n'

/** A usage error: one line and the usage, exit 2 (never a stack trace). */
function fail(message) {
  process.stderr.write(`compare-fluentd: ${message}\n${USAGE}`)
  process.exit(2)
}

let args
try {
  ;({ values: args } = parseArgs({
    options: {
      a: { type: 'string' }, b: { type: 'string' },
      'a-ca': { type: 'string' }, 'b-ca': { type: 'string' },
      'a-log': { type: 'string' }, 'b-log': { type: 'string' },
      only: { type: 'string' }, json: { type: 'boolean', default: false },
      'wait-ms': { type: 'string', default: '400' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }))
} catch (err) {
  fail(err.message)
}
if (args.help) {
  process.stdout.write(USAGE + 'Sends the same raw probes to two in_http endpoints (loopback only) and compares the answers; exit 0 all same, 1 any differ, 2 bad arguments.\n')
  process.exit(0)
}
if (!args.a || !args.b) fail('--a and --b are required')
if (!/^\d+$/.test(args['wait-ms'])) fail(`--wait-ms ${args['wait-ms']}: use a whole number of milliseconds`)
for (const flag of ['a-ca', 'b-ca', 'a-log', 'b-log']) {
  const file = args[flag]
  if (file === undefined) continue
  try {
    statSync(file)
  } catch (err) {
    fail(`--${flag} ${file}: cannot read it (${err.code ?? 'error'})`)
  }
}
const waitMs = Number(args['wait-ms'])
const loopback = (h) => h === 'localhost' || h.startsWith('127.') || h === '[::1]' || h === '::1'

function target(url, caFile, flag) {
  let u
  try {
    u = new URL(url)
  } catch {
    fail(`--${flag} ${url}: not a URL; give one such as https://127.0.0.1:9880`)
  }
  if (!loopback(u.hostname)) {
    process.stderr.write(`--a/--b must be loopback addresses, got ${u.hostname}\n`)
    process.exit(2)
  }
  return { tls: u.protocol === 'https:', host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port), ca: caFile ? readFileSync(caFile, 'utf8') : undefined }
}

/** Sends the parts of one probe on one connection; resolves with the bytes and the ending. */
function exchange(t, probe) {
  return new Promise((resolve) => {
    const chunks = []
    let done = false
    let timer
    const finish = (ending) => {
      if (done) return
      done = true
      clearTimeout(timer)
      // A polite end (TLS close_notify) so that servers do not log an unexpected EOF.
      sock.end()
      setTimeout(() => sock.destroy(), 100).unref()
      resolve({ bytes: Buffer.concat(chunks), ending })
    }
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => finish('open'), waitMs)
    }
    const start = async () => {
      for (const part of probe.parts) {
        if (done) return
        if (part === 'CLOSE') {
          sock.end()
          continue
        }
        sock.write(part)
        if (probe.gapMs) await new Promise((r) => setTimeout(r, probe.gapMs))
      }
      arm()
    }
    const opts = { host: t.host, port: t.port }
    const sock = t.tls
      ? tlsConnect({ ...opts, ca: t.ca, servername: 'localhost', rejectUnauthorized: Boolean(t.ca), ALPNProtocols: probe.alpn }, () => void start())
      : netConnect(opts, () => void start())
    sock.on('data', (d) => {
      chunks.push(d)
      arm()
    })
    sock.on('end', () => finish('closed'))
    sock.on('close', () => finish('closed'))
    sock.on('error', (err) => finish(err.code === 'ECONNRESET' ? 'closed' : `error:${err.code ?? err.message}`))
    timer = setTimeout(() => finish('open'), 5000)
  })
}

/** Splits an answer into comparable parts; dates and time-dependent values are masked. */
function describe(bytes) {
  const text = bytes.toString('latin1')
  const answers = []
  let rest = text
  while (rest.startsWith('HTTP/')) {
    const end = rest.indexOf('\r\n\r\n')
    if (end < 0) break
    const head = rest.slice(0, end).split('\r\n')
    const len = Number((head.find((h) => /^content-length:/i.test(h)) ?? 'x: 0').split(':')[1])
    const body = rest.slice(end + 4, end + 4 + (Number.isFinite(len) ? len : 0))
    answers.push({ status: head[0], headers: head.slice(1).map((h) => (/^date:/i.test(h) ? 'Date: <masked>' : h)), body })
    rest = rest.slice(end + 4 + body.length)
  }
  if (rest.length > 0) answers.push({ raw: rest.slice(0, 200) })
  return answers
}

function logSize(file) {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

function newLines(file, from) {
  if (!file) return []
  const size = logSize(file)
  if (size <= from) return []
  const fd = openSync(file, 'r')
  const buf = Buffer.alloc(size - from)
  readSync(fd, buf, 0, buf.length, from)
  closeSync(fd)
  return buf
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !/\bfluent\.(info|warn|error|debug)\b/.test(l))
    .map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4}/, '<time>').replace(/"time":[0-9.]+/g, '"time":<t>'))
}

async function run(t, logFile, probe) {
  const before = logSize(logFile)
  const res = await exchange(t, probe)
  await new Promise((r) => setTimeout(r, 150))
  return { answers: describe(res.bytes), ending: res.ending, log: newLines(logFile, before) }
}

const A = target(args.a, args['a-ca'], 'a')
const B = target(args.b, args['b-ca'], 'b')
const rows = []
for (const probe of probes) {
  if (args.only && !probe.name.includes(args.only)) continue
  const a = await run(A, args['a-log'], probe)
  const b = await run(B, args['b-log'], probe)
  const diffs = []
  if (JSON.stringify(a.answers) !== JSON.stringify(b.answers)) diffs.push('answer')
  if (a.ending !== b.ending) diffs.push('ending')
  if ((args['a-log'] || args['b-log']) && JSON.stringify(a.log) !== JSON.stringify(b.log)) diffs.push('log')
  rows.push({ name: probe.name, same: diffs.length === 0, diffs, a, b })
}

if (args.json) {
  process.stdout.write(JSON.stringify(rows, null, 2) + '\n')
} else {
  for (const r of rows) {
    process.stdout.write(`${r.same ? 'same' : 'DIFF'}  ${r.name}${r.same ? '' : `  (${r.diffs.join(', ')})`}\n`)
    if (r.same) continue
    for (const d of r.diffs) {
      const pick = (x) => (d === 'answer' ? x.answers : d === 'ending' ? x.ending : x.log)
      process.stdout.write(`      a: ${JSON.stringify(pick(r.a))}\n      b: ${JSON.stringify(pick(r.b))}\n`)
    }
  }
  const same = rows.filter((r) => r.same).length
  process.stdout.write(`\n${same} of ${rows.length} probes answer the same\n`)
}
process.exit(rows.every((r) => r.same) ? 0 : 1)
