/**
 * The `body` matcher of a fault rule: a JSON Pointer (RFC 6901) into each record of the request
 * (each notification of a Wallarm array, each NDJSON line, each msgpack record), and what the value
 * there must be: `equals` a JSON value, match an RE2 `regex` (a string value), or be `present`.
 * The rule matches when any record of the request matches. Pointers are bounded (length and depth),
 * and regexes run on RE2, so matching takes time linear in the records.
 * @see README.md "Fault plans"
 */
import { compileHeaderRegex } from './header-regex.js'
import { DEFAULT_PLAN_LIMITS, PLAN_LIMIT_FLAGS, tooLong, type PlanLimits } from './plan-limits.js'
import type { BodyMatcher } from './plan-types.js'

/** The bounds a body matcher is checked against. */
type BodyLimits = Pick<PlanLimits, 'regexMax' | 'pointerMax' | 'pointerPartsMax'>

export interface BodyTest {
  explain: string
  /** True when some record has a matching value at the pointer. */
  test(records: readonly unknown[]): boolean
}

/**
 * Compiles a body matcher.
 * @throws Error naming what is wrong with the pointer or the regex
 */
export function compileBodyMatcher(matcher: BodyMatcher, limits: BodyLimits = DEFAULT_PLAN_LIMITS): BodyTest {
  const tokens = parsePointer(matcher.pointer, limits)
  const at = (record: unknown): { found: boolean; value?: unknown } => resolve(record, tokens)
  if ('equals' in matcher) {
    const expected = matcher.equals
    return {
      explain: `body ${matcher.pointer} = ${JSON.stringify(expected)}`,
      test: (records) => records.some((r) => { const v = at(r); return v.found && v.value === expected }),
    }
  }
  if ('regex' in matcher) {
    const matches = compileHeaderRegex(matcher.regex, limits.regexMax)
    return {
      explain: `body ${matcher.pointer} ~ /${matcher.regex}/`,
      test: (records) => records.some((r) => { const v = at(r); return v.found && typeof v.value === 'string' && matches(v.value) }),
    }
  }
  const present = matcher.present
  return {
    explain: present ? `body ${matcher.pointer} present` : `no body ${matcher.pointer}`,
    // present: some record has it; absent: no record has it.
    test: (records) => (records.some((r) => at(r).found) === present),
  }
}

/** The reference tokens of a JSON Pointer ("" is the whole record). */
function parsePointer(pointer: string, limits: BodyLimits): string[] {
  if (pointer.length > limits.pointerMax) throw new Error(tooLong('the pointer', pointer.length, 'pointerMax', limits.pointerMax))
  if (pointer === '') return []
  if (!pointer.startsWith('/')) throw new Error(`a JSON Pointer starts with "/" (e.g. "/details/notification_type"), not ${JSON.stringify(pointer.slice(0, 20))}`)
  const tokens = pointer.slice(1).split('/')
  if (tokens.length > limits.pointerPartsMax) throw new Error(`the pointer has ${tokens.length} parts; at most ${limits.pointerPartsMax} are allowed (${PLAN_LIMIT_FLAGS.pointerPartsMax})`)
  return tokens.map((t, i) => {
    if (/~(?![01])/.test(t)) throw new Error(`part ${i + 1} of the pointer has "~" not followed by 0 or 1 (write ~0 for "~" and ~1 for "/")`)
    return t.replace(/~1/g, '/').replace(/~0/g, '~')
  })
}

function resolve(record: unknown, tokens: readonly string[]): { found: boolean; value?: unknown } {
  let value = record
  for (const token of tokens) {
    if (Array.isArray(value)) {
      if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= value.length) return { found: false }
      value = value[Number(token)]
    } else if (value !== null && typeof value === 'object' && Object.hasOwn(value, token)) {
      value = (value as Record<string, unknown>)[token]
    } else {
      return { found: false }
    }
  }
  return { found: true, value }
}
