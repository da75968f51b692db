/**
 * Steps and rules in words: used by `GET /api/faults`, the journal
 * (`AppliedFault.explain`) and conformance verdicts.
 */
import type { CompiledMatch, CompiledStep, DelaySpec, StepAction, StepOutcome } from './compile-plan.js'
import { compileStep } from './compile-plan.js'
import type { FaultStep } from './plan-types.js'

function ms(value: number): string {
  return `${Math.round(value * 1000) / 1000} ms`
}

export function explainDelay(delay: DelaySpec): string {
  switch (delay.kind) {
    case 'fixed':
      return `wait ${ms(delay.ms)}`
    case 'uniform':
      return `wait a random ${ms(delay.minMs)}..${ms(delay.maxMs)} (uniform)`
    case 'lognormal':
      return `wait a random time (log-normal, median ${ms(delay.medianMs)}, sigma ${delay.sigma}${delay.maxMs !== undefined ? `, at most ${ms(delay.maxMs)}` : ''})`
    default: {
      const never: never = delay
      return String(never)
    }
  }
}

export function explainAction(action: StepAction): string {
  switch (action.type) {
    case 'pass':
      return 'pass (behave like Fluentd)'
    case 'respond': {
      const extras = [
        action.headers ? `headers ${Object.entries(action.headers).map(([k, v]) => `${k}: ${v}`).join(', ')}` : '',
        action.body !== undefined ? `body ${JSON.stringify(action.body.length > 40 ? `${action.body.slice(0, 40)}...` : action.body)}` : '',
      ].filter(Boolean)
      return `respond ${action.status}${extras.length ? ` (${extras.join('; ')})` : ''}`
    }
    case 'hang':
      return 'hang (never answer)'
    case 'reset':
      return 'reset the connection (TCP RST)'
    case 'close':
      return 'close the connection without answering'
    case 'slow-body':
      return `respond ${action.status} and dribble the body over ${ms(action.durationMs)}`
    case 'refuse':
      return `reset the connection and refuse new connections for ${ms(action.durationMs)}`
    case 'stall-tls':
      return 'stall the TLS handshake (never answer the ClientHello)'
    default: {
      const never: never = action
      return String(never)
    }
  }
}

export function explainOutcome(outcome: StepOutcome): string {
  const action = explainAction(outcome.action)
  return outcome.delay ? `${explainDelay(outcome.delay)}, then ${action}` : action
}

/** A compiled step in words, without its count. */
export function explainCompiledStep(step: CompiledStep): string {
  if (step.probability === undefined) return explainOutcome(step.hit)
  return `with probability ${step.probability}: ${explainOutcome(step.hit)}; otherwise ${step.miss ? explainOutcome(step.miss) : 'pass'}`
}

/**
 * One plan step in words, e.g. `respond 500 (3 times)`, `wait 16000 ms, then respond 200`,
 * `with probability 0.6: respond 503; otherwise pass (behave like Fluentd)`.
 * Throws FF_ERR_FAULT_SPEC for a step that does not make sense.
 */
export function explainStep(step: FaultStep): string {
  const compiled = compileStep(step, 'step')
  const text = explainCompiledStep(compiled)
  return compiled.times > 1 ? `${text} (${compiled.times} times)` : text
}

/** The matchers of a rule in words; `every request` when it has none. */
export function explainMatch(match: CompiledMatch): string {
  const parts: string[] = []
  if (match.methods) parts.push(`method ${match.methods.join('|')}`)
  if (match.tagPattern !== undefined) parts.push(`tag ${match.tagPattern}`)
  for (const h of match.headers) parts.push(`header ${h.explain}`)
  if (match.attempt) {
    const { min, max } = match.attempt
    parts.push(min === max ? `attempt ${min}` : max === Number.POSITIVE_INFINITY ? `attempt >= ${min}` : `attempts ${min}..${max}`)
  }
  if (match.body) parts.push(match.body.explain)
  return parts.length ? parts.join(', ') : 'every request (and every new connection)'
}
