/**
 * `fake-fluentd replay FILE --url URL`: sends the requests of a `serve --journal` file again, in
 * order, to another endpoint (a real Fluentd, a new build of the fake, a collector), keeping their
 * timing, compressing it (`--speed 10`), or one after the other (`--no-wait`). Each request goes
 * with its method, path and query, Content-Type and body as journaled; answers are printed, not
 * judged. Bodies the journal cut (`bodyTruncated`) cannot be replayed and are skipped with a count.
 * A JSON body the journal file keeps only as its records (`bodyInEvents`) is sent as one JSON array
 * of those records (the events of `eventsContinued` lines included): the same records, not the same
 * bytes, and a record `time` Fluentd took out of a record is not put back.
 * Exit 0 when every replayed request got an answer, 1 when any failed to, 2 on bad arguments.
 */
import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { FakeFluentdError } from '../../errors.js'
import { pathArg } from '../flag-values.js'
import { checkCaFile, headerArg, parseHeaders, positiveNumberArg, urlArg, usage } from '../send-options.js'

interface ReplayFlags {
  url: string
  speed: number
  wait: boolean
  header: string[]
  ca?: string
  insecure?: boolean
}

/** One request of the journal file, as replayed. */
export interface ReplayItem {
  id: number
  receivedAt: number
  method: string
  url: string
  contentType?: string
  body: string
}

/** The replayable requests of a journal file (NDJSON), in order; also how many were skipped and why. */
export function readJournalFile(file: string): { items: ReplayItem[]; truncated: number; other: number } {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new FakeFluentdError('FF_ERR_INPUT', `cannot read the journal file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`)
  }
  const items: ReplayItem[] = []
  /** Entries whose body is their events, by id, while their `events` continuation lines arrive. */
  const fromEvents = new Map<number, { item: ReplayItem; records: unknown[] }>()
  let truncated = 0
  let other = 0
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue
    let e: Record<string, unknown>
    try {
      e = JSON.parse(line) as Record<string, unknown>
    } catch {
      throw new FakeFluentdError('FF_ERR_INPUT', `${file} line ${i + 1} is not JSON; give a file written by serve --journal.`)
    }
    // A correction line changes how an earlier entry ended (its answer never reached the socket);
    // the request itself was received, so it is replayed all the same.
    if (e.kind === 'correction') continue
    if (e.kind === 'events') {
      fromEvents.get(Number(e.continues))?.records.push(...recordsOf(e.events))
      continue
    }
    const inEvents = e.bodyInEvents === true && Array.isArray(e.events)
    if (e.kind !== 'request' || typeof e.method !== 'string' || typeof e.url !== 'string' || (typeof e.body !== 'string' && !inEvents)) {
      other++
      continue
    }
    if (e.bodyTruncated === true) {
      truncated++
      continue
    }
    const item: ReplayItem = { id: Number(e.id), receivedAt: Number(e.receivedAt), method: e.method, url: e.url, ...(typeof e.contentType === 'string' ? { contentType: e.contentType } : {}), body: typeof e.body === 'string' ? e.body : '' }
    if (typeof e.body !== 'string') fromEvents.set(item.id, { item, records: recordsOf(e.events) })
    items.push(item)
  }
  for (const { item, records } of fromEvents.values()) item.body = JSON.stringify(records)
  items.sort((a, b) => a.receivedAt - b.receivedAt)
  return { items, truncated, other }
}

function recordsOf(events: unknown): unknown[] {
  return Array.isArray(events) ? events.map((ev) => (ev as { record?: unknown } | null)?.record) : []
}

async function runReplay(file: string, flags: ReplayFlags): Promise<void> {
  if (flags.ca !== undefined && flags.insecure) throw usage('--insecure turns certificate verification off, so --ca would be ignored: give one of them.')
  if (flags.ca !== undefined) checkCaFile(flags.ca)
  const { items, truncated, other } = readJournalFile(file)
  if (items.length === 0) throw new FakeFluentdError('FF_ERR_INPUT', `${file} holds no replayable request (${truncated} with a cut body, ${other} other entries).`)
  const { Agent, request } = await import('undici')
  const dispatcher = new Agent({ connect: { ...(flags.ca !== undefined ? { ca: readFileSync(flags.ca, 'utf8') } : {}), rejectUnauthorized: !flags.insecure } })
  const base = new URL(flags.url)
  const extra = parseHeaders(flags.header)
  const first = items[0]!.receivedAt
  const t0 = performance.now()
  let failed = 0
  let stop = false
  const onSignal = (): void => void (stop = true)
  process.once('SIGINT', onSignal)
  const pace = flags.wait ? `timing kept${flags.speed !== 1 ? ` at ${flags.speed}x speed` : ''}` : 'one after the other, no waits'
  console.log(`replaying ${items.length} request(s) from ${file} to ${base.origin}, ${pace}${truncated > 0 ? ` (${truncated} skipped: body cut by --journal-body-max)` : ''}`)
  try {
    for (const item of items) {
      if (stop) break
      if (flags.wait) {
        const due = (item.receivedAt - first) / flags.speed - (performance.now() - t0)
        if (due > 0) await new Promise((r) => setTimeout(r, due))
      }
      const target = new URL(item.url, base)
      const at = `+${((performance.now() - t0) / 1000).toFixed(3)} s`
      try {
        const res = await request(target, { method: item.method as 'POST', body: item.body, headers: { ...(item.contentType ? { 'content-type': item.contentType } : {}), ...extra }, dispatcher })
        await res.body.text()
        console.log(`#${item.id} ${item.method} ${item.url} -> ${res.statusCode} at ${at}`)
      } catch (err) {
        failed++
        const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
        console.log(`#${item.id} ${item.method} ${item.url} -> no answer (${code}) at ${at}`)
      }
    }
  } finally {
    process.off('SIGINT', onSignal)
    await dispatcher.close()
  }
  console.log(`${items.length - failed} answered, ${failed} without an answer${stop ? ' (stopped by Ctrl-C)' : ''}`)
  process.exitCode = failed > 0 || stop ? 1 : 0
}

/** Registers `fake-fluentd replay`. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('send the requests of a serve --journal file again to another endpoint, keeping their timing or compressing it (exit 0 all answered, 1 any not, 2 bad arguments)')
    .argument('<file>', 'a journal file written by serve --journal')
    .requiredOption('--url <url>', 'where to send them: scheme, host and port (each request keeps its path and query)', urlArg)
    .option('--speed <k>', 'compress the timing k times (2 = twice as fast); 1 keeps it', positiveNumberArg, 1)
    .option('--no-wait', 'no waits: each request as soon as the previous one is answered')
    .option('--header <"Name: value">', 'extra request header (repeatable)', headerArg, [])
    .option('--ca <file>', 'PEM file of the CA that signed the target\'s certificate', pathArg)
    .option('--insecure', 'do not verify the target\'s certificate')
    .action(async (file: string, flags: ReplayFlags) => runReplay(file, flags))
}
