/** Retry profile files for the profile tests: written to a temporary directory, removed after the file's tests. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect } from 'vitest'
import { isFakeFluentdError } from '../../src/errors.js'

/** A temporary directory for this test file's profiles, and `file(name, content)` to write one there. */
export function profileFiles(prefix: string): { dir: string; file(name: string, content: unknown): string } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return {
    dir,
    file(name, content) {
      const p = join(dir, name)
      writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content))
      return p
    },
  }
}

/** The message of the FF_ERR_PROFILE that `fn` throws (fails the test when it throws anything else, or nothing). */
export function profileError(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(isFakeFluentdError(err, 'FF_ERR_PROFILE')).toBe(true)
    return (err as Error).message
  }
  throw new Error('expected FF_ERR_PROFILE')
}
