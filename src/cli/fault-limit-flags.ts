/**
 * `serve`'s flags for what a fault plan may hold (`--fault-plan-max-bytes`, `--fault-tag-pattern-max`,
 * ...): one per bound of PlanLimits, each with its default shown as a user types it. Like every
 * serve flag, each also comes from FAKE_FLUENTD_<FLAG> and the --config file (serve-config.ts).
 * @see README.md "Limits"
 */
import { Option, type Command } from 'commander'
import { DEFAULT_PLAN_LIMITS, PLAN_LIMIT_FLAGS, type PlanLimits } from '../faults/index.js'
import { sizeArg, sizeText, wholeNumberArg } from './flag-values.js'

interface LimitFlag {
  value: '<size>' | '<n>'
  description: string
  parse: (text: string) => number
  /** The default as help shows it. */
  shown: string
}

const characters = wholeNumberArg(1, 65_536)

/** Each bound's flag: what it bounds, how its value is read. */
const LIMIT_FLAGS: Record<keyof PlanLimits, LimitFlag> = {
  maxBytes: { value: '<size>', description: 'largest fault plan JSON (a --faults file, a PUT /api/faults body); a larger one is refused (400, exit 2)', parse: sizeArg({ min: 64 }), shown: sizeText(DEFAULT_PLAN_LIMITS.maxBytes) },
  maxDepth: { value: '<n>', description: 'most nesting levels of a fault plan (1 to 1000)', parse: wholeNumberArg(1, 1000), shown: String(DEFAULT_PLAN_LIMITS.maxDepth) },
  maxValues: { value: '<n>', description: 'most values (objects, arrays, strings, numbers) in a fault plan', parse: wholeNumberArg(1, 10_000_000), shown: String(DEFAULT_PLAN_LIMITS.maxValues) },
  tagPatternMax: { value: '<n>', description: 'longest tag pattern of a fault rule, in characters (matching costs tag length x pattern length)', parse: characters, shown: String(DEFAULT_PLAN_LIMITS.tagPatternMax) },
  regexMax: { value: '<n>', description: 'longest header or body regex of a fault rule, in characters', parse: characters, shown: String(DEFAULT_PLAN_LIMITS.regexMax) },
  pointerMax: { value: '<n>', description: 'longest body pointer of a fault rule, in characters', parse: characters, shown: String(DEFAULT_PLAN_LIMITS.pointerMax) },
  pointerPartsMax: { value: '<n>', description: 'most parts of a body pointer of a fault rule (1 to 1000)', parse: wholeNumberArg(1, 1000), shown: String(DEFAULT_PLAN_LIMITS.pointerPartsMax) },
}

const KEYS = Object.keys(LIMIT_FLAGS) as (keyof PlanLimits)[]

/** The option of one bound (`--fault-plan-max-depth <n>`, default 32). */
function limitOption(key: keyof PlanLimits): Option {
  const flag = LIMIT_FLAGS[key]
  return new Option(`${PLAN_LIMIT_FLAGS[key]} ${flag.value}`, flag.description).argParser(flag.parse).default(DEFAULT_PLAN_LIMITS[key], flag.shown)
}

/** Adds one flag per fault plan bound to `command`. */
export function addFaultLimitFlags(command: Command): Command {
  for (const key of KEYS) command.addOption(limitOption(key))
  return command
}

/** The bounds the parsed flags ask for (commander's camelCase names: `faultPlanMaxDepth`). */
export function planLimitsFrom(flags: object): PlanLimits {
  const values = flags as Record<string, unknown>
  const limits = { ...DEFAULT_PLAN_LIMITS }
  for (const key of KEYS) {
    const value = values[limitOption(key).attributeName()]
    if (typeof value === 'number') limits[key] = value
  }
  return limits
}
