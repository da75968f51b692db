/**
 * Load with a unique id per request, and the journal-file audit the no-loss tests share (issue 8).
 * Each request body is a Wallarm hit with a unique `uid`; the client records what it saw for each uid.
 */
import type { ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Pool } from 'undici'
import type { JournalEntry, JournalEntryData, JournalEvent } from '../../../src/journal/types.js'

/** A ~650-byte Wallarm hit (the benchmark's body) with a unique id. */
export function hitWithUid(uid: string): string {
  return JSON.stringify({
    uid,
    summary: '[Wallarm] New hit detected',
    details: {
      client_name: 'TestCompany',
      cloud: 'EU',
      notification_type: 'new_hits',
      hit: { domain: 'www.example.com', method: 'POST', path: '/news/some_path', payloads: ['say ni'], point: ['post'], remote_addr4: '8.8.8.8', type: 'redir' },
    },
  })
}

export interface LoadResult {
  /** uid → status seen by the client, or 'error:<code>' when no answer arrived. */
  seen: Map<string, number | string>
  sent: number
}

export interface LoadOptions {
  url: string
  ca?: string
  connections: number
  durationMs: number
  /** Extra headers for the n-th request (fault routing). */
  headersFor?: (n: number) => Record<string, string>
  /** Stop early when this resolves (e.g. the server was killed and every worker failed). */
  stop?: { stopped: boolean }
  /** Per-request timeout, ms. Default 10000. */
  requestTimeoutMs?: number
}

/** Keep-alive load with `connections` workers for `durationMs`; one request in flight per worker. */
export async function loadWithUids(o: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(o.url, {
    connections: o.connections,
    pipelining: 1,
    connect: { ca: o.ca, servername: 'localhost' },
    headersTimeout: o.requestTimeoutMs ?? 10_000,
    bodyTimeout: o.requestTimeoutMs ?? 10_000,
  })
  const seen = new Map<string, number | string>()
  let n = 0
  const end = Date.now() + o.durationMs
  const worker = async (w: number): Promise<void> => {
    while (Date.now() < end && !o.stop?.stopped) {
      const i = n++
      const uid = `w${w}-r${i}`
      try {
        const res = await pool.request({
          path: '/wallarm',
          method: 'POST',
          body: hitWithUid(uid),
          headers: { 'content-type': 'application/json', ...o.headersFor?.(i) },
        })
        await res.body.dump()
        seen.set(uid, res.statusCode)
      } catch (err) {
        seen.set(uid, `error:${(err as { code?: string }).code ?? (err as Error).message}`)
        // A dead server: do not spin.
        await new Promise((r) => setTimeout(r, 5))
      }
    }
  }
  await Promise.all(Array.from({ length: o.connections }, (_, w) => worker(w)))
  await pool.destroy()
  return { seen, sent: n }
}

export interface FileAudit {
  entries: JournalEntry[]
  /** uid → entries (of the file) whose events carry it. */
  eventUids: Map<string, JournalEntry[]>
  /** Lines that did not parse (a torn write would show here). */
  badLines: string[]
}

/** Reads a journal NDJSON file and indexes the events by uid. */
export function auditJournalFile(path: string): FileAudit {
  const entries: JournalEntry[] = []
  const badLines: string[] = []
  const eventUids = new Map<string, JournalEntry[]>()
  const add = (e: JournalEntry, events: readonly JournalEvent[]): void => {
    for (const ev of events) {
      const uid = ev.record['uid']
      if (typeof uid !== 'string') continue
      const list = eventUids.get(uid) ?? []
      list.push(e)
      eventUids.set(uid, list)
    }
  }
  // Read as bytes and split by hand: a large file is more than one JS string can hold.
  const bytes = readFileSync(path)
  let last: (JournalEntry & { eventsContinued?: { lines: number; total: number } }) | undefined
  let expectedParts = 0
  for (let start = 0; start < bytes.length; ) {
    let end = bytes.indexOf(10, start)
    if (end < 0) end = bytes.length
    const line = bytes.toString('utf8', start, end)
    start = end + 1
    if (line === '') continue
    let e: JournalEntry & { continues?: number; part?: number; eventsContinued?: { lines: number; total: number } }
    try {
      e = JSON.parse(line) as typeof e
    } catch {
      badLines.push(line.slice(0, 200))
      continue
    }
    if ((e.kind as string) === 'events') {
      // A continuation line (src/journal/file-line.ts): more events of the entry just before it.
      if (last === undefined || e.continues !== last.id || expectedParts === 0) badLines.push(line.slice(0, 200))
      else {
        expectedParts--
        ;(last as JournalEntryData).events = [...(last.events ?? []), ...(e.events ?? [])]
        add(last, e.events ?? [])
      }
      continue
    }
    if (expectedParts > 0) badLines.push(`entry ${last?.id} lacks ${expectedParts} continuation lines`)
    entries.push(e)
    last = e
    expectedParts = e.eventsContinued?.lines ?? 0
    add(e, e.events ?? [])
  }
  if (expectedParts > 0) badLines.push(`entry ${last?.id} lacks ${expectedParts} continuation lines`)
  return { entries, eventUids, badLines }
}

export const is2xx = (s: number | string | undefined): s is number => typeof s === 'number' && s >= 200 && s < 300

/**
 * The no-loss/no-invention audit: every uid the client saw answered 2xx is in the file exactly once,
 * in an entry whose status is 2xx; every event in the file belongs to a 2xx entry; with `strict`, no
 * file event exists for a uid the client did not see answered 2xx.
 */
export function lossAndInvention(load: LoadResult, audit: FileAudit, strict: boolean): { lost: string[]; duplicated: string[]; invented: string[]; non2xxWithEvents: number } {
  const lost: string[] = []
  const duplicated: string[] = []
  const invented: string[] = []
  for (const [uid, status] of load.seen) {
    if (!is2xx(status)) continue
    const inFile = audit.eventUids.get(uid) ?? []
    if (inFile.length === 0 || !inFile.every((e) => is2xx(e.status))) lost.push(uid)
    else if (inFile.length > 1) duplicated.push(uid)
  }
  for (const [uid, list] of audit.eventUids) {
    if (list.length > 1 && !duplicated.includes(uid)) duplicated.push(uid)
    if (!load.seen.has(uid) || (strict && !is2xx(load.seen.get(uid)))) invented.push(uid)
  }
  const non2xxWithEvents = audit.entries.filter((e) => !is2xx(e.status) && (e.events?.length ?? 0) > 0).length
  return { lost, duplicated, invented, non2xxWithEvents }
}

/** Lines in a file so far (0 before it exists). */
export function lineCount(file: string): number {
  try {
    return readFileSync(file, 'utf8').split('\n').length - 1
  } catch {
    return 0
  }
}

/**
 * The kill -9 test every no-loss suite runs against `serve`: uid'd load on `connections`, a SIGKILL
 * once the journal file holds `killAfterLines` lines (mid-load however busy the machine is; at most
 * 10 s), then the file audited against what the client saw.
 */
export async function loadAndKill(
  serve: { ingestUrl: string; caPath?: string; child: ChildProcess },
  file: string,
  o: { connections: number; killAfterLines: number },
): Promise<{ load: LoadResult; audit: FileAudit; verdict: ReturnType<typeof lossAndInvention> }> {
  const stop = { stopped: false }
  const ca = serve.caPath === undefined ? undefined : readFileSync(serve.caPath, 'utf8')
  const loading = loadWithUids({ url: serve.ingestUrl, ca, connections: o.connections, durationMs: 15_000, stop, requestTimeoutMs: 3000 })
  const deadline = Date.now() + 10_000
  while (Date.now() < deadline && lineCount(file) < o.killAfterLines) await new Promise((r) => setTimeout(r, 20))
  const closed = new Promise((r) => serve.child.once('close', r))
  serve.child.kill('SIGKILL')
  await closed
  stop.stopped = true
  const load = await loading
  const audit = auditJournalFile(file)
  return { load, audit, verdict: lossAndInvention(load, audit, false) }
}
