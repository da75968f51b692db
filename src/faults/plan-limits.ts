/**
 * What a fault plan may hold at most. A plan comes from a file or from `PUT /api/faults`, so anyone
 * who reaches the admin API can send one: each bound keeps the cost of checking and matching it
 * small (the JSON walk, the tag automaton, the RE2 program, the pointer walk per record). Each has a
 * default and a `serve` flag (README "Limits"); messages name the flag.
 * @see docs/design.md "Fault plans"
 */

/** The bounds of a fault plan. */
export interface PlanLimits {
  /** Bytes of the plan's JSON text (a `--faults` file, a `PUT /api/faults` body). */
  maxBytes: number
  /** Nesting levels of the plan (a real plan has about 7: plan, rules, rule, steps, step, else, headers). */
  maxDepth: number
  /** Values (objects, arrays, strings, numbers...) in the plan. */
  maxValues: number
  /** Characters of one tag pattern (matching costs tag length x pattern length). */
  tagPatternMax: number
  /** Characters of one header or body regex (the RE2 program grows with it). */
  regexMax: number
  /** Characters of one body pointer. */
  pointerMax: number
  /** Reference tokens (parts) of one body pointer. */
  pointerPartsMax: number
}

export const DEFAULT_PLAN_LIMITS: Readonly<PlanLimits> = Object.freeze({
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxValues: 20_000,
  tagPatternMax: 256,
  regexMax: 1024,
  pointerMax: 1024,
  pointerPartsMax: 32,
})

/** The `serve` flag that sets each bound (named in every message about it). */
export const PLAN_LIMIT_FLAGS: Readonly<Record<keyof PlanLimits, string>> = Object.freeze({
  maxBytes: '--fault-plan-max-bytes',
  maxDepth: '--fault-plan-max-depth',
  maxValues: '--fault-plan-max-values',
  tagPatternMax: '--fault-tag-pattern-max',
  regexMax: '--fault-regex-max',
  pointerMax: '--fault-pointer-max',
  pointerPartsMax: '--fault-pointer-max-parts',
})

/** The default limits with the given ones over them. */
export function planLimits(given: Partial<PlanLimits> = {}): PlanLimits {
  return { ...DEFAULT_PLAN_LIMITS, ...given }
}

/** "the tag pattern is 300 characters long; at most 256 are allowed (--fault-tag-pattern-max)". */
export function tooLong(what: string, length: number, key: keyof PlanLimits, max: number): string {
  return `${what} is ${length} characters long; at most ${max} are allowed (${PLAN_LIMIT_FLAGS[key]})`
}

/** The message for a plan text over `maxBytes`; `size` undefined when only "more than" is known. */
export function planTooLarge(size: number | undefined, limits: Pick<PlanLimits, 'maxBytes'>): string {
  const is = size === undefined ? `more than ${limits.maxBytes} bytes` : `${size} bytes`
  return `the fault plan is ${is}; at most ${limits.maxBytes} bytes are allowed (${PLAN_LIMIT_FLAGS.maxBytes})`
}
