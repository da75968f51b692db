/**
 * Turns a schema-valid plan into the engine's internal form and rejects combinations that make no
 * sense, naming the rule and step (`rules[0].steps[2]`). Runs when the plan is loaded, never at
 * request time.
 */
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import type { ResponseAction } from './types.js'
import type { FaultMatch, FaultPlan, FaultRule, FaultStep, HeaderMatcher } from './plan-types.js'
import { compileBodyMatcher, type BodyTest } from './body-match.js'
import { compileHeaderRegex } from './header-regex.js'
import { DEFAULT_PLAN_LIMITS, type PlanLimits } from './plan-limits.js'
import { compileTagGlob } from './tag-glob.js'

/** A wait before acting. */
export type DelaySpec =
  | { kind: 'fixed'; ms: number }
  | { kind: 'uniform'; minMs: number; maxMs: number }
  | { kind: 'lognormal'; medianMs: number; sigma: number; maxMs?: number }

/** What a step does: a request action, or stalling the TLS handshake of a new connection. */
export type StepAction = ResponseAction | { type: 'stall-tls' }

export interface StepOutcome {
  delay?: DelaySpec
  action: StepAction
}

/**
 * A step ready to use. `level` says who consumes it: `connection` steps (stall-tls) are consumed by
 * new connections (decideConnection), `request` steps by requests (decideRequest).
 */
export interface CompiledStep {
  source: FaultStep
  times: number
  level: 'connection' | 'request'
  hit: StepOutcome
  /** Set for probabilistic steps; `miss` is what happens when the draw does not hit. */
  probability?: number
  miss?: StepOutcome
}

export interface HeaderTest {
  /** Lower case. */
  name: string
  explain: string
  test(value: string | undefined): boolean
}

export interface CompiledMatch {
  /** Upper case. */
  methods?: string[]
  tagPattern?: string
  tag?: RegExp
  headers: HeaderTest[]
  attempt?: { min: number; max: number }
  /** Matches the request's records (the receiver parses them first only when a rule has one). */
  body?: BodyTest
  /** True when some matcher needs the request (so the rule cannot be decided at connect time). */
  needsRequest: boolean
}

export interface CompiledRule {
  index: number
  id?: string
  source: FaultRule
  match: CompiledMatch
  steps: CompiledStep[]
  then?: CompiledStep
}

export interface CompiledPlan {
  seed?: number
  rules: CompiledRule[]
}

function fail(where: string, message: string): never {
  throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `invalid fault plan: ${where}: ${message}`)
}

/**
 * Compiles a plan that already passed the JSON Schema, its patterns within `limits`. Throws
 * FF_ERR_FAULT_SPEC on a bad combination or a pattern over its bound.
 */
export function compilePlan(plan: FaultPlan, limits: PlanLimits = DEFAULT_PLAN_LIMITS): CompiledPlan {
  return {
    ...(plan.seed !== undefined && { seed: plan.seed }),
    rules: plan.rules.map((rule, index) => compileRule(rule, index, limits)),
  }
}

function compileRule(rule: FaultRule, index: number, limits: PlanLimits): CompiledRule {
  const where = `rules[${index}]`
  const match = compileMatch(rule.match ?? {}, `${where}.match`, limits)
  const steps = (rule.steps ?? []).map((step, i) => compileStep(step, `${where}.steps[${i}]`))
  const then = rule.then === undefined ? undefined : compileStep(rule.then, `${where}.then`)
  if (steps.length === 0 && then === undefined) fail(where, 'a rule needs "steps" or "then" (or both)')
  if (then?.source.times !== undefined) fail(`${where}.then`, '"times" makes no sense in "then", which applies to every request after the steps')
  if (match.needsRequest) {
    const all = then ? [...steps, then] : steps
    const at = all.findIndex((s) => s.level === 'connection')
    if (at >= 0) {
      const stepWhere = at < steps.length ? `${where}.steps[${at}]` : `${where}.then`
      fail(stepWhere, 'stall-tls happens before any request is read, so its rule cannot match on method, tag, header or attempt; put it in a rule without those matchers')
    }
  }
  return { index, ...(rule.id !== undefined && { id: rule.id }), source: rule, match, steps, ...(then && { then }) }
}

function compileMatch(match: FaultMatch, where: string, limits: PlanLimits): CompiledMatch {
  const out: CompiledMatch = { headers: [], needsRequest: false }
  if (match.method !== undefined) {
    out.methods = (Array.isArray(match.method) ? match.method : [match.method]).map((m) => m.toUpperCase())
  }
  if (match.tag !== undefined) {
    try {
      out.tag = compileTagGlob(match.tag, limits.tagPatternMax)
    } catch (err) {
      fail(`${where}.tag`, (err as Error).message)
    }
    out.tagPattern = match.tag
  }
  for (const [name, matcher] of Object.entries(match.header ?? {})) {
    out.headers.push(compileHeader(name, matcher, `${where}.header.${name}`, limits.regexMax))
  }
  if (match.attempt !== undefined) {
    const a = match.attempt
    const range = typeof a === 'number' ? { min: a, max: a } : Array.isArray(a) ? { min: a[0], max: a[1] } : { min: a.min ?? 1, max: a.max ?? Number.POSITIVE_INFINITY }
    if (range.min > range.max) fail(`${where}.attempt`, `the range is empty (min ${range.min} > max ${range.max})`)
    out.attempt = range
  }
  if (match.body !== undefined) {
    try {
      out.body = compileBodyMatcher(match.body, limits)
    } catch (err) {
      fail(`${where}.body`, (err as Error).message)
    }
  }
  out.needsRequest = out.methods !== undefined || out.tag !== undefined || out.headers.length > 0 || out.attempt !== undefined || out.body !== undefined
  return out
}

function compileHeader(name: string, matcher: HeaderMatcher, where: string, regexMax: number): HeaderTest {
  const lower = name.toLowerCase()
  if (typeof matcher === 'string' || 'equals' in matcher) {
    const expected = typeof matcher === 'string' ? matcher : matcher.equals
    return { name: lower, explain: `${name}: ${expected}`, test: (v) => v === expected }
  }
  if ('regex' in matcher) {
    let matches: (value: string) => boolean
    try {
      matches = compileHeaderRegex(matcher.regex, regexMax)
    } catch (err) {
      fail(where, (err as Error).message)
    }
    return { name: lower, explain: `${name} ~ /${matcher.regex}/`, test: (v) => v !== undefined && matches(v) }
  }
  const present = matcher.present
  return { name: lower, explain: present ? `${name} present` : `no ${name}`, test: (v) => (v !== undefined) === present }
}

const REQUEST_LEVEL_ONLY = new Set(['hang', 'stall-tls'])

/** Compiles one step (also used for `then` and `else`). */
export function compileStep(step: FaultStep, where: string, inElse = false): CompiledStep {
  if (inElse) {
    if (step.times !== undefined) fail(where, '"times" is not allowed in "else" (the enclosing step counts)')
    if (step.probability !== undefined) fail(where, 'a nested "probability" is not allowed in "else"')
  }
  if (step.else !== undefined && step.probability === undefined) fail(where, '"else" needs "probability" in the same step')
  const hasAction = step.action !== undefined || step.status !== undefined || step.delayMs !== undefined || step.delay !== undefined
  if (step.probability !== undefined && !hasAction) {
    fail(where, 'a "probability" step needs the action to take on a hit, e.g. {"probability": 0.6, "status": 503}')
  }
  const hit = compileOutcome(step, where)
  const level = hit.action.type === 'stall-tls' ? 'connection' : 'request'
  const compiled: CompiledStep = { source: step, times: step.times ?? 1, level, hit }
  if (step.probability !== undefined) {
    compiled.probability = step.probability
    const miss: StepOutcome = step.else === undefined ? { action: { type: 'pass' } } : compileStep(step.else, `${where}.else`, true).hit
    const missLevel = miss.action.type === 'stall-tls' ? 'connection' : 'request'
    if (level === 'connection' && !(miss.action.type === 'pass' && miss.delay === undefined) && missLevel !== 'connection') {
      fail(`${where}.else`, 'a stall-tls step is decided when the connection opens, so its "else" can only be omitted (accept the connection) or another stall-tls')
    }
    if (level === 'request' && missLevel === 'connection') {
      fail(`${where}.else`, 'stall-tls in "else" of a request step cannot work: the request is already past the TLS handshake')
    }
    compiled.miss = miss
  }
  return compiled
}

function compileOutcome(step: FaultStep, where: string): StepOutcome {
  const action = step.action ?? (step.status !== undefined ? 'respond' : 'pass')
  const delay = compileDelay(step, where)
  if (delay && REQUEST_LEVEL_ONLY.has(action)) fail(where, `a delay before "${action}" makes no difference; remove "delayMs"/"delay"`)
  if (step.status !== undefined && step.status < 200) fail(where, interimStatusMessage(step.status))
  if (step.status !== undefined && action !== 'respond' && action !== 'slow-body') {
    fail(where, `"status" goes with "respond" or "slow-body", not with "${action}"`)
  }
  for (const key of ['body', 'headers', 'retryAfter'] as const) {
    if (step[key] !== undefined && action !== 'respond' && action !== 'slow-body') {
      fail(where, `"${key}" goes with a status ("respond" or "slow-body"), not with "${action}"`)
    }
  }
  if (step.durationMs !== undefined && action !== 'slow-body' && action !== 'refuse') {
    fail(where, `"durationMs" goes with "slow-body" or "refuse", not with "${action}"`)
  }
  const headers = { ...step.headers }
  if (step.retryAfter !== undefined) headers['Retry-After'] = String(step.retryAfter)
  checkHeaders(step.headers ?? {}, `${where}.headers`)
  if (step.retryAfter !== undefined) checkHeaders({ 'Retry-After': String(step.retryAfter) }, `${where}.retryAfter`, true)
  const extras = {
    ...(step.body !== undefined && { body: step.body }),
    ...(Object.keys(headers).length > 0 && { headers }),
  }
  let out: StepAction
  switch (action) {
    case 'respond':
      if (step.status === undefined) fail(where, '"respond" needs a "status" (200-599)')
      out = { type: 'respond', status: step.status, ...extras }
      break
    case 'slow-body':
      if (step.durationMs === undefined) fail(where, '"slow-body" needs "durationMs" (how long the body takes, in ms)')
      out = { type: 'slow-body', durationMs: step.durationMs, status: step.status ?? 200, ...extras }
      break
    case 'refuse':
      if (step.durationMs === undefined) fail(where, '"refuse" needs "durationMs" (how long new connections are refused, in ms)')
      out = { type: 'refuse', durationMs: step.durationMs }
      break
    case 'pass':
    case 'hang':
    case 'reset':
    case 'close':
    case 'stall-tls':
      out = { type: action }
      break
    default: {
      const never: never = action
      fail(where, `unknown action ${String(never)}`)
    }
  }
  return { ...(delay && { delay }), action: out }
}

/** An HTTP header name: one or more token characters (RFC 9110). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** What node refuses in a header value (and what would split the answer): CR, LF, NUL and other controls but tab. */
const BAD_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/

/**
 * Headers a fault answers with are checked when the plan loads: a CR or LF would either split the
 * answer (header injection) or make node refuse it at answer time, resetting a client the journal
 * called answered.
 */
function checkHeaders(headers: Record<string, string>, where: string, whole = false): void {
  for (const [name, value] of Object.entries(headers)) {
    const at = whole ? where : `${where}.${JSON.stringify(name)}`
    if (!HEADER_NAME.test(name)) fail(at, `the header name ${JSON.stringify(name)} is not an HTTP token (no spaces, CR, LF, colons or other separators)`)
    const bad = BAD_VALUE_CHAR.exec(value)
    if (bad) fail(at, `the header value holds ${JSON.stringify(bad[0])} at position ${bad.index}; CR, LF and other control characters are not allowed in a header value`)
  }
}

/**
 * Why a 1xx status is refused: it is an interim answer, so the client keeps waiting for the final
 * one until its timeout, while the journal would say "answered". A client that waits is "hang".
 */
export function interimStatusMessage(status: number): string {
  return `status ${status} is an interim (1xx) answer: the client would keep waiting for a final answer until its timeout; use a final status 200-599, or "hang" to make the client wait`
}

function compileDelay(step: FaultStep, where: string): DelaySpec | undefined {
  if (step.delayMs !== undefined && step.delay !== undefined) fail(where, 'give either "delayMs" (fixed) or "delay" (random), not both')
  if (step.delayMs !== undefined) return { kind: 'fixed', ms: step.delayMs }
  const d = step.delay
  if (d === undefined) return undefined
  if ('uniform' in d) {
    const [minMs, maxMs] = d.uniform
    if (minMs > maxMs) fail(`${where}.delay.uniform`, `min ${minMs} ms is greater than max ${maxMs} ms`)
    return { kind: 'uniform', minMs, maxMs }
  }
  const { medianMs, sigma, maxMs } = d.lognormal
  if (maxMs !== undefined && maxMs < medianMs) fail(`${where}.delay.lognormal`, `maxMs ${maxMs} is below medianMs ${medianMs}`)
  return { kind: 'lognormal', medianMs, sigma, ...(maxMs !== undefined && { maxMs }) }
}
