/**
 * One receiver per scenario (port 0, loopback, HTTPS with the shared generated CA, validation on,
 * its own fault plan and journal), so that scenarios can run in parallel without sharing state.
 */
import { ensureCertificates } from '../certs/index.js'
import type { JournalEntry } from '../journal/index.js'
import { createFaultEngine } from '../faults/index.js'
import { isSuccessStatus, type RetryProfile } from '../profile/index.js'
import { startReceiver } from '../server/index.js'
import { subscribeObservations, type ReceiverObservation, type TlsOptions } from '../receiver/index.js'
import { createValidator, type Validator } from '../validation/index.js'

/** What the runner needs of a receiver. */
export interface ScenarioReceiver {
  /** Base ingest URL, e.g. `https://127.0.0.1:40123`. */
  url: string
  /** CA file path a sender should trust ('' when none). */
  caFile: string
  /**
   * TCP connections accepted so far (monotonic ms of arrival), from the receiver's observations. The
   * journal records requests and failed handshakes as the server sees them; a client that completes
   * the handshake and then refuses the certificate (Node and undici do that) leaves only a connection.
   */
  connections(): ConnectionSeen[]
  /** Journal entries so far, in id order. */
  entries(): JournalEntry[]
  /** Calls `fn` on everything the receiver observes (accept, handshake, request, answer); returns the unsubscribe function. */
  observe(fn: (o: ReceiverObservation) => void): () => void
  close(): Promise<void>
}

/** One TCP connection the receiver accepted. */
export interface ConnectionSeen {
  connectionId: number
  mono: number
}

/** Starts a receiver with a fault plan (undefined: plain Fluentd behaviour); `profile` says what ends a delivery. */
export type ReceiverFactory = (options: { plan?: unknown; profile?: RetryProfile }) => Promise<ScenarioReceiver>

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
  return async ({ plan, profile }) => {
    const seen: ConnectionSeen[] = []
    const listeners = new Set<(o: ReceiverObservation) => void>()
    // Only this receiver's observations (its port); nothing connects before listen has returned it.
    let port = -1
    const unsubscribe = subscribeObservations((o) => {
      if (o.port !== port) return
      if (o.type === 'accepted') seen.push({ connectionId: o.connectionId, mono: o.mono })
      for (const fn of listeners) fn(o)
    })
    const receiver = await startReceiver({
      port: 0,
      host: '127.0.0.1',
      tls,
      validator,
      validate: 'warn',
      faults: createFaultEngine({ plan: plan ?? { rules: [] } }),
      ...(profile ? { isDeliverySuccess: (status: number) => isSuccessStatus(profile, status) } : {}),
      adminPort: false,
    }).catch((err: unknown) => {
      unsubscribe()
      throw err
    })
    port = receiver.port
    return {
      url: receiver.url,
      caFile: receiver.caPath ?? certs.caPath ?? '',
      connections: () => [...seen],
      entries: () => receiver.journal.entries({ since: 0, limit: Number.MAX_SAFE_INTEGER }),
      observe: (fn) => {
        listeners.add(fn)
        return () => listeners.delete(fn)
      },
      close: () => receiver.close().finally(unsubscribe),
    }
  }
}
