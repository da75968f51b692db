/**
 * Bounds of a fault plan as data, checked before the JSON Schema sees it: a plan is written by a
 * person, so it is small and shallow. The walk is iterative (a plan nested 200,000 levels deep once
 * blocked ingest for seconds in the validator, then overflowed the stack).
 * @see docs/design.md "Fault plans"
 */
import { ErrorCodes, FakeFluentdError } from '../errors.js'

/** Bytes of a plan's JSON text at most (the admin API's request body limit is the same). */
export const MAX_PLAN_BYTES = 1024 * 1024
/** Nesting levels of a plan at most (a real plan has about 7: plan, rules, rule, steps, step, else, headers). */
export const MAX_PLAN_DEPTH = 32
/** Values (objects, arrays, strings, numbers...) in a plan at most. */
export const MAX_PLAN_VALUES = 20_000

/** `rules[0].match` style: a plain key after a dot, any other in brackets as JSON (`[""]`). */
const keyPath = (path: string, key: string): string => (/^[A-Za-z_$][\w$-]*$/.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`)

/**
 * Throws FF_ERR_FAULT_SPEC when the plan is nested deeper than MAX_PLAN_DEPTH or holds more than
 * MAX_PLAN_VALUES values; stops at the first level or value beyond the bound.
 */
export function checkPlanBounds(json: unknown): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: json, depth: 1, path: '(plan)' }]
  let values = 0
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!
    if (++values > MAX_PLAN_VALUES) {
      throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `invalid fault plan: more than ${MAX_PLAN_VALUES} values; a plan holds at most ${MAX_PLAN_VALUES}`)
    }
    if (value === null || typeof value !== 'object') continue
    if (depth > MAX_PLAN_DEPTH) {
      throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `invalid fault plan: ${path} is nested more than ${MAX_PLAN_DEPTH} levels deep; a plan is at most ${MAX_PLAN_DEPTH} levels`)
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], depth: depth + 1, path: `${path === '(plan)' ? '' : path}[${i}]` })
    } else {
      for (const [k, v] of Object.entries(value)) stack.push({ value: v, depth: depth + 1, path: keyPath(path === '(plan)' ? '' : path, k) })
    }
  }
}
