/**
 * The hostile mix (issue 15): every attack against ONE `fake-fluentd serve` process while a steady
 * client posts 10 requests/s. Run at two scales (hostile-mix-suite.ts): small in `npm test`, full
 * in `npm run test:soak`. Returns what was seen; the
 * tests assert, and the figures (p99, RSS, attack answers) are written to test-results/.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent, request } from 'undici'
import { auditJournalFile, hitWithUid, is2xx, type FileAudit } from './load.js'
import { junkConnections, pipelinedBurst, redosAndBadPlans, type MixContext } from './mix-attacks.js'
import { arrayOf, gzipBomb, percentile, rssMiB, sleep, startServe } from './mix-tools.js'

export interface MixScale {
  name: string
  /** How long the steady client posts (10/s). */
  steadyMs: number
  bodyLimit: string
  /** gzip bomb: MiB it inflates to. */
  bombMiB: number
  /** `[{"a":1},...]` objects, over the record cap. */
  bigObjects: number
  /** `{}` objects in one array. */
  empties: number
  /** `[1,1,...]` elements. */
  ones: number
  /** Valid hits in one in-limit batch answered 2xx (its events must reach the journal file). */
  batch: number
  sseSubscribers: number
  lorisConnections: number
  /** Milliseconds between two header bytes of a slowloris connection. */
  lorisByteMs: number
  junkConnections: number
  /** Rounds of the body attacks, spread over the run. */
  rounds: number
  /** Extra serve flags. */
  serveArgs?: string[]
}

export interface MixResult {
  steady: { sent: number; ok: number; errors: string[]; p50: number; p99: number; max: number; /** Requests slower than 250 ms: when they started (ms into the run) and how long they took. */ slow: { atMs: number; ms: number }[] }
  /** When each attack step started, ms into the run. */
  timeline: { atMs: number; what: string }[]
  /** Status (or error) of each attack request, by attack name. */
  attacks: Record<string, (number | string)[]>
  aliveAtEnd: boolean
  rssMiB: { max: number; end: number }
  audit: FileAudit
  /** uids the steady client and the batch saw answered 2xx. */
  answered2xx: string[]
  exit: { code: number | null; signal: string | null; ms: number }
}

export async function runHostileMix(scale: MixScale): Promise<MixResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ff-mix-'))
  const file = join(dir, 'journal.ndjson')
  const serve = await startServe(['--port', '0', '--admin-port', 'any', '--output', 'none', '--journal', file, '--cert-dir', join(dir, 'certs'), '--body-limit', scale.bodyLimit, ...(scale.serveArgs ?? [])])
  const pid = serve.child.pid!
  const ca = readFileSync(serve.caPath, 'utf8')
  const ingest = serve.ingestUrl
  const ingestPort = Number(new URL(ingest).port)
  const admin = serve.adminUrl
  const adminUrl = new URL(admin)
  const attacks: Record<string, (number | string)[]> = {}
  const note = (name: string, v: number | string): void => void (attacks[name] ??= []).push(v)
  let rssMax = rssMiB(pid)
  const rssTimer = setInterval(() => (rssMax = Math.max(rssMax, rssMiB(pid))), 250)
  const sockets: Socket[] = []
  const timers: NodeJS.Timeout[] = []
  const answered2xx: string[] = []

  // Attack bodies are built before the clock starts: building them stalls this process, not the server.
  const bomb = gzipBomb(scale.bombMiB)
  const bigObjects = arrayOf('{"a":1}', scale.bigObjects)
  const empties = arrayOf('{}', scale.empties)
  const ones = arrayOf('1', scale.ones)
  const oneRecord = Buffer.from(`{"a":${arrayOf('1', scale.ones).toString()}}`)
  const deep = Buffer.from('{"a":' + '['.repeat(50_000) + ']'.repeat(50_000) + '}')
  const batches = Array.from({ length: scale.rounds }, (_, round) => {
    const uids = Array.from({ length: scale.batch }, (_, i) => `batch-${round}-${i}`)
    return { uids, body: Buffer.from('[' + uids.map(hitWithUid).join(',') + ']') }
  })

  // --- the steady client: 10 requests/s on its own keep-alive connection ---
  const steadyAgent = new Agent({ connect: { ca }, connections: 1 })
  const latencies: number[] = []
  const slow: { atMs: number; ms: number }[] = []
  const runStart = performance.now()
  const timeline: { atMs: number; what: string }[] = []
  const mark = (what: string): void => void timeline.push({ atMs: Math.round(performance.now() - runStart), what })
  const errors: string[] = []
  let sent = 0
  const steadyDone = (async () => {
    const inFlight: Promise<void>[] = []
    const t0 = performance.now()
    for (let n = 0; performance.now() - t0 < scale.steadyMs; n++) {
      const due = t0 + n * 100
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      const uid = `steady-${n}`
      sent++
      inFlight.push(
        (async () => {
          const start = performance.now()
          try {
            const res = await request(`${ingest}/steady`, { method: 'POST', body: hitWithUid(uid), headers: { 'content-type': 'application/json' }, dispatcher: steadyAgent, headersTimeout: 30_000, bodyTimeout: 30_000 })
            await res.body.dump()
            const ms = performance.now() - start
            latencies.push(ms)
            if (ms > 250) slow.push({ atMs: Math.round(start - runStart), ms: Math.round(ms) })
            if (is2xx(res.statusCode)) answered2xx.push(uid)
            else errors.push(`${uid}: status ${res.statusCode}`)
          } catch (err) {
            errors.push(`${uid}: ${(err as Error & { code?: string }).code ?? (err as Error).message}`)
          }
        })(),
      )
    }
    await Promise.all(inFlight)
  })()

  // --- attackers: each on its own connections ---
  const attackAgent = new Agent({ connect: { ca }, connections: 4, pipelining: 0 })
  const post = async (name: string, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<void> => {
    mark(name)
    try {
      const res = await request(`${ingest}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers }, dispatcher: attackAgent, headersTimeout: 120_000, bodyTimeout: 120_000 })
      await res.body.dump()
      note(name, res.statusCode)
    } catch (err) {
      note(name, `error:${(err as Error & { code?: string }).code ?? (err as Error).message}`)
    }
  }

  mark('sse subscribers, slowloris connections')
  // SSE subscribers that never read (admin API).
  for (let i = 0; i < scale.sseSubscribers; i++) {
    const s = netConnect({ port: Number(adminUrl.port), host: adminUrl.hostname }, () => {
      s.write(`GET /api/stream HTTP/1.1\r\nHost: ${adminUrl.host}\r\nAccept: text/event-stream\r\nLast-Event-ID: 0\r\n\r\n`)
      s.pause()
    })
    s.on('error', () => {})
    sockets.push(s)
  }
  // Slowloris: TLS connections that send one header byte now and then, opened 50 every 250 ms (a
  // burst of thousands of handshakes would stall this test process too, and with it the steady client).
  const openLoris = (): void => {
    const s = tlsConnect({ port: ingestPort, host: '127.0.0.1', ca, servername: 'localhost' }, () => {
      s.write('POST /loris HTTP/1.1\r\nHost: x\r\nX-Slow: ')
      timers.push(setInterval(() => !s.destroyed && s.write('a'), scale.lorisByteMs))
    })
    s.on('error', () => {})
    sockets.push(s)
  }
  let lorisOpened = 0
  const lorisRamp = setInterval(() => {
    for (let i = 0; i < 50 && lorisOpened < scale.lorisConnections; i++, lorisOpened++) openLoris()
    if (lorisOpened >= scale.lorisConnections) clearInterval(lorisRamp)
  }, 250)
  timers.push(lorisRamp)
  const ctx: MixContext = { ingestPort, ca, admin, note, mark, post, sockets }
  const junk = (): Promise<void> => junkConnections(ctx, scale.junkConnections)
  const redos = (): Promise<void> => redosAndBadPlans(ctx)
  const pipelined = (): Promise<void> => pipelinedBurst(ctx)

  // The admin API's largest page, read while everything else runs (issue 19 item 8: streamed).
  const bigPages = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) {
      mark('GET /api/requests')
      const res = await request(`${admin}/api/requests`)
      await res.body.dump()
      note('requests-page', res.statusCode)
      await sleep(scale.steadyMs / 4)
    }
  }

  // The body attacks of the issue, `rounds` times spread over the run.
  const bodyAttacks = async (round: number): Promise<void> => {
    await post('gzip-bomb', '/bomb', bomb, { 'content-encoding': 'gzip' })
    await post('big-objects', '/big', bigObjects)
    await post('empties', '/empties', empties)
    await post('ones', '/ones', ones)
    await post('one-record', '/one-record', oneRecord)
    await post('deep', '/deep', deep)
    const { uids, body: batchBody } = batches[round]!
    mark('batch')
    try {
      const res = await request(`${ingest}/batch`, { method: 'POST', body: batchBody, headers: { 'content-type': 'application/json' }, dispatcher: attackAgent, headersTimeout: 120_000, bodyTimeout: 120_000 })
      await res.body.dump()
      note('batch', res.statusCode)
      if (is2xx(res.statusCode)) answered2xx.push(...uids)
    } catch (err) {
      note('batch', `error:${(err as Error).message}`)
    }
  }

  const attacking = (async () => {
    await sleep(500)
    const others = Promise.all([junk(), redos(), pipelined(), bigPages()])
    // The rounds at even times within the steady client's run, beside the attacks above (after them,
    // the full run's rounds 2-4 once came after the steady client had stopped).
    for (let round = 0; round < scale.rounds; round++) {
      await sleep(runStart + ((round + 0.5) * scale.steadyMs) / scale.rounds - performance.now())
      await bodyAttacks(round)
    }
    await others
  })()

  await Promise.all([steadyDone, attacking])
  for (const t of timers) clearInterval(t)
  for (const s of sockets) s.destroy()

  // Alive at the end?
  let aliveAtEnd = false
  try {
    const res = await request(`${ingest}/alive`, { method: 'POST', body: '{"alive":1}', headers: { 'content-type': 'application/json' }, dispatcher: steadyAgent, headersTimeout: 10_000 })
    await res.body.dump()
    aliveAtEnd = res.statusCode === 200
  } catch {
    aliveAtEnd = false
  }
  clearInterval(rssTimer)
  const rssEnd = rssMiB(pid)
  rssMax = Math.max(rssMax, rssEnd)
  await steadyAgent.close()
  await attackAgent.close()
  const exit = await serve.stop()
  const audit = auditJournalFile(file)
  const sorted = [...latencies].sort((a, b) => a - b)
  const result: MixResult = {
    steady: { sent, ok: sent - errors.length, errors, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? 0, slow },
    timeline,
    attacks,
    aliveAtEnd,
    rssMiB: { max: Math.round(rssMax), end: Math.round(rssEnd) },
    audit,
    answered2xx,
    exit,
  }
  mkdirSync('test-results', { recursive: true })
  const { audit: _omit, answered2xx: _uids, ...figures } = result
  writeFileSync(join('test-results', `hostile-mix-${scale.name}.json`), JSON.stringify({ scale, ...figures, journalEntries: audit.entries.length }, null, 2))
  return result
}

/** Journal checks: every 2xx uid in the file exactly once in a 2xx entry; no events in a non-2xx entry; no unreadable line. */
export function journalProblems(r: MixResult): { lost: string[]; duplicated: string[]; non2xxWithEvents: number; badLines: string[] } {
  const lost: string[] = []
  const duplicated: string[] = []
  for (const uid of r.answered2xx) {
    const inFile = r.audit.eventUids.get(uid) ?? []
    if (inFile.length === 0 || !inFile.every((e) => is2xx(e.status))) lost.push(uid)
    else if (inFile.length > 1) duplicated.push(uid)
  }
  const non2xxWithEvents = r.audit.entries.filter((e) => !is2xx(e.status) && (e.events?.length ?? 0) > 0).length
  return { lost, duplicated, non2xxWithEvents, badLines: r.audit.badLines }
}

/**
 * Entries on the steady client's connections that are not answered requests (issue 19 item 3: a
 * healthy keep-alive client was cut as "a client sending too slowly"), and false parser entries.
 */
export function steadyCuts(r: MixResult): string[] {
  const steadyConns = new Set(r.audit.entries.filter((e) => e.path === '/steady' || e.path === '/pipe').map((e) => e.connectionId))
  return r.audit.entries
    .filter((e) => (steadyConns.has(e.connectionId) && !(e.kind === 'request' && e.outcome === 'answered')) || /: HPE_PAUSED$/.test(e.error ?? ''))
    .map((e) => `connection ${e.connectionId}: ${e.kind} ${e.outcome} ${e.error ?? ''}`)
}

/** Entries that do not tell the truth once (issue 15 item 8): false "no request" entries, duplicates per connection. */
export function falseEntries(r: MixResult): string[] {
  const out: string[] = []
  const byConn = new Map<number, number>()
  for (const e of r.audit.entries) {
    if (/did it reject the certificate/.test(e.error ?? '') && r.audit.entries.some((x) => x !== e && x.connectionId === e.connectionId)) out.push(`false no-request entry on connection ${e.connectionId}`)
    if (e.kind !== 'request' || e.method === undefined) byConn.set(e.connectionId, (byConn.get(e.connectionId) ?? 0) + 1)
  }
  for (const [conn, n] of byConn) if (n > 1) out.push(`${n} connection-level entries for connection ${conn}`)
  return out
}
