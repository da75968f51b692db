/**
 * Forward client profiles (`conformance --protocol forward --profile`): a name in the package's
 * profiles/forward/ folder (`fluent-logger`) or a path to a JSON file, checked against
 * schemas/forward-profile.schema.json (unknown keys rejected). Frozen once loaded.
 */
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ErrorObject } from 'ajv/dist/2020.js'
import { newAjv2020 } from '../../ajv.js'
import { ErrorCodes, FakeFluentdError } from '../../errors.js'
import type { ForwardClientProfile } from '../../forward/index.js'

/** Folder of the forward profiles shipped with the package. */
export const forwardProfilesDir: string = fileURLToPath(new URL('../../../profiles/forward/', import.meta.url))
const schemaPath = fileURLToPath(new URL('../../../schemas/forward-profile.schema.json', import.meta.url))

let validateFn: ((v: unknown) => boolean) & { errors?: ErrorObject[] | null } | undefined

function profileError(message: string, cause?: unknown): FakeFluentdError {
  return new FakeFluentdError(ErrorCodes.FF_ERR_PROFILE, message, cause === undefined ? undefined : { cause })
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath || '/'
  if (e.keyword === 'required') return `${where}: missing "${String((e.params as { missingProperty?: string }).missingProperty)}"`
  if (e.keyword === 'additionalProperties') return `${where}: unknown key "${String((e.params as { additionalProperty?: string }).additionalProperty)}"`
  return `${where}: ${e.message ?? e.keyword}`
}

/** Checks a parsed forward profile; throws FF_ERR_PROFILE listing every problem. */
export function parseForwardProfile(value: unknown, source = 'profile'): ForwardClientProfile {
  validateFn ??= newAjv2020({ allErrors: true, strict: true, strictRequired: false }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object)
  if (!validateFn(value)) {
    const lines = [...new Set((validateFn.errors ?? []).filter((e) => e.keyword !== 'if').map(describeError))]
    const hint = (value as { protocol?: unknown } | null)?.protocol === undefined ? '\n(an HTTP retry profile? --protocol forward takes a forward client profile)' : ''
    throw profileError(`Invalid forward client profile ${source}:\n  ${lines.join('\n  ')}\nSee schemas/forward-profile.schema.json and profiles/forward/fluent-logger.json for the format.${hint}`)
  }
  const own = structuredClone(value) as ForwardClientProfile & { $schema?: string }
  delete own.$schema
  return Object.freeze(own)
}

/** Loads a forward profile by name (profiles/forward/NAME.json) or path. */
export function loadForwardProfile(nameOrPath: string): ForwardClientProfile {
  const isPath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json')
  const file = isPath ? resolve(nameOrPath) : `${forwardProfilesDir}${nameOrPath}.json`
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw profileError(`Cannot read forward client profile "${nameOrPath}": ${(err as NodeJS.ErrnoException).code ?? 'error'}; ${isPath ? 'check the path' : 'use a file in profiles/forward/ or a path to a JSON file'}.`, err)
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (err) {
    throw profileError(`Forward client profile "${nameOrPath}" is not valid JSON: ${(err as Error).message}.`, err)
  }
  return parseForwardProfile(parsed, `"${nameOrPath}"`)
}
