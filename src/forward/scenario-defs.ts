/**
 * The forward client scenarios, one definition each: what the listener does (fault rules, shared
 * key, a second listener), what the client is asked to emit, and how the journal is judged (the
 * chunk id is the delivery key). Run by runForwardScenarios (scenarios.ts).
 */
import type { JournalEntry } from '../journal/index.js'
import type { ForwardFaultRule } from './faults.js'
import type { SecuritySettings } from './handshake.js'
import type { ForwardClientProfile, ForwardClientSession } from './scenarios.js'

/** What a scenario's judge sees: the journal of the listener the client was sent to, and of the standby one (failover). */
export interface ForwardObservation {
  primary: JournalEntry[]
  standby: JournalEntry[]
}

export interface ForwardVerdict {
  ok: boolean
  detail: string
  /** Journal entry ids behind the verdict. */
  evidence: number[]
}

export interface ForwardScenarioDef {
  name: string
  title: string
  /** The promise of the profile it pins. */
  pins: keyof ForwardClientProfile
  /** Why it does not apply to the profile, or undefined. */
  skip(p: ForwardClientProfile): string | undefined
  faults: ForwardFaultRule[]
  security?: SecuritySettings
  /** A second, healthy listener the client is given as its standby server. */
  standby?: true
  /** Longest the run may take, ms (then it fails with "no outcome"). */
  deadlineMs(p: ForwardClientProfile): number
  run(session: ForwardClientSession, p: ForwardClientProfile): Promise<void>
  judge(obs: ForwardObservation, p: ForwardClientProfile): ForwardVerdict
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
const forwardOf = (es: JournalEntry[]): JournalEntry[] => es.filter((e) => e.kind === 'request' && e.protocol === 'forward')
const recordsOf = (es: JournalEntry[]): unknown[] => forwardOf(es).flatMap((e) => (e.events ?? []).map((ev) => ev.record['n']))
const ids = (es: JournalEntry[]): number[] => es.map((e) => e.id)
const within = <T>(p: Promise<T>, ms: number, fallback: T): Promise<T> => Promise.race([p, sleep(ms).then(() => fallback)])

export const FORWARD_SCENARIOS: readonly ForwardScenarioDef[] = [
  {
    name: 'delivers-with-ack',
    title: 'every record arrives in a message that asks for an ack, and is acked',
    pins: 'ack',
    skip: (p) => (p.ack ? undefined : 'the client does not ask for acks'),
    faults: [],
    deadlineMs: (p) => 3 * p.ackTimeoutMs + 20_000,
    async run(s) {
      for (let n = 1; n <= 3; n++) await s.emit('conf.ack', { n })
    },
    judge({ primary }) {
      const fw = forwardOf(primary)
      const acked = fw.filter((e) => e.forward?.ack === 'sent' && e.forward.chunk !== undefined)
      const got = new Set(recordsOf(acked))
      const missing = [1, 2, 3].filter((n) => !got.has(n))
      const unasked = fw.filter((e) => e.forward?.chunk === undefined)
      const ok = missing.length === 0 && unasked.length === 0
      const detail = ok ? `records 1, 2, 3 acked with a chunk id (${fw.length} messages)` : missing.length > 0 ? `records ${missing.join(', ')} never acked (${fw.length} messages, ${acked.length} acked)` : `${unasked.length} messages without a chunk id (no ack asked)`
      return { ok, detail, evidence: ids(ok ? acked : fw) }
    },
  },
  {
    name: 'at-least-once-with-ack',
    title: 'a chunk whose ack is withheld is sent again with the same chunk id, until acked',
    pins: 'resendsUnacked',
    skip: (p) => (!p.ack ? 'the client does not ask for acks' : !p.resendsUnacked ? 'the profile does not promise to resend an unacked chunk' : undefined),
    faults: [{ action: 'withhold-ack', match: { attempt: 1 } }],
    deadlineMs: (p) => 4 * p.ackTimeoutMs + 2 * p.reconnectIntervalMs + 20_000,
    async run(s, p) {
      await s.emit('conf.alo', { n: 1 })
      await sleep(p.ackTimeoutMs * 2)
    },
    judge({ primary }) {
      const fw = forwardOf(primary)
      const first = fw[0]
      const resent = fw.find((e) => e !== first && e.deliveryKey === first?.deliveryKey && e.forward?.ack === 'sent')
      return {
        ok: first !== undefined && resent !== undefined,
        detail: resent ? `chunk resent as attempt ${resent.attempt ?? '?'} and acked` : `the unacked chunk was not resent with its chunk id (${fw.length} messages, chunk ids ${fw.map((e) => e.forward?.chunk ?? '-').join(', ')})`,
        evidence: ids(resent && first ? [first, resent] : fw),
      }
    },
  },
  {
    name: 'no-duplicate-after-ack',
    title: 'an acked chunk is never sent again',
    pins: 'ack',
    skip: (p) => (p.ack ? undefined : 'the client does not ask for acks'),
    faults: [],
    deadlineMs: (p) => 3 * p.ackTimeoutMs + 25_000,
    async run(s, p) {
      for (let n = 1; n <= 3; n++) await s.emit('conf.dup', { n })
      await sleep(Math.min(p.ackTimeoutMs * 2, 5000))
    },
    judge({ primary }) {
      const fw = forwardOf(primary)
      const again = fw.filter((e) => (e.attempt ?? 1) > 1)
      const recs = recordsOf(primary)
      const ok = again.length === 0 && new Set(recs).size === recs.length
      return { ok, detail: ok ? `${recs.length} records, none sent twice` : `${again.length} acked chunks sent again; records ${JSON.stringify(recs)}`, evidence: ids(ok ? fw : again) }
    },
  },
  {
    name: 'reconnect-after-reset',
    title: 'after the server resets the connection, the client opens a new one and delivers on it',
    pins: 'reconnects',
    skip: (p) => (p.reconnects ? undefined : 'the profile does not promise to reconnect'),
    faults: [{ action: 'reset', times: 1 }],
    deadlineMs: (p) => 8 * p.ackTimeoutMs + 4 * p.reconnectIntervalMs + 20_000,
    async run(s, p) {
      const wait = p.ackTimeoutMs + p.reconnectIntervalMs + 500
      await within(s.emit('conf.reset', { n: 1 }), wait, undefined)
      const deadline = Date.now() + 4 * (p.ackTimeoutMs + p.reconnectIntervalMs) + 2000
      while (Date.now() < deadline) {
        if ((await within(s.emit('conf.reset', { n: 2 }), wait, new Error('no outcome'))) === undefined) return
        await sleep(200)
      }
    },
    judge({ primary }) {
      const fw = forwardOf(primary)
      const reset = fw.find((e) => e.outcome === 'reset')
      const later = fw.find((e) => reset && e.connectionId !== reset.connectionId && (e.events ?? []).length > 0)
      return {
        ok: reset !== undefined && later !== undefined,
        detail: later ? 'delivered on a new connection after the reset' : `nothing delivered on a new connection after the reset (${fw.length} messages)`,
        evidence: ids(reset && later ? [reset, later] : fw),
      }
    },
  },
  {
    name: 'handshake-refused',
    title: 'a refused shared_key handshake is reported as a failure and nothing is sent without one',
    pins: 'handshake',
    skip: (p) => (p.handshake ? undefined : 'the client does not speak the shared_key handshake'),
    faults: [{ action: 'refuse-key', reason: 'refused by the conformance run' }],
    security: { sharedKey: 'conformance', selfHostname: 'fake-fluentd' },
    deadlineMs: (p) => 2 * p.ackTimeoutMs + 20_000,
    async run(s, p) {
      const outcome = await within<Error | undefined | 'no outcome'>(s.emit('conf.auth', { n: 1 }), p.ackTimeoutMs + 1000, 'no outcome')
      if (outcome === undefined) throw new Error('the client reported success although the handshake was refused')
    },
    judge({ primary }) {
      const refused = primary.filter((e) => e.kind === 'connection' && e.outcome === 'refused')
      const fw = forwardOf(primary)
      return { ok: refused.length > 0 && fw.length === 0, detail: `${refused.length} refused handshakes, ${fw.length} messages sent without one`, evidence: ids([...refused, ...fw]) }
    },
  },
  {
    name: 'heartbeat-failover',
    title: 'a server whose UDP heartbeats go unanswered is taken as down: records go to the standby server',
    pins: 'heartbeat',
    skip: (p) => (p.heartbeat ? undefined : 'the profile does not say the client uses heartbeats'),
    faults: [{ action: 'drop-heartbeat' }],
    standby: true,
    deadlineMs: (p) => (p.failoverWithinMs ?? 0) + 4 * p.ackTimeoutMs + 30_000,
    async run(s, p) {
      // The client gets time to see the missing heartbeats (its own detector), then emits.
      await sleep(p.failoverWithinMs ?? 0)
      for (let n = 1; n <= 3; n++) await s.emit('conf.failover', { n })
    },
    judge({ primary, standby }) {
      const onStandby = new Set(recordsOf(standby))
      const missing = [1, 2, 3].filter((n) => !onStandby.has(n))
      const toPrimary = forwardOf(primary).filter((e) => (e.events ?? []).length > 0)
      const ok = missing.length === 0
      return {
        ok,
        detail: ok ? `records 1, 2, 3 went to the standby server (${toPrimary.length} messages to the silent one)` : `records ${missing.join(', ')} did not reach the standby server; ${toPrimary.length} messages went to the server whose heartbeats were dropped`,
        evidence: ids([...forwardOf(standby), ...toPrimary]),
      }
    },
  },
]
