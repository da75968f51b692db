/**
 * Header regexes of fault plans run on RE2 semantics (re2js, a pure-JS port of RE2): matching takes
 * time linear in the header value whatever the pattern, so no plan can stall the receiver the way
 * `^(a+)+$` against `aaa…a!` does in a backtracking engine (each extra `a` doubled the time).
 * RE2 has no backreferences and no lookaround: such a pattern is refused when the plan is loaded.
 * re2js loads on the first header regex compiled, not when a plan module is imported.
 * @see docs/design.md "Fault plans"
 */
import { createRequire } from 'node:module'
import type { RE2JS as RE2JSType } from 're2js'
import { DEFAULT_PLAN_LIMITS, tooLong } from './plan-limits.js'

let engine: typeof RE2JSType | undefined

function re2(): typeof RE2JSType {
  engine ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JSType }).RE2JS
  return engine
}

/**
 * Compiles a header regex of at most `maxLength` characters (the pattern's size is part of the
 * matching cost), searched anywhere in the value like RegExp#test.
 * @throws Error naming what is wrong: too long (naming `--fault-regex-max`), or not RE2 syntax
 */
export function compileHeaderRegex(source: string, maxLength = DEFAULT_PLAN_LIMITS.regexMax): (value: string) => boolean {
  if (source.length > maxLength) throw new Error(tooLong('the regular expression', source.length, 'regexMax', maxLength))
  let re: RE2JSType
  try {
    re = re2().compile(source)
  } catch (err) {
    throw new Error(`bad regular expression (RE2 syntax, matched in linear time: no backreferences, no lookaround): ${(err as Error).message}`)
  }
  return (value) => re.test(value)
}
