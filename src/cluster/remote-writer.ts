/**
 * A worker's journal writer (`serve --workers N`): the lines of one event-loop turn are encoded as
 * batch.ts encodes them for a file and sent to the primary in one message; the primary writes them
 * with its own writer (the one journal file) and acknowledges the batch. An answer held back by its
 * line is released only by that acknowledgement, so the no-loss rule holds across processes: a 2xx
 * goes out only after its line was handed to the kernel, by the primary. Without a journal file
 * (`ack` false) the lines only feed the primary's in-memory journal, and nothing waits for them.
 * @see docs/design.md "Beyond one core"
 */
import { createBatchingWriter, type LineWriter, type QueuedLine } from '../journal/index.js'
import type { FromWorker, ToWorker } from './protocol.js'

/** The primary stopped answering: an answer waiting for it is not sent. */
export class PrimaryGone extends Error {
  readonly code = 'EPIPE'
  constructor() {
    super('the primary process is gone: the journal line was not written')
    this.name = 'PrimaryGone'
  }
}

export interface RemoteLineWriter extends LineWriter {
  /** Hands the primary's acknowledgement of a batch to the answers waiting for it. */
  acknowledged(ack: Extract<ToWorker, { t: 'ack' }>): void
  /** The channel to the primary closed: every waiting answer gets PrimaryGone. */
  lost(): void
}

/**
 * `send` posts one message to the primary (process.send); `ack` says whether answers wait for the
 * primary's write (a journal file) or are released once their batch is sent.
 */
export function createRemoteLineWriter(send: (message: FromWorker) => boolean, ack: boolean): RemoteLineWriter {
  let seq = 0
  /** Batches sent and not yet acknowledged: their items, by sequence number. */
  const waiting = new Map<number, QueuedLine[]>()
  const writer = createBatchingWriter(({ items, ends, buf }) => {
    seq++
    // A copy: the encoder reuses its buffer for the next batch.
    if (!send({ t: 'lines', seq, buf: Uint8Array.prototype.slice.call(buf), ends })) {
      for (const it of items) it.release?.(new PrimaryGone())
    } else if (ack) waiting.set(seq, items)
    else for (const it of items) it.release?.()
  })

  return {
    ...writer,
    acknowledged({ seq: done, failed }) {
      const items = waiting.get(done)
      if (!items) return
      waiting.delete(done)
      const why = new Map(failed)
      for (let i = 0; i < items.length; i++) {
        const reason = why.get(i)
        items[i]!.release?.(reason === undefined ? undefined : Object.assign(new Error(reason), { code: 'EIO' }))
      }
    },
    lost() {
      for (const items of waiting.values()) for (const it of items) it.release?.(new PrimaryGone())
      waiting.clear()
      // What is still queued goes to a channel that is closed: PrimaryGone too.
      writer.close()
    },
  }
}
