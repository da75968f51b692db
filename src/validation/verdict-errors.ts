import type { ErrorObject } from 'ajv'
import type { VerdictError } from './types.js'

/** Escapes one reference token of a JSON pointer (RFC 6901). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** The value at `pointer` inside `root`, following own properties only (so `__proto__` is never walked). */
export function valueAtPointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root
  let current: unknown = root
  for (const raw of pointer.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, token)) return undefined
    current = (current as Record<string, unknown>)[token]
  }
  return current
}

/** A short name of a JSON value's type for messages: `string`, `integer`, `number`, `null`, `array`, `object`... */
export function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number'
  return typeof value
}

function messageOf(error: ErrorObject, data: unknown): string {
  switch (error.keyword) {
    case 'type': {
      const expected = (error.params as { type: string | string[] }).type
      const list = Array.isArray(expected) ? expected.join(' or ') : expected
      return `must be ${list}, got ${jsonTypeOf(valueAtPointer(data, error.instancePath))}`
    }
    case 'const':
      return `must be ${JSON.stringify((error.params as { allowedValue: unknown }).allowedValue)}`
    default:
      return error.message ?? `fails ${error.keyword}`
  }
}

/**
 * Turns ajv errors into verdict errors: JSON pointers to the offending value (for `required`, the
 * missing property itself), one readable message each, the sub-errors of `anyOf`/`oneOf` folded
 * into one error, duplicates dropped.
 */
export function toVerdictErrors(errors: readonly ErrorObject[] | null | undefined, data: unknown): VerdictError[] {
  if (!errors || errors.length === 0) return []
  const branchPaths = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .map((e) => e.schemaPath + '/')
  const out: VerdictError[] = []
  const seen = new Set<string>()
  const push = (entry: VerdictError): void => {
    const key = `${entry.pointer}\u0000${entry.keyword}\u0000${entry.message}`
    if (seen.has(key)) return
    seen.add(key)
    out.push(entry)
  }
  for (const error of errors) {
    if (branchPaths.some((p) => error.schemaPath.startsWith(p))) continue
    if (error.keyword === 'required') {
      const missing = (error.params as { missingProperty: string }).missingProperty
      push({
        pointer: `${error.instancePath}/${escapePointerToken(missing)}`,
        keyword: 'required',
        message: `missing required property "${missing}"`,
      })
      continue
    }
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf') {
      const prefix = error.schemaPath + '/'
      const branches = errors.filter((e) => e.schemaPath.startsWith(prefix) && e !== error)
      let message = error.message ?? error.keyword
      if (branches.length > 0 && branches.every((e) => e.keyword === 'required')) {
        const names = branches.map((e) => `"${(e.params as { missingProperty: string }).missingProperty}"`)
        message = `must have property ${[...new Set(names)].join(' or ')}`
      } else if (branches.length > 0) {
        const parts = branches.map((e) => `${e.instancePath || '/'} ${messageOf(e, data)}`)
        message = `must match one of: ${[...new Set(parts)].join('; ')}`
      }
      push({ pointer: error.instancePath, keyword: error.keyword, message })
      continue
    }
    push({ pointer: error.instancePath, keyword: error.keyword, message: messageOf(error, data) })
  }
  return out
}
