/**
 * The journal file's writer. Lines queued during one event-loop turn go out together in one
 * synchronous write at the end of the turn (setImmediate); each answer held back by its line is
 * released once the kernel took all of its bytes (with the error when it did not, or withdrawn when
 * the answer was no longer wanted by then). Lines are written in the order they were queued.
 *
 * Synchronous on purpose: an asynchronous write (libuv's thread pool) cost the main thread as much
 * CPU per batch (the dispatch, measured in bench/results.md) and held every answer back by a thread
 * round trip, long enough for a client's FIN to close the connection before its answer went out.
 *
 * The byte count of every write is checked: a short write is continued, and when the kernel refuses
 * the rest (a full disk, `ulimit -f`, an I/O error) the file is cut back to the end of the last line
 * it took in full, so no line is ever partial; the answers whose lines did not make it get the
 * error (the receiver answers 500 instead of 2xx).
 * @see docs/design.md "Admin API"
 */
import { closeSync, fstatSync, ftruncateSync, writeSync } from 'node:fs'

/** Given to an answer whose line was not written because it was no longer wanted (the receiver stopped). */
export class AnswerWithdrawn extends Error {
  constructor() {
    super('answer withdrawn: the receiver stopped before it was written')
    this.name = 'AnswerWithdrawn'
  }
}

/** The kernel took fewer bytes than asked and gave no reason on retry. */
export class ShortWriteError extends Error {
  readonly code = 'EIO'
  constructor(written: number, wanted: number) {
    super(`short write: ${written} of ${wanted} bytes`)
    this.name = 'ShortWriteError'
  }
}

/** A line waiting for the batched write, with the answer it holds back. */
export interface QueuedLine {
  /**
   * The line(s), each ending with '\n', in pieces written one after the other: pieces that are flat
   * strings (a JSON.stringify result, a slice of one) are encoded straight into the batch's buffer,
   * where one concatenated string would first be flattened on the JS heap.
   */
  line: string | readonly string[]
  release?: (err?: unknown) => void
  /** Asked at write time; false leaves the line out and releases the answer as withdrawn. */
  wanted?: () => boolean
}

export interface LineWriter {
  /** Queues a line; it is written at the end of this event-loop turn. */
  push(item: QueuedLine): void
  /** Writes what is queued now. */
  flushSync(): void
  /** Writes what is queued and closes the file. */
  close(): void
}

/** Outcome of writing `buf`: how many bytes the kernel took, and why it stopped short. */
interface Written {
  bytes: number
  error?: unknown
}

/** The batch buffer kept between writes up to this size (a larger batch gets a buffer of its own). */
const KEEP_BUFFER_BYTES = 1024 * 1024

/** A batch of queued lines, encoded: the items still wanted, where each one's text ends, and the bytes. */
export interface EncodedBatch {
  items: QueuedLine[]
  ends: number[]
  buf: Buffer
}

/**
 * Encodes queued lines into one buffer, reused between batches (one Buffer per batch was a tenth of
 * what a request allocated, bench/results.md); the lines no longer wanted are released at once as
 * withdrawn. The buffer is valid until the next encode().
 */
function createBatchEncoder(): { encode(all: readonly QueuedLine[]): EncodedBatch } {
  let scratch = Buffer.allocUnsafeSlow(64 * 1024)
  return {
    encode(all) {
      const items: QueuedLine[] = []
      const ends: number[] = []
      let buf = scratch
      let off = 0
      const put = (piece: string): void => {
        // UTF-8 takes at most 3 bytes per UTF-16 code unit.
        if (off + piece.length * 3 > buf.length) {
          const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, off + piece.length * 3))
          buf.copy(bigger, 0, 0, off)
          buf = bigger
          if (buf.length <= KEEP_BUFFER_BYTES) scratch = buf
        }
        off += buf.write(piece, off)
      }
      for (const it of all) {
        if (it.wanted && !it.wanted()) {
          it.release?.(new AnswerWithdrawn())
          continue
        }
        if (typeof it.line === 'string') put(it.line)
        else for (const piece of it.line) put(piece)
        items.push(it)
        ends.push(off)
      }
      return { items, ends, buf: buf.subarray(0, off) }
    },
  }
}

/**
 * Where a turn's batch goes (a file, or the primary of `--workers`): it must release every item of
 * the batch, now or later, with the error when its line was not taken.
 */
export type BatchSink = (batch: EncodedBatch) => void

/**
 * The turn batching every journal writer shares: lines queued during one event-loop turn are encoded
 * together at its end (setImmediate) and handed to `sink` in one batch. After close(), a queued or
 * pushed line is released as withdrawn.
 */
export function createBatchingWriter(sink: BatchSink, onClose: () => void = () => {}): LineWriter {
  const encoder = createBatchEncoder()
  let queue: QueuedLine[] = []
  let scheduled = false
  let closed = false

  function flushSync(): void {
    scheduled = false
    if (queue.length === 0 || closed) return
    const all = queue
    queue = []
    const batch = encoder.encode(all)
    if (batch.items.length > 0) sink(batch)
  }

  return {
    push(item) {
      if (closed) {
        item.release?.(new AnswerWithdrawn())
        return
      }
      queue.push(item)
      if (!scheduled) {
        scheduled = true
        setImmediate(flushSync)
      }
    },
    flushSync,
    close() {
      if (closed) return
      flushSync()
      closed = true
      onClose()
    },
  }
}

export function createLineWriter(fd: number): LineWriter {
  /** Where the file ends: the truncation point when a write stops mid-line. */
  let size = fstatSync(fd).size

  /** Releases the items after a write of `w.bytes` of the batch: those whose lines are whole in the file (`ends`: where each line ends) succeed. */
  function finish(items: QueuedLine[], ends: number[], w: Written): void {
    const total = ends.length === 0 ? 0 : ends[ends.length - 1]!
    if (w.bytes === total) {
      size += total
      for (const it of items) it.release?.()
      return
    }
    // Cut the file back to the end of the last whole line, then fail the rest.
    let ok = 0
    while (ok < ends.length && ends[ok]! <= w.bytes) ok++
    const whole = ok === 0 ? 0 : ends[ok - 1]!
    let error: unknown = w.error ?? new ShortWriteError(w.bytes, total)
    try {
      if (whole !== w.bytes) ftruncateSync(fd, size + whole)
    } catch (err) {
      error = err
    }
    size += whole
    for (let i = 0; i < items.length; i++) items[i]!.release?.(i < ok ? undefined : error)
  }

  /** Writes all of `buf`, continuing after a short write until the kernel refuses (its error) or takes nothing. */
  function writeAll(buf: Buffer): Written {
    let off = 0
    while (off < buf.length) {
      try {
        const n = writeSync(fd, buf, off, buf.length - off)
        if (n <= 0) return { bytes: off }
        off += n
      } catch (error) {
        return { bytes: off, error }
      }
    }
    return { bytes: off }
  }

  return createBatchingWriter(
    ({ items, ends, buf }) => {
      if (buf.length === 0) for (const it of items) it.release?.()
      else finish(items, ends, writeAll(buf))
    },
    () => closeSync(fd),
  )
}
