/**
 * Conformance scenarios for forward clients (fluent-logger, Fluent Bit, out_forward, ...): each runs
 * a fresh forward listener (and, for failover, a standby one) with a fault plan, drives the client
 * through an adapter and judges the journal, with the chunk id as the delivery key. A profile says
 * what the client promises; a scenario about a promise the client does not make is skipped, not
 * failed. `conformance --protocol forward` runs them (src/conformance/forward/).
 * @see docs/forward.md "Conformance for forward clients"
 */
import { createJournal, type JournalEntry } from '../journal/index.js'
import { systemClock } from '../clock/index.js'
import { startForwardServer } from './listener.js'
import { FORWARD_SCENARIOS, sleep, type ForwardScenarioDef } from './scenario-defs.js'
import type { ForwardServer } from './types.js'

/** What a forward client promises (written from its documentation; schemas/forward-profile.schema.json). */
export interface ForwardClientProfile {
  name: string
  /** Asks for acks (`chunk` in the option map). */
  ack: boolean
  /** Sends a chunk again, with the same chunk id, when its ack does not come within ackTimeoutMs. */
  resendsUnacked: boolean
  /** How long it waits for an ack before it gives up on it (ms); handed to the client. */
  ackTimeoutMs: number
  /** Opens a new connection after the server reset one, and delivers what it is given next. */
  reconnects: boolean
  /** Longest wait before it reconnects (ms); handed to the client. */
  reconnectIntervalMs: number
  /** Speaks the shared_key handshake. */
  handshake: boolean
  /** Sends UDP heartbeats and takes a server whose heartbeats go unanswered as down (out_forward's heartbeat_type udp). */
  heartbeat: boolean
  /** With heartbeat: how long after its start the client has taken a silent server as down (ms). */
  failoverWithinMs?: number
}

export interface ForwardTarget {
  host: string
  port: number
  sharedKey?: string
  /** A standby server (failover scenario). */
  standbyPort?: number
}

/** One client under test: told where to send, then asked to emit records one by one. */
export interface ForwardClientSession {
  /** Emits one record; resolves when the client reports the outcome (its error, if any). */
  emit(tag: string, record: Record<string, unknown>): Promise<Error | undefined>
  /** Ends the client (it flushes what it holds); resolves when it has. */
  close(): Promise<void>
  /** Why the client cannot be judged (it died early), or undefined. */
  problem?(): string | undefined
}

export type ForwardClientAdapter = (target: ForwardTarget, scenario: string) => Promise<ForwardClientSession>

export type ForwardScenarioStatus = 'pass' | 'fail' | 'skip' | 'error'

export interface ForwardScenarioResult {
  name: string
  title: string
  /** The profile promise it pins. */
  pins: string
  status: ForwardScenarioStatus
  detail: string
  durationMs: number
  evidence: number[]
  /** Journal entries of the scenario's listener (and the standby one after them). */
  journal: JournalEntry[]
}

export interface RunForwardOptions {
  /** Scenario names to run (default all). */
  only?: readonly string[]
  onStart?(name: string, title: string, deadlineMs: number): void
  onEnd?(result: ForwardScenarioResult): void
}

/** Runs the scenarios against a client one after another, each on a fresh listener. */
export async function runForwardScenarios(adapter: ForwardClientAdapter, profile: ForwardClientProfile, opts: RunForwardOptions = {}): Promise<ForwardScenarioResult[]> {
  const results: ForwardScenarioResult[] = []
  for (const sc of FORWARD_SCENARIOS) {
    if (opts.only && !opts.only.includes(sc.name)) continue
    const why = sc.skip(profile)
    const result = why ? { name: sc.name, title: sc.title, pins: sc.pins, status: 'skip' as const, detail: why, durationMs: 0, evidence: [], journal: [] } : await runOne(sc, adapter, profile, opts)
    opts.onEnd?.(result)
    results.push(result)
  }
  return results
}

async function runOne(sc: ForwardScenarioDef, adapter: ForwardClientAdapter, profile: ForwardClientProfile, opts: RunForwardOptions): Promise<ForwardScenarioResult> {
  const t0 = performance.now()
  const deadlineMs = sc.deadlineMs(profile)
  opts.onStart?.(sc.name, sc.title, deadlineMs)
  const journal = createJournal()
  const standbyJournal = createJournal()
  const servers: ForwardServer[] = []
  let failure: string | undefined
  let problem: string | undefined
  try {
    const server = await startForwardServer({ port: 0, faults: sc.faults, ...(sc.security ? { security: sc.security } : {}) }, { journal, clock: systemClock })
    servers.push(server)
    if (sc.standby) servers.push(await startForwardServer({ port: 0 }, { journal: standbyJournal, clock: systemClock }))
    const session = await adapter({ host: server.host, port: server.port, ...(sc.security ? { sharedKey: sc.security.sharedKey } : {}), ...(servers[1] ? { standbyPort: servers[1].port } : {}) }, sc.name)
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no outcome within the scenario's deadline (${(deadlineMs / 1000).toFixed(1)} s)`)), deadlineMs)
    })
    try {
      await Promise.race([sc.run(session, profile), deadline])
    } finally {
      clearTimeout(timer)
      // Bounded by the adapter (a command client is stopped when it does not exit).
      await session.close()
      problem = session.problem?.()
    }
    // Late messages (a resend the client had in flight) still count.
    await sleep(100)
  } catch (err) {
    failure = (err as Error).message
  } finally {
    await Promise.all(servers.map((s) => s.close()))
  }
  const obs = { primary: journal.entries(), standby: standbyJournal.entries() }
  journal.close()
  standbyJournal.close()
  const verdict = sc.judge(obs, profile)
  const status = problem !== undefined ? 'error' : failure === undefined && verdict.ok ? 'pass' : 'fail'
  return { name: sc.name, title: sc.title, pins: sc.pins, status, detail: problem ?? (failure !== undefined ? `${failure}; ${verdict.detail}` : verdict.detail), durationMs: Math.round(performance.now() - t0), evidence: verdict.evidence, journal: [...obs.primary, ...obs.standby] }
}

export { FORWARD_SCENARIOS }
