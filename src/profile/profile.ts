/**
 * Retry profiles: the built-in `wallarm` profile and loading others from JSON files validated by
 * schemas/profile.schema.json (unknown keys rejected). Profiles are frozen once loaded.
 * @see docs/design.md "Delivery rules"
 */
import { readFileSync } from 'node:fs'
import { basename, dirname, resolve as resolvePath } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Ajv2020, ErrorObject } from 'ajv/dist/2020.js'
import { newAjv2020 } from '../ajv.js'
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import type { RetryProfile } from './profile-types.js'
import { MAX_SCHEDULE_RETRIES, scheduledRetries } from './schedule.js'

const SECOND_MS = 1000
const MINUTE_MS = 60 * SECOND_MS
const HOUR_MS = 60 * MINUTE_MS

/**
 * Wallarm's delivery rules, to the letter of its documentation, with the open points settled as
 * The design (docs/design.md "Delivery rules"): 17 attempts at most (1 + 5 + 5 + 6), intervals from the end of the failed attempt,
 * success = 2xx, 3xx not followed, auto-disable at >= 60 % failed of >= 20 attempts in 12 h.
 * Identical to profiles/wallarm.json.
 */
export const wallarmProfile: RetryProfile = deepFreeze({
  name: 'wallarm',
  description:
    "Wallarm's Fluentd/webhook integration: 3 retry cycles (1,3,5,10,10 s; 0,1,3,5,30 s; 1,1,3,5,10,30 min), 17 attempts at most, intervals from the end of the failed attempt, auto-disable at >= 60 % failed attempts in 12 h (at least 20 attempts)",
  schedule: {
    kind: 'table',
    cycles: [
      [1, 3, 5, 10, 10].map((s) => s * SECOND_MS),
      [0, 1, 3, 5, 30].map((s) => s * SECOND_MS),
      [1, 1, 3, 5, 10, 30].map((m) => m * MINUTE_MS),
    ],
  },
  requestTimeoutMs: 15 * SECOND_MS,
  connectTimeoutMs: 20 * SECOND_MS,
  successStatus: [[200, 299]],
  followRedirects: false,
  intervalFrom: 'attempt-end',
  autoDisable: { windowMs: 12 * HOUR_MS, failureRatio: 0.6, minAttempts: 20 },
})

/** Folder of the profile files shipped with the package (top-level profiles/). */
export const profilesDir: string = fileURLToPath(new URL('../../profiles/', import.meta.url))

const schemaPath = fileURLToPath(new URL('../../schemas/profile.schema.json', import.meta.url))

let validateFn: ReturnType<Ajv2020['compile']> | undefined

function validator(): ReturnType<Ajv2020['compile']> {
  if (!validateFn) {
    // strictRequired off: the "else" branch lists the keys a profile without "extends" needs.
    const ajv = newAjv2020({ allErrors: true, strict: true, strictRequired: false })
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object
    validateFn = ajv.compile(schema)
  }
  return validateFn
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath || '/'
  if (e.keyword === 'required') {
    return `${where}: missing "${String((e.params as { missingProperty?: string }).missingProperty)}" (or give "extends" and only what differs)`
  }
  if (e.keyword === 'additionalProperties') {
    return `${where}: unknown key "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`
  }
  return `${where}: ${e.message ?? e.keyword}`
}

/** How many `extends` one profile may go through (a longer chain is almost surely a loop). */
export const MAX_EXTENDS_DEPTH = 8

function profileError(message: string, cause?: unknown): FakeFluentdError {
  return new FakeFluentdError(ErrorCodes.FF_ERR_PROFILE, message, cause === undefined ? undefined : { cause })
}

function schemaCheck(value: unknown, source: string): void {
  const validate = validator()
  if (!validate(value)) {
    // oneOf failures repeat the same problem per branch; show each line once.
    // "must match else schema" only repeats the missing keys listed above it.
    const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if')
    const lines = [...new Set(errors.map(describeError))]
    throw profileError(`Invalid retry profile ${source}:\n  ${lines.join('\n  ')}\nSee schemas/profile.schema.json and profiles/wallarm.json for the format.`)
  }
}

/**
 * Checks a parsed profile against schemas/profile.schema.json and the rules a schema cannot say
 * (status ranges in order). A profile with `"extends"` gives only what differs from its base
 * (`wallarm`, a name in profiles/, or a path resolved against `baseDir`, default the working
 * directory); each key it gives replaces the base's value whole, and `name` defaults to the base's
 * name + "*". Returns a frozen copy; throws FF_ERR_PROFILE listing every problem.
 */
export function parseProfile(value: unknown, source = 'profile', baseDir: string = process.cwd()): RetryProfile {
  return resolveProfile(value, source, baseDir, [])
}

function resolveProfile(value: unknown, source: string, baseDir: string, chain: readonly string[]): RetryProfile {
  schemaCheck(value, source)
  const own = structuredClone(value) as Partial<RetryProfile> & { $schema?: string; extends?: string }
  delete own.$schema
  let merged: unknown = own
  if (own.extends !== undefined) {
    const target = own.extends
    delete own.extends
    let base: RetryProfile
    try {
      base = loadChain(target, baseDir, chain)
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err)
      throw profileError(`Retry profile ${source}: "extends": "${target}" cannot be used: ${why}`, err)
    }
    merged = { ...structuredClone(base), name: `${base.name} (extended)`, ...own }
    schemaCheck(merged, `${source} (extending "${target}")`)
  }
  const profile = merged as RetryProfile
  for (const [lo, hi] of profile.successStatus) {
    if (lo > hi) throw profileError(`Invalid retry profile ${source}: successStatus range [${lo}, ${hi}] is reversed; write [low, high].`)
  }
  const problem = scheduleProblem(profile)
  if (problem) throw profileError(`Invalid retry profile ${source}: ${problem}`)
  return deepFreeze(profile)
}

/**
 * Loads a profile: `wallarm` (built in), the name of a file in the package's profiles/ folder
 * (`exponential-jitter`), or a path to a JSON file. A file may extend another profile (see
 * parseProfile). Throws FF_ERR_PROFILE when a file is missing, is not JSON, does not validate, or
 * its `extends` cannot be loaded (naming it).
 */
export function loadProfile(nameOrPath: string): RetryProfile {
  return loadChain(nameOrPath, process.cwd(), [])
}

function loadChain(nameOrPath: string, baseDir: string, chain: readonly string[]): RetryProfile {
  if (nameOrPath === 'wallarm') return wallarmProfile
  const isPath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json')
  const file = isPath ? resolvePath(baseDir, nameOrPath) : `${profilesDir}${nameOrPath}.json`
  if (chain.includes(file)) throw profileError(`"${nameOrPath}" extends itself (${[...chain, file].map((f) => basename(f)).join(' → ')}).`)
  if (chain.length >= MAX_EXTENDS_DEPTH) throw profileError(`more than ${MAX_EXTENDS_DEPTH} profiles extend one another; shorten the chain.`)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const hint = isPath ? 'check the path' : 'use "wallarm", a file in profiles/, or a path to a JSON file'
    throw profileError(`Cannot read retry profile "${nameOrPath}": ${(err as NodeJS.ErrnoException).code ?? 'error'}; ${hint}.`, err)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw profileError(`Retry profile "${nameOrPath}" is not valid JSON: ${(err as Error).message}.`, err)
  }
  return resolveProfile(parsed, `"${nameOrPath}"`, dirname(file), [...chain, file])
}

/** True when `status` falls in one of the profile's success ranges. */
export function isSuccessStatus(profile: RetryProfile, status: number): boolean {
  return profile.successStatus.some(([lo, hi]) => status >= lo && status <= hi)
}

/** What the schema cannot say about a schedule, or null when it is sound. */
function scheduleProblem(profile: RetryProfile): string | null {
  const s = profile.schedule
  if (s.jitter === 'proportional' && s.jitterRatio === undefined) return '"jitter": "proportional" needs "jitterRatio" (Fluentd: 0.125).'
  if (s.jitter !== 'proportional' && s.jitterRatio !== undefined) return '"jitterRatio" only applies to "jitter": "proportional".'
  if (s.jitter === 'additive' && s.jitterMs === undefined) return '"jitter": "additive" needs "jitterMs" (got: 100).'
  if (s.jitter !== 'additive' && s.jitterMs !== undefined) return '"jitterMs" only applies to "jitter": "additive".'
  if (s.kind === 'exponential' && s.maxRetries === null && !profile.giveUpAfter) return '"maxRetries": null (no count limit) needs "giveUpAfter" (a time limit).'
  if (profile.dropQueuedOnGiveUp && !profile.sharedRetryState) return '"dropQueuedOnGiveUp" only applies with "sharedRetryState": true.'
  if (scheduledRetries(profile) > MAX_SCHEDULE_RETRIES) return `the schedule holds more than ${MAX_SCHEDULE_RETRIES} retries; lower "maxRetries" or "giveUpAfter".`
  return null
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
