/**
 * A worker of `serve --workers N`: today's receiver (TLS, node's parser, decoding, parsing,
 * validation, the journal line) on the ingest port that the cluster's processes share. Its journal
 * keeps only what its exchanges need in memory and hands every line to the primary
 * (remote-writer.ts); the primary owns the file, the in-memory journal, the admin API and the printer.
 * @see docs/design.md "Beyond one core"
 */
import cluster from 'node:cluster'
import { systemClock } from '../clock/index.js'
import { isFakeFluentdError } from '../errors.js'
import { createJournal } from '../journal/index.js'
import { createReceiver, type ReceiverCore } from '../receiver/index.js'
import { createValidator } from '../validation/index.js'
import { STATS_MS, type FromWorker, type ToWorker } from './protocol.js'
import { createRemoteLineWriter, type RemoteLineWriter } from './remote-writer.js'

/** What a worker's own journal keeps in memory: only its exchanges in flight read it. */
const WORKER_JOURNAL_MAX = 1024
const WORKER_JOURNAL_BYTES = 8 * 1024 * 1024
/** A worker's own delivery count is replaced by the primary's (adopt.ts); it needs little memory. */
const WORKER_DELIVERY_BYTES = 1024 * 1024

const send = (message: FromWorker, done?: () => void): boolean => {
  if (!process.connected || !process.send) return false
  process.send(message, undefined, {}, done)
  return true
}

/** Runs this process as a worker: waits for the primary's `start`, then serves until `stop`. */
export function runWorker(): void {
  const id = cluster.worker?.id ?? 0
  let writer: RemoteLineWriter | undefined
  let core: ReceiverCore | undefined
  let stopping = false

  async function start(message: Extract<ToWorker, { t: 'start' }>): Promise<void> {
    writer = createRemoteLineWriter(send, message.ack)
    const shift = performance.timeOrigin - message.timeOrigin
    const journal = createJournal({ max: WORKER_JOURNAL_MAX, maxBytes: WORKER_JOURNAL_BYTES, writer, linesKeepBody: true })
    const validate = message.options.validate ?? 'warn'
    try {
      core = await createReceiver(
        {
          ...message.options,
          deliveryStateBytes: WORKER_DELIVERY_BYTES,
          // Monotonic times on the primary's scale: entries of all workers compare.
          clock: { ...systemClock, now: () => performance.now() + shift },
          validator: validate === 'off' ? undefined : createValidator(),
          onError: (err) => void process.stderr.write(`fake-fluentd: worker ${id}: internal error (contained): ${err instanceof Error ? err.message : String(err)}\n`),
        },
        { tls: message.tls, journal, sharedPort: true },
      )
    } catch (err) {
      journal.close()
      send({ t: 'failed', message: (err as Error).message, ...(isFakeFluentdError(err) ? { code: err.code } : {}) }, () => process.exit(1))
      return
    }
    core.log.subscribe((event) => void send({ t: 'log', event }))
    let reported = -1
    const stats = setInterval(() => {
      if (core && core.connections !== reported) {
        reported = core.connections
        send({ t: 'stats', connections: reported })
      }
    }, STATS_MS)
    stats.unref()
    const stop = async (): Promise<void> => {
      if (stopping) return
      stopping = true
      clearInterval(stats)
      await core?.close()
      // Pending entries go to the primary as lines; the last message's callback means it was sent.
      journal.close()
      const sent = send({ t: 'stats', connections: 0 }, () => {
        cluster.worker?.disconnect()
        process.exit(0)
      })
      if (!sent) process.exit(0)
    }
    stopRequested = () => void stop()
    send({ t: 'ready', port: core.port })
  }

  let stopRequested = (): void => process.exit(0)
  process.on('message', (message: ToWorker) => {
    if (message.t === 'start') void start(message)
    else if (message.t === 'ack') writer?.acknowledged(message)
    else if (message.t === 'stop') stopRequested()
  })
  // The primary went away: nothing can be written any more, so no answer may go out.
  process.once('disconnect', () => writer?.lost())
  // Signals are the primary's to handle (a Ctrl-C reaches the whole process group): it stops the workers.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => stopRequested())
  send({ t: 'hello' })
}
