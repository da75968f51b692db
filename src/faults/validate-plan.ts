/**
 * Validates a fault plan: JSON Schema first (`schemas/fault-plan.schema.json`, ajv 2020-12 with
 * allErrors), then the combination checks of `compile-plan.ts`. Messages name the JSON path and, for
 * an unknown key, the allowed keys.
 */
import { readFileSync } from 'node:fs'
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import { newAjv2020 } from '../ajv.js'
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import { compilePlan, type CompiledPlan } from './compile-plan.js'
import { checkPlanBounds } from './plan-bounds.js'
import { DEFAULT_PLAN_LIMITS, type PlanLimits } from './plan-limits.js'
import type { FaultPlan } from './plan-types.js'

/** Where the schema lives, relative to this file in src/ and in dist/. */
const SCHEMA_URL = new URL('../../schemas/fault-plan.schema.json', import.meta.url)

let validator: ValidateFunction | undefined

function getValidator(): ValidateFunction {
  if (!validator) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object
    const ajv = newAjv2020({ allErrors: true, verbose: true, strict: true }, { formats: true })
    validator = ajv.compile(schema)
  }
  return validator
}

/** `/rules/0/steps/1` → `rules[0].steps[1]`. */
function pathOf(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1)
  if (extra !== undefined) parts.push(extra)
  if (parts.length === 0) return '(plan)'
  return parts
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '')
}

function formatErrors(errors: ErrorObject[]): string[] {
  // Errors inside an anyOf branch are noise once the anyOf itself failed: keep its description only.
  const anyOfPaths = errors.filter((e) => e.keyword === 'anyOf').map((e) => e.schemaPath)
  const kept = errors.filter((e) => e.keyword === 'anyOf' || !anyOfPaths.some((p) => e.schemaPath.startsWith(`${p}/`)))
  const lines = kept.map((e) => {
    if (e.keyword === 'additionalProperties') {
      const key = (e.params as { additionalProperty: string }).additionalProperty
      const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties
      const allowed = props ? Object.keys(props).join(', ') : '(none)'
      return `${pathOf(e.instancePath)}: unknown key '${key}'; allowed keys: ${allowed}`
    }
    if (e.keyword === 'anyOf') {
      const description = (e.parentSchema as { description?: string } | undefined)?.description
      return `${pathOf(e.instancePath)}: must be ${description ?? 'one of the allowed forms'}`
    }
    if (e.keyword === 'required') {
      return `${pathOf(e.instancePath)}: missing '${(e.params as { missingProperty: string }).missingProperty}'`
    }
    if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')
      return `${pathOf(e.instancePath)}: ${JSON.stringify(e.data)} is not one of: ${allowed}`
    }
    return `${pathOf(e.instancePath)}: ${e.message ?? 'is invalid'}`
  })
  return [...new Set(lines)]
}

/** Validates and compiles within `limits`; returns both the frozen plan and its compiled form. */
export function validateAndCompile(json: unknown, limits: PlanLimits = DEFAULT_PLAN_LIMITS): { plan: FaultPlan; compiled: CompiledPlan } {
  checkPlanBounds(json, limits)
  const validate = getValidator()
  if (!validate(json)) {
    const lines = formatErrors(validate.errors ?? [])
    throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `invalid fault plan: ${lines.join('; ')}`)
  }
  const plan = deepFreeze(structuredClone(json) as FaultPlan)
  return { plan, compiled: compilePlan(plan, limits) }
}

/**
 * Checks a fault plan (its bounds, the JSON Schema, the combination rules) and returns it deep-frozen.
 * @throws FakeFluentdError FF_ERR_FAULT_SPEC naming the path, e.g. `rules[0].steps[1]: unknown key 'dealyMs'; allowed keys: ...`
 */
export function validateFaultPlan(json: unknown, limits: PlanLimits = DEFAULT_PLAN_LIMITS): FaultPlan {
  return validateAndCompile(json, limits).plan
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
