/**
 * The composition root: assembles certificates, the journal, the fault engine, the protocol
 * emulator (src/receiver) and the admin API into one running fake Fluentd. Used by `serve`, `demo`
 * and `conformance`; printing is left to the caller (src/cli attaches its printer to the journal).
 * @see docs/design.md "Parts"
 */
import { startAdminServer, type AdminServer } from '../admin/index.js'
import { ensureCertificates } from '../certs/index.js'
import { systemClock } from '../clock/index.js'
import { FakeFluentdError } from '../errors.js'
import { createFaultEngine, type FaultEngine } from '../faults/index.js'
import { startForwardServer, type ForwardOptions, type ForwardServer } from '../forward/index.js'
import { createJournal } from '../journal/index.js'
import { startClusterCore } from '../cluster/index.js'
import { checkOptions, createReceiver, type Receiver, type ReceiverCore, type ReceiverOptions, type TlsOptions } from '../receiver/index.js'

/** How long close() waits for listeners and the admin API before it lets go. */
const CLOSE_GRACE_MS = 800

/** The certificate and key to serve: given, none (plain HTTP), or generated once and cached in certDir. */
async function tlsMaterial(options: ReceiverOptions): Promise<TlsOptions | undefined> {
  if (options.tls === false) return undefined
  if (typeof options.tls === 'object') return options.tls
  const set = await ensureCertificates({ certDir: options.certDir, hosts: options.hosts })
  return { cert: set.cert, key: set.key, ca: set.ca, caPath: set.caPath }
}

/**
 * Starts the fake Fluentd. Resolves once the ingest listener (and the admin API when asked) listen.
 * Throws FakeFluentdError FF_ERR_LISTEN when a port cannot be bound, FF_ERR_CERT / FF_ERR_OPTION on
 * bad certificates or options.
 */
export async function startReceiver(options: ReceiverOptions & { forward?: ForwardOptions } = {}): Promise<Receiver & { forward?: ForwardServer }> {
  checkOptions(options)
  const clock = options.clock ?? systemClock
  const host = options.host ?? '127.0.0.1'
  const tls = await tlsMaterial(options)
  // Fault engine: given, none (false), or an empty plan so `PUT /api/faults` can load one later.
  // With --workers there is no engine: a plan's steps need the one process that counts them.
  const workers = options.workers ?? 1
  const faults: FaultEngine | undefined = options.faults === false || workers > 1 ? undefined : (options.faults ?? createFaultEngine({ seed: options.seed, clock }))
  const ownJournal = !options.journal
  const journal = options.journal ?? createJournal({ max: options.journalMax, maxBytes: options.journalMaxBytes, file: options.journalFile, clock })

  let core: ReceiverCore
  try {
    core = workers > 1 ? await startClusterCore(options, { tls, journal }, workers) : await createReceiver(options, { tls, journal, faults })
  } catch (err) {
    if (ownJournal) journal.close()
    if (err instanceof FakeFluentdError) throw err
    const port = options.port ?? 9880
    throw new FakeFluentdError('FF_ERR_LISTEN', `Cannot listen on ${host}:${port}: ${(err as Error).message}. Pick another --port (0 = any free port).`, { cause: err })
  }

  // The forward listener (serve --forward-port), beside in_http on the same journal. `tls: true`
  // uses in_http's certificate (generated ones even when in_http itself is plain).
  let forward: ForwardServer | undefined
  let forwardTls: TlsOptions | { cert: string; key: string } | undefined
  if (options.forward) {
    try {
      forwardTls = options.forward.tls === true ? (tls ?? (await tlsMaterial({ ...options, tls: true }))) : options.forward.tls
      forward = await startForwardServer({ ...options.forward, tls: forwardTls }, { journal, clock, onError: options.onError })
    } catch (err) {
      await core.close()
      if (ownJournal) journal.close()
      throw err
    }
  }

  let admin: AdminServer | undefined
  if (options.adminPort !== undefined && options.adminPort !== false) {
    try {
      admin = await startAdminServer({
        port: options.adminPort,
        host: options.adminHost ?? '127.0.0.1',
        journal,
        faults: () => faults,
        mount: options.adminMount,
        ...options.adminSettings,
        security: { hosts: options.hosts ?? [], ...options.adminSettings?.security },
        info: () => ({ ingestUrl: core.url, refusing: core.refusing, connections: core.connections, ...(core.workers ? { workers: core.workers } : {}) }),
      })
    } catch (err) {
      await Promise.all([core.close(), forward?.close()])
      if (ownJournal) journal.close()
      throw err
    }
  }

  let closed: Promise<void> | undefined
  return {
    url: core.url,
    port: core.port,
    host: core.host,
    protocol: core.protocol,
    adminUrl: admin?.url,
    adminPort: admin?.port,
    // The CA of in_http's certificate, or of the forward listener's when only it has TLS.
    caPath: tls?.caPath ?? (forwardTls && 'caPath' in forwardTls ? forwardTls.caPath : undefined),
    ca: tls?.ca ?? (forwardTls && 'ca' in forwardTls ? forwardTls.ca : undefined),
    journal,
    faults,
    forward,
    log: core.log,
    get refusing() {
      return core.refusing
    },
    close() {
      closed ??= (async () => {
        const waits = [core.close(), ...(admin ? [admin.close()] : []), ...(forward ? [forward.close()] : [])]
        await Promise.race([Promise.all(waits), new Promise<void>((r) => setTimeout(r, CLOSE_GRACE_MS).unref())])
        if (ownJournal) journal.close()
      })()
      return closed
    },
  }
}
