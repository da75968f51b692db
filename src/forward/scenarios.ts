/**
 * Conformance scenarios for forward clients (fluent-logger, Fluent Bit, out_forward, ...): each runs
 * a fresh forward listener with a fault plan, drives the client through an adapter and judges the
 * journal, with the chunk id as the delivery key. A profile says what the client promises; a
 * scenario about a promise the client does not make is skipped, not failed.
 * Standalone for now: the registration under `conformance --protocol forward` is left to the
 * conformance runner (docs/forward.md "Conformance").
 */
import { createJournal, type JournalEntry } from '../journal/index.js'
import { systemClock } from '../clock/index.js'
import type { ForwardFaultRule } from './faults.js'
import { startForwardServer } from './listener.js'
import type { SecuritySettings } from './handshake.js'

/** What a forward client promises (written from its documentation). */
export interface ForwardClientProfile {
  name: string
  /** Asks for acks (`chunk` in the option map). */
  ack: boolean
  /** Sends a chunk again, with the same chunk id, when its ack does not come within ackTimeoutMs. */
  resendsUnacked: boolean
  /** How long it waits for an ack before it gives up on it (ms). */
  ackTimeoutMs: number
  /** Opens a new connection after the server reset one, and delivers what it is given next. */
  reconnects: boolean
  /** Speaks the shared_key handshake. */
  handshake: boolean
}

export interface ForwardTarget {
  host: string
  port: number
  sharedKey?: string
}

/** One client under test: told where to send, then asked to emit records one by one. */
export interface ForwardClientSession {
  /** Emits one record; resolves when the client reports the outcome (its error, if any). */
  emit(tag: string, record: Record<string, unknown>): Promise<Error | undefined>
  close(): Promise<void>
}

export type ForwardClientAdapter = (target: ForwardTarget) => Promise<ForwardClientSession>

export type ForwardScenarioStatus = 'pass' | 'fail' | 'skip'

export interface ForwardScenarioResult {
  name: string
  status: ForwardScenarioStatus
  detail: string
}

interface ScenarioDef {
  name: string
  /** Why it does not apply to the profile, or undefined. */
  skip(p: ForwardClientProfile): string | undefined
  faults: ForwardFaultRule[]
  security?: SecuritySettings
  run(session: ForwardClientSession, p: ForwardClientProfile): Promise<void>
  judge(entries: JournalEntry[], p: ForwardClientProfile): { ok: boolean; detail: string }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const forwardOf = (es: JournalEntry[]): JournalEntry[] => es.filter((e) => e.kind === 'request' && e.protocol === 'forward')
const recordsOf = (es: JournalEntry[]): unknown[] => forwardOf(es).flatMap((e) => (e.events ?? []).map((ev) => ev.record['n']))

export const FORWARD_SCENARIOS: readonly ScenarioDef[] = [
  {
    name: 'delivers-with-ack',
    skip: (p) => (p.ack ? undefined : 'the client does not ask for acks'),
    faults: [],
    async run(s) {
      for (let n = 1; n <= 3; n++) await s.emit('conf.ack', { n })
    },
    judge(es) {
      const fw = forwardOf(es)
      const acked = fw.filter((e) => e.forward?.ack === 'sent' && e.forward.chunk !== undefined)
      const ok = acked.length === fw.length && JSON.stringify(recordsOf(es)) === '[1,2,3]'
      return { ok, detail: `${fw.length} messages, ${acked.length} acked with a chunk id, records ${JSON.stringify(recordsOf(es))}` }
    },
  },
  {
    name: 'at-least-once-with-ack',
    skip: (p) => (!p.ack ? 'the client does not ask for acks' : !p.resendsUnacked ? 'the profile does not promise to resend an unacked chunk' : undefined),
    faults: [{ action: 'withhold-ack', match: { attempt: 1 } }],
    async run(s, p) {
      await s.emit('conf.alo', { n: 1 })
      await sleep(p.ackTimeoutMs * 2)
    },
    judge(es) {
      const fw = forwardOf(es)
      const first = fw[0]
      const resent = fw.find((e) => e !== first && e.deliveryKey === first?.deliveryKey && e.forward?.ack === 'sent')
      return { ok: first !== undefined && resent !== undefined, detail: resent ? `chunk resent as attempt ${resent.attempt ?? '?'} and acked` : `the unacked chunk was not resent with its chunk id (${fw.length} messages)` }
    },
  },
  {
    name: 'no-duplicate-after-ack',
    skip: (p) => (p.ack ? undefined : 'the client does not ask for acks'),
    faults: [],
    async run(s, p) {
      for (let n = 1; n <= 3; n++) await s.emit('conf.dup', { n })
      await sleep(Math.min(p.ackTimeoutMs * 2, 5000))
    },
    judge(es) {
      const again = forwardOf(es).filter((e) => (e.attempt ?? 1) > 1)
      const recs = recordsOf(es)
      const ok = again.length === 0 && new Set(recs).size === recs.length
      return { ok, detail: ok ? `${recs.length} records, none sent twice` : `${again.length} acked chunks sent again; records ${JSON.stringify(recs)}` }
    },
  },
  {
    name: 'reconnect-after-reset',
    skip: (p) => (p.reconnects ? undefined : 'the profile does not promise to reconnect'),
    faults: [{ action: 'reset', times: 1 }],
    async run(s, p) {
      await Promise.race([s.emit('conf.reset', { n: 1 }), sleep(p.ackTimeoutMs + 500)])
      const deadline = Date.now() + p.ackTimeoutMs * 4 + 2000
      while (Date.now() < deadline) {
        if ((await Promise.race([s.emit('conf.reset', { n: 2 }), sleep(p.ackTimeoutMs + 500).then(() => new Error('no outcome'))])) === undefined) return
        await sleep(200)
      }
    },
    judge(es) {
      const fw = forwardOf(es)
      const reset = fw.find((e) => e.outcome === 'reset')
      const later = fw.find((e) => reset && e.connectionId !== reset.connectionId && (e.events ?? []).length > 0)
      return { ok: reset !== undefined && later !== undefined, detail: later ? `delivered on a new connection after the reset` : `nothing delivered on a new connection after the reset (${fw.length} messages)` }
    },
  },
  {
    name: 'handshake-refused',
    skip: (p) => (p.handshake ? undefined : 'the client does not speak the shared_key handshake'),
    faults: [{ action: 'refuse-key', reason: 'refused by the conformance run' }],
    security: { sharedKey: 'conformance', selfHostname: 'fake-fluentd' },
    async run(s, p) {
      const outcome = await Promise.race([s.emit('conf.auth', { n: 1 }), sleep(p.ackTimeoutMs + 1000).then(() => 'no outcome' as const)])
      if (outcome === undefined) throw new Error('the client reported success although the handshake was refused')
    },
    judge(es) {
      const refused = es.filter((e) => e.kind === 'connection' && e.outcome === 'refused')
      const fw = forwardOf(es)
      return { ok: refused.length > 0 && fw.length === 0, detail: `${refused.length} refused handshakes, ${fw.length} messages sent without one` }
    },
  },
]

/** Runs every scenario against a client, each on a fresh listener. */
export async function runForwardScenarios(adapter: ForwardClientAdapter, profile: ForwardClientProfile, only?: readonly string[]): Promise<ForwardScenarioResult[]> {
  const results: ForwardScenarioResult[] = []
  for (const sc of FORWARD_SCENARIOS) {
    if (only && !only.includes(sc.name)) continue
    const why = sc.skip(profile)
    if (why) {
      results.push({ name: sc.name, status: 'skip', detail: why })
      continue
    }
    const journal = createJournal()
    const server = await startForwardServer({ port: 0, faults: sc.faults, ...(sc.security ? { security: sc.security } : {}) }, { journal, clock: systemClock })
    let failure: string | undefined
    try {
      const session = await adapter({ host: server.host, port: server.port, ...(sc.security ? { sharedKey: sc.security.sharedKey } : {}) })
      try {
        await sc.run(session, profile)
      } finally {
        await session.close()
      }
      await sleep(100)
    } catch (err) {
      failure = (err as Error).message
    } finally {
      await server.close()
    }
    const verdict = sc.judge(journal.entries(), profile)
    journal.close()
    results.push({ name: sc.name, status: failure === undefined && verdict.ok ? 'pass' : 'fail', detail: failure ?? verdict.detail })
  }
  return results
}
