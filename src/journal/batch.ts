/**
 * The journal file's batched write: the lines of one event-loop turn go out in one write, and each
 * answer held back by its line is released once the write is done (with the error when it failed,
 * or withdrawn when the answer was no longer wanted by then).
 * @see docs/design.md "Admin API"
 */

/** Given to an answer whose line was not written because it was no longer wanted (the receiver stopped). */
export class AnswerWithdrawn extends Error {
  constructor() {
    super('answer withdrawn: the receiver stopped before it was written')
    this.name = 'AnswerWithdrawn'
  }
}

/** A line waiting for the batched write, with the answer it holds back. */
export interface QueuedLine {
  line: string
  release?: (err?: unknown) => void
  /** Asked at write time; false leaves the line out and releases the answer as withdrawn. */
  wanted?: () => boolean
}

export interface LineBatch {
  push(item: QueuedLine): void
  /** Writes now (one write), then releases; a write error is thrown after every answer got it. */
  flush(): void
  /** flush() at the end of this event-loop turn (setImmediate), errors reported to the answers only. */
  flushSoon(): void
  /** flush() now, errors reported to the answers only. */
  flushQuietly(): void
}

export function createLineBatch(write: (text: string) => void): LineBatch {
  let queue: QueuedLine[] = []
  let scheduled = false

  function flush(): void {
    scheduled = false
    if (queue.length === 0) return
    const items = queue
    queue = []
    let text = ''
    const withdrawn = new Set<QueuedLine>()
    for (const it of items) {
      if (it.wanted && !it.wanted()) withdrawn.add(it)
      else text += it.line
    }
    let error: unknown
    try {
      if (text !== '') write(text)
    } catch (err) {
      error = err
    }
    for (const it of items) it.release?.(withdrawn.has(it) ? new AnswerWithdrawn() : error)
    if (error !== undefined) throw error
  }

  function flushQuietly(): void {
    try {
      flush()
    } catch {
      // Reported to every waiting answer through its release.
    }
  }

  return {
    push: (item) => void queue.push(item),
    flush,
    flushQuietly,
    flushSoon() {
      if (scheduled) return
      scheduled = true
      setImmediate(flushQuietly)
    },
  }
}
