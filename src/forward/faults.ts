/**
 * Faults of the forward listener: a list of rules, tried in order, the first that matches decides.
 * A rule matches on tag (Fluentd glob), mode and attempt (the resends of one chunk id) and applies
 * `times` times (default: always). Given as the `forward` key of a fault plan file or as the
 * `--forward-fault` shorthand. Handshake rules (stall-handshake, refuse-key) are asked when a
 * connection opens, message rules when a message has been read, drop-heartbeat for each UDP ping.
 * @see README.md "Forward protocol"
 */
import { FakeFluentdError } from '../errors.js'
import { compileTagGlob, DEFAULT_PLAN_LIMITS } from '../faults/index.js'
import { parseDuration } from '../clock/index.js'
import { FORWARD_MODES, type ForwardMode } from './message.js'

export const FORWARD_FAULT_ACTIONS = ['ack', 'withhold-ack', 'ack-late', 'wrong-ack', 'reset', 'close', 'stall-handshake', 'refuse-key', 'drop-heartbeat'] as const
export type ForwardFaultAction = (typeof FORWARD_FAULT_ACTIONS)[number]

export interface ForwardFaultRule {
  match?: { tag?: string; mode?: ForwardMode | ForwardMode[]; attempt?: number | [number, number] }
  action: ForwardFaultAction
  /** ack-late: wait this long (ms) before the ack. */
  delayMs?: number
  /** refuse-key: the PONG's reason (default Fluentd's `shared_key mismatch`). */
  reason?: string
  /** Uses of this rule; afterwards it no longer matches. Default: every time. */
  times?: number
}

export type ForwardPhase = 'handshake' | 'message' | 'heartbeat'

const PHASE: Record<ForwardFaultAction, ForwardPhase> = {
  ack: 'message',
  'withhold-ack': 'message',
  'ack-late': 'message',
  'wrong-ack': 'message',
  reset: 'message',
  close: 'message',
  'stall-handshake': 'handshake',
  'refuse-key': 'handshake',
  'drop-heartbeat': 'heartbeat',
}

export interface MessageFacts {
  tag: string
  mode: ForwardMode
  attempt: number
}

export interface ForwardFaultDecision {
  rule: ForwardFaultRule
  index: number
  explain: string
}

export interface ForwardFaults {
  decide(phase: 'message', facts: MessageFacts): ForwardFaultDecision | undefined
  decide(phase: 'handshake' | 'heartbeat'): ForwardFaultDecision | undefined
  readonly rules: readonly ForwardFaultRule[]
}

function fail(where: string, what: string): never {
  throw new FakeFluentdError('FF_ERR_FAULT_SPEC', `forward fault ${where}: ${what}`)
}

/**
 * Checks a rule list (the plan's `forward` key); a tag pattern longer than `tagPatternMax`
 * (`--fault-tag-pattern-max`) is refused here, not when the listener starts.
 * @throws FakeFluentdError FF_ERR_FAULT_SPEC.
 */
export function validateForwardRules(value: unknown, tagPatternMax = DEFAULT_PLAN_LIMITS.tagPatternMax): ForwardFaultRule[] {
  if (!Array.isArray(value)) fail('plan', '`forward` must be a list of rules')
  return value.map((r: unknown, i) => {
    const at = `rule ${i}`
    if (r === null || typeof r !== 'object' || Array.isArray(r)) fail(at, 'must be an object')
    const rule = r as Record<string, unknown>
    for (const k of Object.keys(rule)) if (!['match', 'action', 'delayMs', 'reason', 'times', 'id', 'description'].includes(k)) fail(at, `unknown key "${k}"`)
    if (!FORWARD_FAULT_ACTIONS.includes(rule['action'] as ForwardFaultAction)) fail(at, `action must be one of ${FORWARD_FAULT_ACTIONS.join(', ')}`)
    const out: ForwardFaultRule = { action: rule['action'] as ForwardFaultAction }
    if (rule['delayMs'] !== undefined) {
      if (typeof rule['delayMs'] !== 'number' || !(rule['delayMs'] >= 0) || rule['delayMs'] > 2_147_483_647) fail(at, 'delayMs must be 0 to 2147483647')
      out.delayMs = rule['delayMs']
    }
    if (rule['reason'] !== undefined) {
      if (typeof rule['reason'] !== 'string') fail(at, 'reason must be a string')
      out.reason = rule['reason']
    }
    if (rule['times'] !== undefined) {
      if (!Number.isInteger(rule['times']) || (rule['times'] as number) < 1) fail(at, 'times must be a whole number >= 1')
      out.times = rule['times'] as number
    }
    const m = rule['match']
    if (m !== undefined) {
      if (m === null || typeof m !== 'object' || Array.isArray(m)) fail(at, 'match must be an object')
      const match = m as Record<string, unknown>
      out.match = {}
      for (const k of Object.keys(match)) if (!['tag', 'mode', 'attempt'].includes(k)) fail(at, `unknown match key "${k}"`)
      if (match['tag'] !== undefined) {
        if (typeof match['tag'] !== 'string' || match['tag'] === '') fail(at, 'match.tag must be a tag pattern')
        try {
          compileTagGlob(match['tag'], tagPatternMax)
        } catch (err) {
          fail(at, `match.tag: ${(err as Error).message}`)
        }
        out.match.tag = match['tag']
      }
      if (match['mode'] !== undefined) {
        const modes = Array.isArray(match['mode']) ? match['mode'] : [match['mode']]
        if (modes.length === 0 || !modes.every((x) => FORWARD_MODES.includes(x as ForwardMode))) fail(at, `match.mode must be ${FORWARD_MODES.join(', ')} or a list of them`)
        out.match.mode = match['mode'] as ForwardMode | ForwardMode[]
      }
      const a = match['attempt']
      if (a !== undefined) {
        const ok = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 1
        if (!(ok(a) || (Array.isArray(a) && a.length === 2 && ok(a[0]) && ok(a[1])))) fail(at, 'match.attempt must be n >= 1 or [min, max]')
        out.match.attempt = a as number | [number, number]
      }
    }
    return out
  })
}

const SHORTHAND = /^([a-z-]+?)(?:=([^\s]+?))?(?:\s*[x*](\d+))?$/

/**
 * The `--forward-fault` shorthand: comma-separated items applied in order, each `action[=arg][xN]`
 * (N uses; without it once, and the last item of a spec for ever): `withhold-ack x2,ack` (the first
 * two messages get no ack), `ack-late=2s`, `wrong-ack`, `reset`, `close`, `stall-handshake`,
 * `refuse-key[=reason]`, `drop-heartbeat x3`. `no-ack` = withhold-ack.
 */
export function parseForwardShorthand(specs: readonly string[]): ForwardFaultRule[] {
  const rules: ForwardFaultRule[] = []
  for (const spec of specs) {
    const items = spec.split(',')
    for (const [i, raw] of items.entries()) {
      const item = raw.trim()
      const m = SHORTHAND.exec(item)
      if (!m) fail(`"${item}"`, 'use action[=arg][xN], e.g. withhold-ack x2')
      const action = (m[1] === 'no-ack' ? 'withhold-ack' : m[1]) as ForwardFaultAction
      if (!FORWARD_FAULT_ACTIONS.includes(action)) fail(`"${item}"`, `action must be one of ${FORWARD_FAULT_ACTIONS.join(', ')}`)
      const rule: ForwardFaultRule = { action }
      if (m[2] !== undefined) {
        if (action === 'ack-late') {
          const ms = parseDuration(m[2])
          if (ms === undefined) fail(`"${item}"`, 'ack-late takes a duration, e.g. ack-late=2s')
          rule.delayMs = ms
        } else if (action === 'refuse-key') rule.reason = m[2]
        else fail(`"${item}"`, `${action} takes no argument`)
      } else if (action === 'ack-late') fail(`"${item}"`, 'ack-late needs a duration, e.g. ack-late=2s')
      if (m[3] !== undefined) rule.times = Number(m[3])
      else if (i < items.length - 1) rule.times = 1
      rules.push(rule)
    }
  }
  return validateForwardRules(rules)
}

function explain(rule: ForwardFaultRule, index: number): string {
  const arg = rule.action === 'ack-late' ? ` ${rule.delayMs ?? 0} ms` : rule.action === 'refuse-key' && rule.reason ? ` (${rule.reason})` : ''
  return `${rule.action}${arg} (forward rule ${index})`
}

/** Compiles rules into a decider with its own use counters. */
export function createForwardFaults(rules: readonly ForwardFaultRule[], tagPatternMax = DEFAULT_PLAN_LIMITS.tagPatternMax): ForwardFaults {
  const globs = rules.map((r) => (r.match?.tag !== undefined ? compileTagGlob(r.match.tag, tagPatternMax) : undefined))
  const used = rules.map(() => 0)
  const matches = (rule: ForwardFaultRule, i: number, phase: ForwardPhase, facts?: MessageFacts): boolean => {
    if (PHASE[rule.action] !== phase) return false
    if (rule.times !== undefined && used[i]! >= rule.times) return false
    if (!facts) return true
    const m = rule.match
    if (!m) return true
    if (globs[i] && !globs[i].test(facts.tag)) return false
    if (m.mode !== undefined && !(Array.isArray(m.mode) ? m.mode : [m.mode]).includes(facts.mode)) return false
    if (m.attempt !== undefined) {
      const [lo, hi] = Array.isArray(m.attempt) ? m.attempt : [m.attempt, m.attempt]
      if (facts.attempt < lo || facts.attempt > hi) return false
    }
    return true
  }
  return {
    rules,
    decide(phase: ForwardPhase, facts?: MessageFacts) {
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i]!
        if (!matches(rule, i, phase, facts)) continue
        used[i]!++
        return { rule, index: i, explain: explain(rule, i) }
      }
      return undefined
    },
  }
}
