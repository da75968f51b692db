/**
 * The fault engine: pure, deterministic decisions over a plan (the receiver executes them).
 *
 * Sequencing (documented in README "Fault plans"):
 * - Rules are tried in order; the first rule that matches decides. A rule whose steps are used up and
 *   that has no `then` no longer matches, so later rules (or plain Fluentd behaviour) take over.
 * - Each matching request consumes one use of the rule's current step (`times: N` = N uses).
 * - stall-tls is the only connection-level step. `decideConnection` looks only at rules without
 *   request matchers (method, tag, header, attempt cannot be known before the request), takes the
 *   first one still active, and consumes its current step only when that step is connection-level;
 *   otherwise the connection is accepted and the step waits for a request. So `stall-tls x2, 200`
 *   gives two stalled handshakes, then a 200 on the third connection.
 * - A request that arrives on an already open connection while its rule's current step is stall-tls
 *   does not consume it: the connection is closed without an answer so that the client reconnects
 *   and meets the stall. To make that rare, an answer whose rule goes on with a connection-level step
 *   carries `Connection: close`.
 * - Probabilities and random delays draw from one seeded stream per plan (mulberry32); each draw is
 *   numbered, and the seed and draw go into `AppliedFault.draw`.
 */
import { systemClock, type Clock } from '../clock/index.js'
import type {
  AppliedFault,
  ConnectionDecision,
  ConnectionFacts,
  FaultEngine,
  RequestDecision,
  RequestFacts,
  ResponseAction,
} from './types.js'
import type { CompiledPlan, CompiledRule, CompiledStep, DelaySpec, StepOutcome } from './compile-plan.js'
import { explainAction, explainCompiledStep, explainDelay, explainMatch } from './explain.js'
import { planLimits, type PlanLimits } from './plan-limits.js'
import type { FaultPlan } from './plan-types.js'
import { SeededRandom } from './rng.js'
import { validateAndCompile } from './validate-plan.js'

/** Seed used when neither the plan nor the engine options give one. */
export const DEFAULT_FAULT_SEED = 1

export interface FaultEngineOptions {
  /** Initial plan (validated; throws FF_ERR_FAULT_SPEC). Default: no rules. */
  plan?: unknown
  /** Seed for plans that carry none; default 1 (runs are reproducible unless told otherwise). */
  seed?: number
  /** Used to time-stamp plan changes in `describe()`; default the system clock. */
  clock?: Clock
  /** What a plan may hold (the initial one and every `setPlan`); default DEFAULT_PLAN_LIMITS. */
  limits?: Partial<PlanLimits>
}

interface RuleState {
  /** Index of the current step; `steps.length` once used up. */
  stepIndex: number
  /** Uses of the current step so far. */
  used: number
  /** Uses of `then` so far. */
  thenUsed: number
}

type Position = { kind: 'step'; index: number; step: CompiledStep } | { kind: 'then'; step: CompiledStep }

/** Creates a fault engine; see the module comment for the sequencing rules. */
export function createFaultEngine(options: FaultEngineOptions = {}): FaultEngine {
  return new PlanFaultEngine(options)
}

class PlanFaultEngine implements FaultEngine {
  readonly #defaultSeed: number
  readonly #clock: Clock
  readonly #limits: PlanLimits
  #plan: FaultPlan = { rules: [] }
  #compiled: CompiledPlan = { rules: [] }
  /** Some rule matches on the body's records (computed when the plan is set, not per request). */
  #needsRecords = false
  #states: RuleState[] = []
  #rng: SeededRandom
  #setAt: number

  constructor(options: FaultEngineOptions) {
    this.#defaultSeed = options.seed ?? DEFAULT_FAULT_SEED
    this.#clock = options.clock ?? systemClock
    this.#limits = Object.freeze(planLimits(options.limits))
    this.#rng = new SeededRandom(this.#defaultSeed)
    this.#setAt = this.#clock.wallNow()
    if (options.plan !== undefined) this.setPlan(options.plan)
  }

  setPlan(plan: unknown): void {
    const { plan: frozen, compiled } = validateAndCompile(plan, this.#limits)
    this.#plan = frozen
    this.#compiled = compiled
    this.#needsRecords = compiled.rules.some((rule) => rule.match.body !== undefined)
    this.#setAt = this.#clock.wallNow()
    this.resetCounters()
  }

  limits(): PlanLimits {
    return this.#limits
  }

  clear(): void {
    this.setPlan({ rules: [] })
  }

  needsRecords(): boolean {
    return this.#needsRecords
  }

  resetCounters(): void {
    this.#states = this.#compiled.rules.map(() => ({ stepIndex: 0, used: 0, thenUsed: 0 }))
    this.#rng = new SeededRandom(this.#compiled.seed ?? this.#defaultSeed)
  }

  decideConnection(_facts: ConnectionFacts): ConnectionDecision {
    for (const rule of this.#compiled.rules) {
      if (rule.match.needsRequest) continue
      const position = this.#position(rule)
      if (!position) continue
      if (position.step.level !== 'connection') return { delayMs: 0, action: { type: 'accept' } }
      const use = this.#consume(rule, position)
      const { outcome, draw, drawText } = this.#resolve(position.step)
      const explain = `${outcome.action.type === 'stall-tls' ? explainAction(outcome.action) : 'accept the connection'}${drawText}`
      const applied = this.#applied(rule, position, use, explain, draw)
      return outcome.action.type === 'stall-tls'
        ? { delayMs: 0, action: { type: 'stall-tls' }, applied }
        : { delayMs: 0, action: { type: 'accept' }, applied }
    }
    return { delayMs: 0, action: { type: 'accept' } }
  }

  decideRequest(facts: RequestFacts): RequestDecision {
    for (const rule of this.#compiled.rules) {
      if (!matches(rule, facts)) continue
      const position = this.#position(rule)
      if (!position) continue
      if (position.step.level === 'connection') {
        const explain = `${explainAction({ type: 'close' })}: the next step (${explainCompiledStep(position.step)}) needs a new connection`
        return { delayMs: 0, action: { type: 'close' }, applied: this.#applied(rule, position, this.#pendingUse(rule, position), explain) }
      }
      const use = this.#consume(rule, position)
      const { outcome, draw, drawText } = this.#resolve(position.step)
      const { delayMs, delayText } = this.#delay(outcome.delay)
      let action = outcome.action as ResponseAction
      const next = this.#position(rule)
      if (next?.step.level === 'connection' && (action.type === 'respond' || action.type === 'slow-body')) {
        // The rule goes on with a connection-level step: make the client open a new connection.
        action = { ...action, headers: { ...action.headers, Connection: 'close' } }
      }
      const explain = `${delayText}${explainAction(action)}${drawText}`
      return { delayMs, action, applied: this.#applied(rule, position, use, explain, draw) }
    }
    return { delayMs: 0, action: { type: 'pass' } }
  }

  describe(): unknown {
    const rules = this.#compiled.rules.map((rule) => {
      const state = this.#states[rule.index]!
      const steps = rule.steps.map((step, index) => {
        const used = index < state.stepIndex ? step.times : index === state.stepIndex ? state.used : 0
        return { index, explain: explainCompiledStep(step), times: step.times, used, remaining: step.times - used }
      })
      const remaining = steps
        .filter((s) => s.remaining > 0)
        .map((s) => `step ${s.index + 1}: ${s.explain}${s.remaining > 1 ? ` (${s.remaining} more times)` : ''}`)
      if (rule.then) remaining.push(`then, for every further request: ${explainCompiledStep(rule.then)}`)
      else remaining.push('then: the rule stops matching (later rules or Fluentd behaviour apply)')
      const current = this.#position(rule)
      return {
        index: rule.index,
        ...(rule.id !== undefined && { id: rule.id }),
        match: explainMatch(rule.match),
        steps,
        then: rule.then ? { explain: explainCompiledStep(rule.then), used: state.thenUsed } : null,
        next: current ? (current.kind === 'then' ? 'then' : current.index) : 'used-up',
        remaining,
      }
    })
    const text = rules.length
      ? rules.map((r) => `rule ${r.index}${r.id ? ` "${r.id}"` : ''} (${r.match}):\n${r.remaining.map((line) => `  ${line}`).join('\n')}`).join('\n')
      : 'no fault rules: every request is answered like Fluentd'
    return {
      seed: this.#rng.seed,
      draws: this.#rng.drawCount,
      setAt: new Date(this.#setAt).toISOString(),
      plan: this.#plan,
      rules,
      text,
    }
  }

  #position(rule: CompiledRule): Position | undefined {
    const state = this.#states[rule.index]!
    const step = rule.steps[state.stepIndex]
    if (step) return { kind: 'step', index: state.stepIndex, step }
    if (rule.then) return { kind: 'then', step: rule.then }
    return undefined
  }

  /** Uses one go of the step; returns which use it was (1-based). */
  #consume(rule: CompiledRule, position: Position): number {
    const state = this.#states[rule.index]!
    if (position.kind === 'then') return ++state.thenUsed
    const use = ++state.used
    if (state.used >= position.step.times) {
      state.stepIndex++
      state.used = 0
    }
    return use
  }

  /** The use number the next consumption of this position would get (for steps not consumed). */
  #pendingUse(rule: CompiledRule, position: Position): number {
    const state = this.#states[rule.index]!
    return position.kind === 'then' ? state.thenUsed + 1 : state.used + 1
  }

  #resolve(step: CompiledStep): { outcome: StepOutcome; draw?: AppliedFault['draw']; drawText: string } {
    if (step.probability === undefined) return { outcome: step.hit, drawText: '' }
    const value = this.#rng.next()
    const hit = value < step.probability
    const draw = { seed: this.#rng.seed, n: this.#rng.drawCount, value, probability: step.probability, hit }
    const outcome = hit ? step.hit : (step.miss ?? { action: { type: 'pass' } })
    const drawText = ` [draw #${draw.n} = ${value.toFixed(4)} ${hit ? '<' : '>='} p ${step.probability}: ${hit ? 'hit' : 'miss'}; seed ${draw.seed}]`
    return { outcome, draw, drawText }
  }

  #delay(delay: DelaySpec | undefined): { delayMs: number; delayText: string } {
    if (!delay) return { delayMs: 0, delayText: '' }
    switch (delay.kind) {
      case 'fixed':
        return { delayMs: delay.ms, delayText: `${explainDelay(delay)}, then ` }
      case 'uniform':
      case 'lognormal': {
        const value = delay.kind === 'uniform' ? this.#rng.uniform(delay.minMs, delay.maxMs) : this.#rng.lognormal(delay.medianMs, delay.sigma, delay.maxMs)
        const delayMs = Math.round(value)
        return { delayMs, delayText: `wait ${delayMs} ms (${explainDelay(delay).replace(/^wait /, '')}, draw #${this.#rng.drawCount}, seed ${this.#rng.seed}), then ` }
      }
      default: {
        const never: never = delay
        return never
      }
    }
  }

  #applied(rule: CompiledRule, position: Position, use: number, what: string, draw?: AppliedFault['draw']): AppliedFault {
    const ruleName = `rule ${rule.index}${rule.id !== undefined ? ` "${rule.id}"` : ''}`
    let where: string
    if (position.kind === 'then') {
      where = `${ruleName}, then (use ${use})`
    } else {
      const times = position.step.times
      where = `${ruleName}, step ${position.index + 1} of ${rule.steps.length}${times > 1 ? `, use ${use} of ${times}` : ''}`
    }
    return {
      ruleIndex: rule.index,
      ...(rule.id !== undefined && { ruleId: rule.id }),
      step: position.kind === 'then' ? 'then' : position.index,
      explain: `${what} (${where})`,
      ...(draw && { draw }),
    }
  }
}

function headerValue(headers: RequestFacts['headers'], name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

/** True when every matcher of the rule accepts the request. */
function matches(rule: CompiledRule, facts: RequestFacts): boolean {
  const m = rule.match
  if (m.methods && !m.methods.includes(facts.method.toUpperCase())) return false
  if (m.tag && !m.tag.test(facts.tag)) return false
  for (const h of m.headers) if (!h.test(headerValue(facts.headers, h.name))) return false
  if (m.attempt && (facts.attempt < m.attempt.min || facts.attempt > m.attempt.max)) return false
  if (m.body && !m.body.test(facts.records ?? [])) return false
  return true
}
