/**
 * One receiver per scenario (port 0, loopback, HTTPS with the shared generated CA, validation on,
 * its own fault plan and journal), so that scenarios can run in parallel without sharing state.
 */
import { ensureCertificates } from '../certs/index.js'
import type { JournalEntry } from '../journal/index.js'
import { createFaultEngine, type FaultEngine } from '../faults/index.js'
import { startReceiver } from '../server/index.js'
import type { TlsOptions } from '../receiver/index.js'
import { createValidator, type Validator } from '../validation/index.js'

/** What the runner needs of a receiver. */
export interface ScenarioReceiver {
  /** Base ingest URL, e.g. `https://127.0.0.1:40123`. */
  url: string
  /** CA file path a sender should trust ('' when none). */
  caFile: string
  /**
   * TCP connections accepted so far (monotonic ms of arrival). The journal records requests and
   * failed handshakes as the server sees them; a client that completes the handshake and then
   * refuses the certificate (Node and undici do that) leaves no entry, only a connection.
   */
  connections(): ConnectionSeen[]
  /** Journal entries so far, in id order. */
  entries(): JournalEntry[]
  /** Calls `fn` on every new or completed entry; returns the unsubscribe function. */
  subscribe(fn: () => void): () => void
  close(): Promise<void>
}

/** One TCP connection the receiver accepted. */
export interface ConnectionSeen {
  connectionId: number
  mono: number
}

/** Wraps a fault engine to note every connection it is asked about (one per accepted TCP connection). */
function recordingEngine(engine: FaultEngine, seen: ConnectionSeen[]): FaultEngine {
  return {
    decideConnection(facts) {
      seen.push({ connectionId: facts.connectionId, mono: performance.now() })
      return engine.decideConnection(facts)
    },
    decideRequest: (facts) => engine.decideRequest(facts),
    describe: () => engine.describe(),
    setPlan: (plan) => engine.setPlan(plan),
    clear: () => engine.clear(),
    resetCounters: () => engine.resetCounters(),
  }
}

/** Starts a receiver with a fault plan (undefined: plain Fluentd behaviour). */
export type ReceiverFactory = (options: { plan?: unknown }) => Promise<ScenarioReceiver>

export interface DefaultReceiverFactoryOptions {
  /** Certificate cache directory (default `certs` in the working directory, as `serve`). */
  certDir?: string
}

/**
 * The default factory: generates (or reuses) the CA and server certificate once, compiles the
 * schemas once, then starts a fresh receiver per call.
 */
export async function createReceiverFactory(options: DefaultReceiverFactoryOptions = {}): Promise<ReceiverFactory> {
  const certs = await ensureCertificates({ certDir: options.certDir })
  const tls: TlsOptions = { cert: certs.cert, key: certs.key, ca: certs.ca, caPath: certs.caPath }
  // Eager: a schema compiled on first use would stall every receiver of the run mid-interval.
  const validator: Validator = createValidator({ eager: true })
  return async ({ plan }) => {
    const seen: ConnectionSeen[] = []
    const receiver = await startReceiver({
      port: 0,
      host: '127.0.0.1',
      tls,
      validator,
      validate: 'warn',
      faults: recordingEngine(createFaultEngine({ plan: plan ?? { rules: [] } }), seen),
      adminPort: false,
    })
    return {
      url: receiver.url,
      caFile: receiver.caPath ?? certs.caPath ?? '',
      connections: () => [...seen],
      entries: () => receiver.journal.entries({ since: 0, limit: Number.MAX_SAFE_INTEGER }),
      subscribe: (fn) => receiver.journal.subscribe(() => fn()),
      close: () => receiver.close(),
    }
  }
}
