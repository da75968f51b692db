/**
 * Two processes that find no usable certificate in the same directory at the same moment (two
 * suites starting together on a clean checkout, `serve` and `conformance` started by one script)
 * must not each write their own CA: the files on disk would end up mixing both, and a client given
 * the CA path would refuse the server holding the other one. Generation therefore runs under a lock
 * file created exclusively, and writes each file whole (a temporary file renamed into place).
 */
import { closeSync, openSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/** A lock older than this was left by a process that died while generating, ms. */
const STALE_LOCK_MS = 60_000
/** How long to wait for another process's generation, ms (RSA key generation takes 1-3 s). */
const LOCK_WAIT_MS = 90_000
const POLL_MS = 50

/** Runs `fn` while holding `dir`/.lock; waits while another process holds it. */
export async function withDirLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, '.lock')
  const deadline = Date.now() + LOCK_WAIT_MS
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600)
      try {
        writeSync(fd, `${process.pid}\n`)
      } finally {
        closeSync(fd)
      }
      break
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    let ageMs = 0
    try {
      ageMs = Date.now() - statSync(lock).mtimeMs
    } catch {
      continue // released between the two calls: try again at once
    }
    if (ageMs > STALE_LOCK_MS) {
      try {
        unlinkSync(lock)
      } catch {
        // Another waiter removed it first.
      }
      continue
    }
    if (Date.now() > deadline) throw new Error(`another process has held ${lock} for ${Math.round(ageMs / 1000)} s`)
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  try {
    return await fn()
  } finally {
    try {
      unlinkSync(lock)
    } catch {
      // Removed as stale by a waiter: nothing left to release.
    }
  }
}

/** Writes `path` whole: readers see the old file or the new one, never a part. */
export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
  writeFileSync(tmp, data, { mode })
  renameSync(tmp, path)
}
