#!/usr/bin/env node
// Differential probes for the forward protocol: sends the same bytes to two in_forward endpoints
// (the real Fluentd and fake-fluentd's `serve --forward-port`) and compares what comes back: the
// msgpack answers (acks, HELO/PONG, with the random nonce, salt and digest checked and masked), how
// the connection ends, and with --a-log/--b-log the lines each printed for the probe (log-line
// times masked; event times compared exactly, except for "now" times).
//
//   node scripts/compare-forward.mjs --a 127.0.0.1:24224 --b 127.0.0.1:24225 \
//        [--variant default|security|limits] [--a-log FILE] [--b-log FILE] [--json]
//
// The variants need both sides configured alike (docs/forward.md "Parity"):
//   default   in_forward at its defaults
//   security  <security> self_hostname fluentd-host, shared_key k, user_auth with user u / password p
//   limits    skip_invalid_event, chunk_size_limit 100, chunk_size_warn_limit 40, source_address_key src
// Exit code: 0 when every probe matches, 1 when some differ, 2 on bad arguments. Loopback only.
import { createHash, randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { closeSync, openSync, readSync, statSync } from 'node:fs'
import { connect } from 'node:net'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { decodeMulti, encode, ExtensionCodec } from '@msgpack/msgpack'

const { values: args } = parseArgs({
  options: {
    a: { type: 'string' }, b: { type: 'string' }, variant: { type: 'string', default: 'default' },
    'a-log': { type: 'string' }, 'b-log': { type: 'string' }, json: { type: 'boolean', default: false },
    'wait-ms': { type: 'string', default: '600' }, only: { type: 'string' },
  },
})
if (!args.a || !args.b || !['default', 'security', 'limits'].includes(args.variant)) {
  process.stderr.write('usage: compare-forward.mjs --a HOST:PORT --b HOST:PORT [--variant default|security|limits] [--a-log FILE] [--b-log FILE] [--json]\n')
  process.exit(2)
}
const waitMs = Number(args['wait-ms'])
function target(text) {
  const [host, port] = text.split(':')
  if (!(host === 'localhost' || host.startsWith('127.'))) {
    process.stderr.write(`--a/--b must be loopback addresses, got ${host}\n`)
    process.exit(2)
  }
  return { host, port: Number(port) }
}

class EventTime {
  constructor(sec, nsec) { this.sec = sec; this.nsec = nsec }
}
const codec = new ExtensionCodec()
codec.register({
  type: 0,
  encode: (v) => {
    if (!(v instanceof EventTime)) return null
    const b = Buffer.alloc(8)
    b.writeUInt32BE(v.sec, 0)
    b.writeUInt32BE(v.nsec, 4)
    return b
  },
  decode: (d) => new EventTime(Buffer.from(d).readUInt32BE(0), Buffer.from(d).readUInt32BE(4)),
})
const pack = (v) => Buffer.from(encode(v, { extensionCodec: codec }))
const T = new EventTime(1767225600, 123456789)
/** A str32 holding raw bytes (how out_forward sends PackedForward entries). */
const str32 = (bytes) => {
  const head = Buffer.alloc(5)
  head[0] = 0xdb
  head.writeUInt32BE(bytes.length, 1)
  return Buffer.concat([head, bytes])
}
const sha = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha512')).digest('hex')

/** Each probe: `send` gets the answers so far (for the handshake) and returns the next bytes, or null to stop. */
const probes = {
  default: [
    { name: 'message with chunk: ack', parts: [pack(['p.msg', T, { a: 1 }, { chunk: 'c1' }])] },
    { name: 'message without option: no answer', parts: [pack(['p.msg', T, { a: 2 }])] },
    { name: 'forward mode with chunk', parts: [pack(['p.fwd', [[T, { f: 1 }], [1767225601, { f: 2 }], [T, null]], { chunk: 'c2' }])] },
    { name: 'packed (str32 entries, as out_forward) with size', parts: [Buffer.concat([Buffer.from([0x93]), pack('p.packed'), str32(Buffer.concat([pack([T, { p: 1 }]), pack([1767225601, { p: 2 }])])), pack({ chunk: 'c3', size: 2 })])] },
    { name: 'packed (bin entries)', parts: [pack(['p.bin', Buffer.concat([pack([T, { p: 1 }])]), { chunk: 'c4' }])] },
    { name: 'compressed packed, two gzip members', parts: [pack(['p.gz', Buffer.concat([gzipSync(pack([T, { z: 1 }])), gzipSync(pack([T, { z: 2 }]))]), { chunk: 'c5', compressed: 'gzip' }])] },
    { name: 'packed time 0 kept as 0', parts: [pack(['p.zero', pack([0, { z: 0 }]), { chunk: 'c6' }])] },
    { name: 'message without a record: no ack', parts: [pack(['p.nil', T, null, { chunk: 'c7' }])] },
    { name: 'float time (Time.at(float))', parts: [pack(['p.float', 1603834606.123, { f: 1 }, { chunk: 'c8' }])] },
    { name: 'integer time', parts: [pack(['p.int', 1767225600, { i: 1 }, { chunk: 'c9' }])] },
    { name: 'two messages in one write', parts: [Buffer.concat([pack(['p.two', T, { n: 1 }, { chunk: 'd1' }]), pack(['p.two', T, { n: 2 }, { chunk: 'd2' }])])] },
    { name: 'message split over three writes', parts: (() => { const b = pack(['p.split', T, { s: 'x'.repeat(40) }, { chunk: 'e1' }]); return [b.subarray(0, 5), b.subarray(5, 30), b.subarray(30)] })() },
    { name: 'not an array: broken chunk', parts: [pack('hello')] }, { name: 'first byte 0x7b (fixint 123 = "{", JSON to in_forward)', parts: [pack(123)] },
    { name: 'nil message (TCP heartbeat)', parts: [pack(null)] },
    { name: 'byte 0xc1 (never used)', parts: [Buffer.from([0xc1])] },
    { name: 'truncated message (then wait)', parts: [pack(['p.trunc', T, { a: 1 }, { chunk: 'x' }]).subarray(0, 10)] },
    { name: 'unknown ext type 5', parts: [Buffer.concat([Buffer.from([0x93, 0xa5]), Buffer.from('p.ext'), Buffer.from([0xd7, 0x05, 0, 0, 0, 0, 0, 0, 0, 1, 0x80])])] },
    { name: 'JSON forward ([tag, time, record])', parts: [Buffer.from('["p.json",1767225600,{"j":1},{"chunk":"j1"}]')] },
    { name: 'map keys of other types', parts: [Buffer.concat([Buffer.from([0x94, 0xa5]), Buffer.from('p.key'), pack(1767225600), Buffer.from([0x81, 0x01, 0xa1, 0x61]), pack({ chunk: 'k1' })])] },
  ],
  security: [
    { name: 'HELO on connect', parts: [] },
    { name: 'good PING (user u): PONG true, then an ack', handshake: { key: 'k', user: ['u', 'p'] }, parts: [pack(['p.auth', T, { ok: 1 }, { chunk: 'h1' }])] },
    { name: 'wrong shared_key: PONG false, closed', handshake: { key: 'wrong', user: ['u', 'p'] }, parts: [] },
    { name: 'wrong password: PONG false, closed', handshake: { key: 'k', user: ['u', 'nope'] }, parts: [] },
    { name: 'invalid PING', rawPing: pack(['PING', 'x']), parts: [] },
    { name: 'a message before PING', rawPing: pack(['p.early', T, { a: 1 }, { chunk: 'z' }]), parts: [] },
  ],
  limits: [
    { name: 'over chunk_size_limit: dropped, no ack', parts: [pack(['p.big', T, { pad: 'x'.repeat(200) }, { chunk: 'b1' }])] },
    { name: 'over chunk_size_warn_limit: logged, acked, source address', parts: [pack(['p.mid', T, { pad: 'x'.repeat(20) }, { chunk: 'b2' }])] },
    { name: 'invalid message (float time): dropped, acked', parts: [pack(['p.inv', 1.5, 'str', { chunk: 'b3' }])] },
    { name: 'forward mode: the invalid event skipped', parts: [pack(['p.skip', [[T, { ok: 1 }], [T, 'bad']], { chunk: 'b4' }])] },
  ],
}

function decodeAll(buf) {
  try {
    return [...decodeMulti(buf, { extensionCodec: codec })]
  } catch (err) {
    return [`<undecodable ${buf.toString('hex')}: ${err.message}>`]
  }
}

/** One probe on one connection: the answers (masked) and how the connection ended. */
function run(t, probe) {
  return new Promise((resolve) => {
    const sock = connect(t.port, t.host)
    let data = Buffer.alloc(0)
    let ending = 'open'
    let timer
    let stage = probe.handshake || probe.rawPing ? 'helo' : 'send'
    const notes = []
    let heloOpts
    const finish = () => {
      clearTimeout(timer)
      sock.destroy()
      const values = decodeAll(data).map((v) => mask(v, heloOpts, probe, notes))
      resolve({ answers: values, ending, notes })
    }
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(finish, waitMs)
    }
    const sendParts = async () => {
      for (const p of probe.parts) {
        sock.write(p)
        await new Promise((r) => setTimeout(r, 30))
      }
      arm()
    }
    sock.on('connect', () => {
      if (stage === 'send') void sendParts()
      else arm()
    })
    sock.on('data', (d) => {
      data = Buffer.concat([data, d])
      if (stage === 'helo') {
        const [helo] = decodeAll(data)
        heloOpts = helo?.[1]
        stage = 'send'
        if (probe.rawPing) sock.write(probe.rawPing)
        else if (probe.handshake) {
          const salt = randomBytes(16).toString('hex')
          const [user, pass] = probe.handshake.user
          probe.salt = salt
          sock.write(pack(['PING', 'client-host', salt, sha(salt, 'client-host', Buffer.from(heloOpts.nonce), probe.handshake.key), user, sha(Buffer.from(heloOpts.auth), user, pass)]))
          setTimeout(() => void sendParts(), 100)
          return
        }
      }
      arm()
    })
    sock.on('end', () => { if (ending === 'open') ending = 'end (FIN)' })
    sock.on('error', (err) => { ending = err.code === 'ECONNRESET' ? 'reset' : err.code })
    sock.on('close', () => { if (ending === 'open') ending = 'closed'; finish() })
  })
}

/** Replaces random handshake values by what they are, after checking the PONG digest. */
function mask(v, helo, probe, notes) {
  if (Array.isArray(v) && v[0] === 'HELO') {
    const o = v[1] ?? {}
    return ['HELO', Object.fromEntries(Object.entries(o).map(([k, x]) => [k, x instanceof Uint8Array ? `<${x.length} random bytes>` : x]))]
  }
  if (Array.isArray(v) && v[0] === 'PONG' && v[1] === true && helo && probe.salt) {
    const want = sha(probe.salt, v[3], Buffer.from(helo.nonce), probe.handshake.key)
    notes.push(v[4] === want ? 'PONG digest verifies' : 'PONG digest WRONG')
    return [...v.slice(0, 4), '<sha512 digest>']
  }
  if (v instanceof EventTime) return `EventTime(${v.sec},${v.nsec})`
  return v
}

function logReader(file) {
  if (!file) return undefined
  let offset = statSync(file).size
  return () => {
    const size = statSync(file).size
    if (size <= offset) return []
    const fd = openSync(file, 'r')
    const buf = Buffer.alloc(size - offset)
    readSync(fd, buf, 0, buf.length, offset)
    closeSync(fd)
    offset = size
    // Fluentd's info lines and its error backtrace lines (`[error]: #0 /path/file.rb:...`) are left out.
    return buf.toString('utf8').split('\n').filter((l) => l && !/^\s+$/.test(l) && !/\[(info|debug|trace)\]/.test(l) && !/\]: #0 \/\S+:\d+:in /.test(l))
      .map((l) => l.trim()
        .replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \[/, '<time> [')
        .replace(/ port=\d+ /, ' port=<client port> ')
        .replace(/\n$/, ''))
  }
}

/** A UDP heartbeat ping: the answer bytes (or none within the wait). */
function heartbeat(t) {
  return new Promise((resolve) => {
    const s = createSocket('udp4')
    const timer = setTimeout(() => { s.close(); resolve('no answer') }, waitMs)
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m.toString('hex')) })
    s.send(Buffer.from([0]), t.port, t.host)
  })
}

const A = target(args.a)
const B = target(args.b)
const logs = { a: logReader(args['a-log']), b: logReader(args['b-log']) }
const rows = []
for (const probe of probes[args.variant]) {
  if (args.only && !probe.name.includes(args.only)) continue
  logs.a?.(); logs.b?.()
  const a = await run(A, { ...probe })
  const b = await run(B, { ...probe })
  await new Promise((r) => setTimeout(r, args['a-log'] ? 1500 : 100))
  const la = logs.a?.() ?? []
  const lb = logs.b?.() ?? []
  const same = JSON.stringify([a.answers, a.ending]) === JSON.stringify([b.answers, b.ending])
  const sameLog = !args['a-log'] || !args['b-log'] || JSON.stringify(la) === JSON.stringify(lb)
  rows.push({ probe: probe.name, same, sameLog, a: { ...a, log: la }, b: { ...b, log: lb } })
}
if (args.variant === 'default') {
  const [ha, hb] = [await heartbeat(A), await heartbeat(B)]
  rows.push({ probe: 'UDP heartbeat', same: ha === hb, sameLog: true, a: { answers: [ha] }, b: { answers: [hb] } })
}
const fmt = (x) => JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? `<bin ${Buffer.from(v).toString('hex')}>` : v))
if (args.json) process.stdout.write(fmt(rows) + '\n')
else {
  for (const r of rows) {
    const mark = r.same && r.sameLog ? 'same' : r.same ? 'LOG DIFFERS' : 'DIFFERS'
    process.stdout.write(`${mark.padEnd(11)} ${r.probe}\n`)
    process.stdout.write(`  a: ${fmt(r.a.answers)} ${r.a.ending ?? ''} ${r.a.notes?.join(', ') ?? ''}\n`)
    if (!r.same) process.stdout.write(`  b: ${fmt(r.b.answers)} ${r.b.ending ?? ''} ${r.b.notes?.join(', ') ?? ''}\n`)
    for (const l of r.a.log ?? []) process.stdout.write(`  a| ${l}\n`)
    if (!r.sameLog) for (const l of r.b.log ?? []) process.stdout.write(`  b| ${l}\n`)
  }
}
process.exit(rows.every((r) => r.same && r.sameLog) ? 0 : 1)
