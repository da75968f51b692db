/**
 * Waiting for and checking the requests a receiver got, in the manner of WireMock's `verify`: a
 * test says what it expects (`tag`, `method`, `status`, a header, a body fragment, or any
 * predicate) and how many, and gets either the matching journal entries or one error that lists
 * what did arrive. Reads the journal only; prints nothing.
 */
import { systemClock, type Clock } from '../clock/index.js'
import { FakeFluentdError } from '../errors.js'
import type { Journal, JournalEntry } from '../journal/index.js'

/** What a request must look like to count. Every given field must match. */
export interface RequestPattern {
  tag?: string
  method?: string
  /** Status sent. */
  status?: number
  /** Header values by name (case-insensitive name, exact value). */
  headers?: Record<string, string>
  /** A fragment the body text must contain. */
  bodyIncludes?: string
  /** Anything else. */
  where?: (entry: JournalEntry) => boolean
}

/** How many: exactly n, or a range. */
export type RequestCount = number | { atLeast?: number; atMost?: number }

/** True when `entry` is a settled request that matches `pattern`. */
export function matchesRequest(entry: JournalEntry, pattern: RequestPattern): boolean {
  if (entry.kind !== 'request' || entry.outcome === 'pending') return false
  if (pattern.tag !== undefined && entry.tag !== pattern.tag) return false
  if (pattern.method !== undefined && entry.method?.toUpperCase() !== pattern.method.toUpperCase()) return false
  if (pattern.status !== undefined && entry.status !== pattern.status) return false
  for (const [name, value] of Object.entries(pattern.headers ?? {})) {
    const got = entry.headers?.[name.toLowerCase()]
    if (!(Array.isArray(got) ? got.includes(value) : got === value)) return false
  }
  if (pattern.bodyIncludes !== undefined && !(entry.body ?? '').includes(pattern.bodyIncludes)) return false
  return pattern.where === undefined || pattern.where(entry)
}

/** The settled requests of `journal` that match `pattern`, oldest first. */
export function findRequests(journal: Journal, pattern: RequestPattern = {}): JournalEntry[] {
  return journal.entries({ kind: 'request' }).filter((e) => matchesRequest(e, pattern))
}

function describePattern(pattern: RequestPattern): string {
  const parts = [
    pattern.method, pattern.tag !== undefined ? `tag ${pattern.tag}` : undefined, pattern.status !== undefined ? `status ${pattern.status}` : undefined,
    ...Object.entries(pattern.headers ?? {}).map(([n, v]) => `${n}: ${v}`), pattern.bodyIncludes !== undefined ? `body containing ${JSON.stringify(pattern.bodyIncludes)}` : undefined,
    pattern.where ? 'a predicate' : undefined,
  ].filter((p) => p !== undefined)
  return parts.length > 0 ? parts.join(', ') : 'any request'
}

function describeCount(count: RequestCount): string {
  if (typeof count === 'number') return `exactly ${count}`
  if (count.atLeast !== undefined && count.atMost !== undefined) return `${count.atLeast} to ${count.atMost}`
  return count.atMost !== undefined ? `at most ${count.atMost}` : `at least ${count.atLeast ?? 1}`
}

function countOk(n: number, count: RequestCount): boolean {
  if (typeof count === 'number') return n === count
  return n >= (count.atLeast ?? (count.atMost === undefined ? 1 : 0)) && n <= (count.atMost ?? Infinity)
}

/** What did arrive, for the error message: the last few requests in one line each. */
function seen(journal: Journal): string {
  const all = journal.entries({ kind: 'request' })
  if (all.length === 0) return 'no request arrived'
  const last = all.slice(-5).map((e) => `#${e.id} ${e.method ?? '?'} ${e.tag ?? '?'} -> ${e.status ?? e.outcome}`)
  return `${all.length} request(s) arrived${all.length > 5 ? ', the last 5' : ''}: ${last.join('; ')}`
}

/**
 * Checks now that `count` settled requests match `pattern` (default: at least one); returns them.
 * Throws FakeFluentdError FF_ERR_VERIFY saying what was expected and what arrived.
 */
export function verifyRequests(journal: Journal, pattern: RequestPattern = {}, count: RequestCount = { atLeast: 1 }): JournalEntry[] {
  const found = findRequests(journal, pattern)
  if (!countOk(found.length, count)) {
    throw new FakeFluentdError('FF_ERR_VERIFY', `expected ${describeCount(count)} request(s) matching ${describePattern(pattern)}, found ${found.length}; ${seen(journal)}`)
  }
  return found
}

export interface WaitForRequestsOptions {
  /** How many matching requests to wait for (default 1). */
  count?: number
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number
  /** The clock of the timeout (default the system clock; a ManualClock in tests). */
  clock?: Clock
}

/**
 * Resolves with the matching requests once at least `count` have settled; rejects with
 * FF_ERR_VERIFY (what was expected, what arrived) after `timeoutMs`.
 */
export function waitForRequests(journal: Journal, pattern: RequestPattern = {}, options: WaitForRequestsOptions = {}): Promise<JournalEntry[]> {
  const want = options.count ?? 1
  const clock = options.clock ?? systemClock
  const timeoutMs = options.timeoutMs ?? 5000
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const found = findRequests(journal, pattern)
      if (found.length < want) return false
      done()
      resolve(found)
      return true
    }
    const unsubscribe = journal.subscribe((change) => void (change.type === 'completed' && check()))
    const timer = clock.setTimer(() => {
      unsubscribe()
      reject(new FakeFluentdError('FF_ERR_VERIFY', `waited ${timeoutMs} ms for ${want} request(s) matching ${describePattern(pattern)}, found ${findRequests(journal, pattern).length}; ${seen(journal)}`))
    }, timeoutMs)
    const done = (): void => {
      unsubscribe()
      clock.clearTimer(timer)
    }
    check()
  })
}
