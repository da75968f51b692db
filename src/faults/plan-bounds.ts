/**
 * Bounds of a fault plan as data, checked before the JSON Schema sees it: a plan is written by a
 * person, so it is small and shallow. The walk is iterative (a plan nested 200,000 levels deep once
 * blocked ingest for seconds in the validator, then overflowed the stack).
 * @see docs/design.md "Fault plans"
 */
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import { DEFAULT_PLAN_LIMITS, PLAN_LIMIT_FLAGS, planTooLarge, type PlanLimits } from './plan-limits.js'

/** `rules[0].match` style: a plain key after a dot, any other in brackets as JSON (`[""]`). */
const keyPath = (path: string, key: string): string => (/^[A-Za-z_$][\w$-]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`)

/**
 * Throws FF_ERR_FAULT_SPEC when the plan is nested deeper than `maxDepth` or holds more than
 * `maxValues` values; stops at the first level or value beyond the bound. The message names the flag.
 */
export function checkPlanBounds(json: unknown, limits: Pick<PlanLimits, 'maxDepth' | 'maxValues'> = DEFAULT_PLAN_LIMITS): void {
  const { maxDepth, maxValues } = limits
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: json, depth: 1, path: '(plan)' }]
  let values = 0
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!
    if (++values > maxValues) {
      throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `invalid fault plan: more than ${maxValues} values; a plan holds at most ${maxValues} (${PLAN_LIMIT_FLAGS.maxValues})`)
    }
    if (value === null || typeof value !== 'object') continue
    if (depth > maxDepth) {
      throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `invalid fault plan: ${path} is nested more than ${maxDepth} levels deep; a plan is at most ${maxDepth} levels (${PLAN_LIMIT_FLAGS.maxDepth})`)
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth: depth + 1, path: `${path === '(plan)' ? '' : path}[${i}]` })
    } else {
      for (const [k, v] of Object.entries(value)) stack.push({ value: v, depth: depth + 1, path: keyPath(path === '(plan)' ? '' : path, k) })
    }
  }
}

/**
 * Parses a plan's JSON text within `limits`: its size, then its nesting on the text itself, then
 * JSON.parse (which took ~150 ms, holding ingest, for 200,000 nested objects in 1 MB). The scan is
 * one pass over the characters, outside strings.
 * @throws FakeFluentdError FF_ERR_FAULT_SPEC for a text too large or nested too deep (naming the flag); SyntaxError when it is not JSON
 */
export function parsePlanText(text: string, limits: Pick<PlanLimits, 'maxBytes' | 'maxDepth'> = DEFAULT_PLAN_LIMITS): unknown {
  const bytes = Buffer.byteLength(text)
  if (bytes > limits.maxBytes) throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, planTooLarge(bytes, limits))
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limits.maxDepth) {
        throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `invalid fault plan: nested more than ${limits.maxDepth} levels deep (at character ${i + 1}); a plan is at most ${limits.maxDepth} levels (${PLAN_LIMIT_FLAGS.maxDepth})`)
      }
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return JSON.parse(text)
}
