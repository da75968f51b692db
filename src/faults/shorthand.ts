/**
 * The `--fault` shorthand: each spec is one rule, in the order given (the first matching rule
 * decides). Grammar (README "Fault plans"):
 *
 *   spec     := { matcher " " } steps
 *   matcher  := METHOD["|"METHOD...] | "/"<tag-glob> | method=<M>[|<M>] | tag=<glob>
 *             | header=<name>[":"<value> | "~"<regex>] | attempt=<n>[-[<m>]]
 *   steps    := item { "," item }
 *   item     := step ["x"<count>]
 *   step     := <status> | delay=<dur>[..<dur>][:<after>] | rate=<p>:<step> | hang | reset | close
 *             | stall-tls | refuse=<dur> | slow=<dur>[:<status>] | pass
 *   after    := <status> | reset | close | pass | refuse=<dur> | slow=<dur>[:<status>]
 *
 * Items are used in order, one per matching request; an item with `xN` is used N times. The last
 * item repeats for every further request unless it has an explicit `xN`, in which case the rule
 * stops matching after it. `delay=16s` alone waits, then behaves like Fluentd.
 */
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import { DEFAULT_PLAN_LIMITS, type PlanLimits } from './plan-limits.js'
import type { FaultMatch, FaultPlan, FaultRule, FaultStep } from './plan-types.js'
import { interimStatusMessage } from './compile-plan.js'
import { compileHeaderRegex } from './header-regex.js'
import { at, duration, ShorthandError, splitOnce, tokens, type Token } from './shorthand-tokens.js'
import { validateFaultPlan } from './validate-plan.js'

const EXPECTED_STEP =
  '<status>[xN], delay=<dur>[:<step>], rate=<p>:<step>, hang, reset, close, stall-tls, refuse=<dur>, slow=<dur>[:<status>], pass'
const EXPECTED_AFTER_DELAY = '<status>, reset, close, pass, refuse=<dur>, slow=<dur>[:<status>]'
const EXPECTED_MATCHER = 'METHOD[|METHOD], /<tag-glob>, method=<M>, tag=<glob>, header=<name>[:<value>|~<regex>], attempt=<n>[-<m>]'
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'])

/**
 * Compiles `--fault` specs to a plan: one rule per spec, in order. The plan is validated like a JSON
 * plan, within `limits`. @throws FakeFluentdError FF_ERR_FAULT_SPEC, e.g.
 * `--fault "dealy=5s": unknown step 'dealy' at position 1; expected one of: ...`
 */
export function parseFaultShorthand(specs: string[], limits: PlanLimits = DEFAULT_PLAN_LIMITS): FaultPlan {
  const rules = specs.map((spec) => {
    try {
      return parseSpec(spec)
    } catch (err) {
      if (err instanceof ShorthandError) {
        throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `--fault "${spec}": ${err.message}`)
      }
      throw err
    }
  })
  try {
    return validateFaultPlan({ rules }, limits)
  } catch (err) {
    // The parser should only produce valid plans; say which spec it was if it did not.
    if (err instanceof FakeFluentdError) {
      throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `--fault ${specs.map((s) => `"${s}"`).join(' --fault ')}: ${err.message}`)
    }
    throw err
  }
}

function parseSpec(spec: string): FaultRule {
  const toks = tokens(spec)
  const last = toks.pop()
  if (!last) throw new ShorthandError(`empty spec; expected one of: ${EXPECTED_STEP}`, 1)
  const match: FaultMatch = {}
  for (const tok of toks) parseMatcher(tok, match)
  const items = splitItems(last)
  const steps: FaultStep[] = []
  let then: FaultStep | undefined
  items.forEach((item, i) => {
    const { step, counted } = parseItem(item)
    if (i === items.length - 1 && !counted) then = step
    else steps.push(step)
  })
  return {
    id: spec.trim(),
    ...(Object.keys(match).length > 0 && { match }),
    ...(steps.length > 0 && { steps }),
    ...(then && { then }),
  }
}

function parseMatcher(tok: Token, match: FaultMatch): void {
  const { text } = tok
  const setOnce = <K extends keyof FaultMatch>(key: K, value: FaultMatch[K]): void => {
    if (match[key] !== undefined && key !== 'header') throw new ShorthandError(`${key} given twice at position ${at(tok)}`, at(tok))
    match[key] = value
  }
  const methods = (list: string, offset: number): string[] => {
    const names = list.split('|')
    let pos = offset
    for (const name of names) {
      if (!METHODS.has(name.toUpperCase())) {
        throw new ShorthandError(`unknown method '${name}' at position ${at(tok, pos)}; expected one of: ${[...METHODS].join(', ')}`, at(tok, pos))
      }
      pos += name.length + 1
    }
    return names.map((n) => n.toUpperCase())
  }
  if (text.startsWith('/')) {
    if (text.length === 1) throw new ShorthandError(`empty tag pattern at position ${at(tok)}; expected /<tag-glob>, e.g. /wallarm.*`, at(tok))
    setOnce('tag', text.slice(1))
    return
  }
  const eq = text.indexOf('=')
  const key = eq >= 0 ? text.slice(0, eq) : undefined
  const value = eq >= 0 ? text.slice(eq + 1) : ''
  switch (key) {
    case 'method': {
      const list = methods(value, eq + 1)
      setOnce('method', list.length === 1 ? list[0] : list)
      return
    }
    case 'tag':
      if (!value) throw new ShorthandError(`empty tag pattern at position ${at(tok, eq + 1)}; expected tag=<glob>`, at(tok, eq + 1))
      setOnce('tag', value)
      return
    case 'header': {
      const m = /^([!#$%&'*+.^_`|0-9A-Za-z-]+)(?:([:~])(.*))?$/.exec(value)
      if (!m) {
        throw new ShorthandError(`bad header matcher '${value}' at position ${at(tok, eq + 1)}; expected header=<name>, header=<name>:<value> or header=<name>~<regex>`, at(tok, eq + 1))
      }
      const [, name, op, arg] = m as unknown as [string, string, string | undefined, string | undefined]
      if (op === '~') {
        try {
          // The syntax here, with its position; the length against the plan's limits when it is validated.
          compileHeaderRegex(arg ?? '', Number.POSITIVE_INFINITY)
        } catch (err) {
          const why = (err as Error).message.replace(/^bad regular expression /, '')
          throw new ShorthandError(`bad regular expression at position ${at(tok, eq + 2 + name.length)}: ${why}`, at(tok, eq + 2 + name.length))
        }
      }
      match.header = { ...match.header, [name]: op === undefined ? { present: true } : op === '~' ? { regex: arg ?? '' } : (arg ?? '') }
      return
    }
    case 'attempt': {
      const m = /^(\d+)(?:(-)(\d+)?)?$/.exec(value)
      const min = m ? Number(m[1]) : 0
      const max = m?.[3] !== undefined ? Number(m[3]) : undefined
      if (!m || min < 1 || (max !== undefined && max < min)) {
        throw new ShorthandError(`bad attempt '${value}' at position ${at(tok, eq + 1)}; expected attempt=<n>, attempt=<n>-<m> or attempt=<n>- (1-based, n <= m)`, at(tok, eq + 1))
      }
      setOnce('attempt', m[2] === undefined ? min : max === undefined ? { min } : [min, max])
      return
    }
    case undefined:
      if (/^[A-Za-z]+(\|[A-Za-z]+)*$/.test(text) && text.split('|').every((n) => METHODS.has(n.toUpperCase()))) {
        const list = methods(text, 0)
        setOnce('method', list.length === 1 ? list[0] : list)
        return
      }
      break
    default:
      break
  }
  throw new ShorthandError(`unknown matcher '${key ?? text}' at position ${at(tok)}; expected one of: ${EXPECTED_MATCHER} (the steps come last)`, at(tok))
}

function splitItems(tok: Token): Token[] {
  const out: Token[] = []
  let start = 0
  const parts = tok.text.split(',')
  for (const part of parts) {
    if (part === '') throw new ShorthandError(`empty step at position ${at(tok, start)}; expected one of: ${EXPECTED_STEP}`, at(tok, start))
    out.push({ text: part, start: tok.start + start })
    start += part.length + 1
  }
  return out
}

function parseItem(item: Token): { step: FaultStep; counted: boolean } {
  let body = item.text
  let times: number | undefined
  const countMatch = /x(\d*)$/.exec(item.text)
  if (countMatch && countMatch.index > 0) {
    const countText = countMatch[1]!
    const count = Number(countText)
    const before = item.text.slice(0, countMatch.index)
    const value = /=(\d+(?:\.\d+)?)$/.exec(before)
    if (countText === '' && value) {
      // "delay=5x": a number without a unit, not a count.
      throw new ShorthandError(`bad duration '${value[1]}x' at position ${at(item, value.index + 1)}; a duration takes a unit: ms, s, m or h (e.g. ${before.slice(0, value.index + 1)}${value[1]}s)`, at(item, value.index + 1))
    }
    if (countText === '' || !Number.isInteger(count) || count < 1) {
      throw new ShorthandError(`bad count 'x${countText}' at position ${at(item, countMatch.index)}; expected x<N> with N >= 1, e.g. 500x3`, at(item, countMatch.index))
    }
    times = count
    body = item.text.slice(0, countMatch.index)
  }
  const step = parseStep({ text: body, start: item.start }, 'top')
  return { step: times === undefined ? step : { ...step, times }, counted: times !== undefined }
}

type StepContext = 'top' | 'after-delay' | 'after-rate'

function parseStep(tok: Token, context: StepContext): FaultStep {
  const { text } = tok
  const expected = context === 'after-delay' ? EXPECTED_AFTER_DELAY : EXPECTED_STEP
  const unknown = (name: string): never => {
    throw new ShorthandError(`unknown step '${name}' at position ${at(tok)}; expected one of: ${expected}`, at(tok))
  }
  if (/^\d+$/.test(text)) {
    const status = Number(text)
    if (status < 100 || status > 599) throw new ShorthandError(`bad status '${text}' at position ${at(tok)}; expected a status from 200 to 599`, at(tok))
    if (status < 200) throw new ShorthandError(`${interimStatusMessage(status)} (position ${at(tok)})`, at(tok))
    return { status }
  }
  const eq = text.indexOf('=')
  const name = eq >= 0 ? text.slice(0, eq) : text
  const value = eq >= 0 ? text.slice(eq + 1) : undefined
  const valueTok: Token = { text: value ?? '', start: eq >= 0 ? tok.start + eq + 1 : tok.start + text.length }
  const noValue = (): void => {
    if (value !== undefined) throw new ShorthandError(`'${name}' takes no value (at position ${at(tok, eq)}); write just '${name}'`, at(tok, eq))
  }
  switch (name) {
    case 'hang':
    case 'stall-tls':
      if (context === 'after-delay') {
        throw new ShorthandError(`a delay before '${name}' makes no difference (position ${at(tok)}); expected one of: ${EXPECTED_AFTER_DELAY}`, at(tok))
      }
      noValue()
      return { action: name }
    case 'reset':
    case 'close':
    case 'pass':
      noValue()
      return { action: name }
    case 'refuse':
      return { action: 'refuse', durationMs: duration(valueTok, value, 'refuse=<dur>') }
    case 'slow': {
      const [dur, status] = splitOnce(valueTok)
      const step: FaultStep = { action: 'slow-body', durationMs: duration(dur, value === undefined ? undefined : dur.text, 'slow=<dur>[:<status>]') }
      if (status) {
        if (!/^\d+$/.test(status.text) || Number(status.text) < 100 || Number(status.text) > 599) {
          throw new ShorthandError(`bad status '${status.text}' at position ${at(status)}; expected a status from 200 to 599`, at(status))
        }
        if (Number(status.text) < 200) throw new ShorthandError(`${interimStatusMessage(Number(status.text))} (position ${at(status)})`, at(status))
        step.status = Number(status.text)
      }
      return step
    }
    case 'delay': {
      if (context === 'after-delay') unknown(name)
      const [dur, after] = splitOnce(valueTok)
      if (value === undefined) throw new ShorthandError(`missing duration after 'delay' at position ${at(tok, name.length)}; expected delay=<dur>[:<step>], e.g. delay=16s:200`, at(tok, name.length))
      const range = dur.text.split('..')
      const step: FaultStep = {}
      if (range.length === 2) {
        const minMs = duration({ text: range[0]!, start: dur.start }, range[0], 'delay=<dur>..<dur>')
        const maxTok = { text: range[1]!, start: dur.start + range[0]!.length + 2 }
        const maxMs = duration(maxTok, range[1], 'delay=<dur>..<dur>')
        if (minMs > maxMs) throw new ShorthandError(`empty delay range '${dur.text}' at position ${at(dur)}; expected <min>..<max> with min <= max`, at(dur))
        step.delay = { uniform: [minMs, maxMs] }
      } else {
        step.delayMs = duration(dur, dur.text, 'delay=<dur>[:<step>]')
      }
      return after ? { ...step, ...parseStep(after, 'after-delay') } : step
    }
    case 'rate': {
      if (context !== 'top') unknown(name)
      const [p, after] = splitOnce(valueTok)
      const probability = Number(p.text)
      if (value === undefined || p.text === '' || !Number.isFinite(probability) || probability < 0 || probability > 1) {
        throw new ShorthandError(`bad probability '${p.text}' at position ${at(p)}; expected rate=<p>:<step> with p from 0 to 1, e.g. rate=0.6:503`, at(p))
      }
      if (!after) {
        throw new ShorthandError(`missing step after 'rate=${p.text}' at position ${at(p, p.text.length)}; expected rate=<p>:<step>, e.g. rate=0.6:503`, at(p, p.text.length))
      }
      return { probability, ...parseStep(after, 'after-rate') }
    }
    default:
      return unknown(name)
  }
}
