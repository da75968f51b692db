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

/** Characters of one header regex at most (the pattern's size is part of the matching cost). */
export const MAX_HEADER_REGEX_LENGTH = 1024

let engine: typeof RE2JSType | undefined

function re2(): typeof RE2JSType {
  engine ??= (createRequire(import.meta.url)('re2js') as { RE2JS: typeof RE2JSType }).RE2JS
  return engine
}

/**
 * Compiles a header regex (searched anywhere in the value, like RegExp#test).
 * @throws Error naming what is wrong: too long, or not RE2 syntax
 */
export function compileHeaderRegex(source: string): (value: string) => boolean {
  if (source.length > MAX_HEADER_REGEX_LENGTH) {
    throw new Error(`the regular expression is ${source.length} characters long; at most ${MAX_HEADER_REGEX_LENGTH} are allowed`)
  }
  let re: RE2JSType
  try {
    re = re2().compile(source)
  } catch (err) {
    throw new Error(`bad regular expression (RE2 syntax, matched in linear time: no backreferences, no lookaround): ${(err as Error).message}`)
  }
  return (value) => re.test(value)
}
