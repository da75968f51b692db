/**
 * `serve --workers N`: the primary process of a node:cluster. N workers (worker.ts) each run the
 * in_http receiver on the one ingest port (the primary accepts and hands connections out in turn,
 * node's round-robin); the primary runs no TLS and parses no request. It owns what must be one: the
 * journal (its file, written by one writer, and its memory, which the admin API, the page and the
 * printer read), the numbering of deliveries and entry ids (adopt.ts), and Fluentd's log lines.
 * A worker that dies is replaced. This is the ReceiverCore that src/server composes with the admin
 * API and the forward listener, as it composes the single-process receiver.
 * @see docs/design.md "Beyond one core"
 */
import cluster, { type Worker } from 'node:cluster'
import { fileURLToPath } from 'node:url'
import { urlFor } from '../certs/index.js'
import { FakeFluentdError } from '../errors.js'
import type { Journal } from '../journal/index.js'
import { createFluentdLog, DEFAULT_MAX_CONNECTIONS, type ReceiverCore, type ReceiverOptions, type TlsOptions, type WorkerInfo } from '../receiver/index.js'
import { createAdopter } from './adopt.js'
import type { FromWorker, ToWorker, WorkerReceiverOptions } from './protocol.js'

/** How long a stopping worker may take to hand over its last lines before it is killed, ms. */
const STOP_GRACE_MS = 700

/** The plain-data part of the options, as a worker gets it. */
function workerOptions(options: ReceiverOptions, workers: number): WorkerReceiverOptions {
  const { clock: _c, onError: _o, validator: _v, faults: _f, journal: _j, adminMount: _m, adminSettings: _s, isDeliverySuccess: _d, tls: _t, workers: _w, ...plain } = options
  // Each worker takes its share of the connection cap.
  const cap = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS
  return { ...plain, maxConnections: Math.max(1, Math.ceil(cap / workers)) }
}

/** Starts `workers` processes on one port; resolves once all of them listen. */
export async function startClusterCore(options: ReceiverOptions, parts: { tls?: TlsOptions; journal: Journal }, workers: number): Promise<ReceiverCore> {
  if (!cluster.isPrimary) throw new FakeFluentdError('FF_ERR_OPTION', 'A --workers primary cannot run inside a cluster worker.')
  const { tls, journal } = parts
  const host = options.host ?? '127.0.0.1'
  const log = createFluentdLog()
  const adopter = createAdopter({ journal, isDeliverySuccess: options.isDeliverySuccess, deliveryStateBytes: options.deliveryStateBytes })
  const ack = journal.writesFile
  /** The live workers, with what each reported. */
  const live = new Map<Worker, WorkerInfo>()
  let stopping = false

  cluster.setupPrimary({ exec: fileURLToPath(new URL('./worker-main.js', import.meta.url)), args: [], serialization: 'advanced', silent: false })

  function onLines(worker: Worker, stats: WorkerInfo, m: Extract<FromWorker, { t: 'lines' }>): void {
    const buf = Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength)
    const failed: [number, string][] = []
    let open = m.ends.length
    const done = (): void => {
      if (--open === 0 && ack && worker.isConnected()) worker.send({ t: 'ack', seq: m.seq, failed } satisfies ToWorker)
    }
    let from = 0
    stats.entries += m.ends.length
    m.ends.forEach((end, i) => {
      const text = buf.toString('utf8', from, end)
      from = end
      adopter.adopt(worker.id, text, (err) => {
        if (err !== undefined) failed.push([i, err instanceof Error ? err.message : String(err)])
        done()
      })
    })
  }

  /** Forks one worker; resolves with its port once it listens, rejects when it could not start. */
  function fork(): Promise<number> {
    const worker = cluster.fork()
    const stats: WorkerInfo = { id: worker.id, pid: worker.process.pid ?? 0, connections: 0, entries: 0 }
    live.set(worker, stats)
    return new Promise<number>((resolve, reject) => {
      let started = false
      worker.on('message', (m: FromWorker) => {
        switch (m.t) {
          case 'lines':
            return onLines(worker, stats, m)
          case 'log':
            return log.emit(m.event)
          case 'stats':
            stats.connections = m.connections
            return
          case 'hello':
            return void worker.send({ t: 'start', options: workerOptions(options, workers), tls, ack, timeOrigin: performance.timeOrigin } satisfies ToWorker)
          case 'ready':
            started = true
            return resolve(m.port)
          case 'failed':
            // As one process says it (src/server): the address, why, and what to do.
            return reject(
              m.code !== undefined
                ? new FakeFluentdError(m.code as 'FF_ERR_LISTEN', m.message)
                : new FakeFluentdError('FF_ERR_LISTEN', `Cannot listen on ${host}:${options.port ?? 9880}: ${m.message}. Pick another --port (0 = any free port).`),
            )
        }
      })
      worker.once('exit', (code, signal) => {
        live.delete(worker)
        adopter.forget(worker.id)
        if (!started) return reject(new FakeFluentdError('FF_ERR_LISTEN', `worker ${worker.id} exited before it listened (${signal ?? `exit code ${String(code)}`})`))
        if (stopping) return
        // Replace it, as Fluentd's supervisor restarts a worker; its connections were cut with it.
        process.stderr.write(`fake-fluentd: worker ${worker.id} ended (${signal ?? `exit code ${String(code)}`}); starting another\n`)
        fork().catch((err: unknown) => options.onError?.(err))
      })
    })
  }

  const stopAll = async (): Promise<void> => {
    stopping = true
    const exits = [...live.keys()].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) return resolve()
          const kill = setTimeout(() => w.process.kill('SIGKILL'), STOP_GRACE_MS)
          w.once('exit', () => {
            clearTimeout(kill)
            resolve()
          })
          if (w.isConnected()) w.send({ t: 'stop' } satisfies ToWorker)
          else w.process.kill('SIGTERM')
        }),
    )
    await Promise.all(exits)
  }

  let port: number
  try {
    // Every worker asks for the port as given: node:cluster binds it once in this process, so port 0
    // is one free port that they all share.
    const ports = await Promise.all(Array.from({ length: workers }, () => fork()))
    port = ports[0]!
    if (ports.some((p) => p !== port)) throw new FakeFluentdError('FF_ERR_LISTEN', `the workers listen on different ports (${ports.join(', ')})`)
  } catch (err) {
    await stopAll()
    throw err
  }
  const protocol = tls ? 'https' : 'http'
  let closed: Promise<void> | undefined
  return {
    port,
    host,
    protocol,
    url: urlFor(protocol, host, port),
    log,
    get connections() {
      let n = 0
      for (const w of live.values()) n += w.connections
      return n
    },
    get workers() {
      return [...live.values()].map((w) => ({ ...w }))
    },
    refusing: false,
    close() {
      closed ??= stopAll()
      return closed
    },
  }
}
