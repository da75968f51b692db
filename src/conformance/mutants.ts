/**
 * The mutation matrix: broken senders generated from a profile. Each mutant is the reference sender
 * running the profile with ONE field perturbed the way a real sender gets it wrong: every number 10 %
 * off in either direction (a 0 s interval becomes 1 s), every choice flipped. The suite must fail
 * each of them (in the scenario named by `caughtBy`) and pass the unmodified profile.
 * @see docs/sender-contract.md "Broken senders the suite catches"
 */
import { builtinAdapter } from './adapters/builtin.js'
import type { SenderAdapter } from './adapters/types.js'
import { maxAttempts, type RetryProfile } from '../profile/index.js'
import type { RuleId } from './types.js'

export interface Mutant {
  /** Stable id, e.g. `interval c1.2 +10%`. */
  id: string
  rule: RuleId
  /** The profile the broken sender runs. */
  profile: RetryProfile
  /** The scenarios that must fail against it. */
  caughtBy: string[]
}

/** A perturbation no receiver can observe, with the reason (kept out of the score, listed in the doc). */
export interface Unobservable {
  id: string
  rule: RuleId
  why: string
}

const SECOND_MS = 1000
const pct = (f: number): string => (f > 1 ? `+${Math.round((f - 1) * 100)}%` : `-${Math.round((1 - f) * 100)}%`)
const FACTORS = [0.9, 1.1]

function withProfile(p: RetryProfile, change: Partial<RetryProfile>, suffix: string): RetryProfile {
  return { ...structuredClone(p), ...change, name: `${p.name} (${suffix})` }
}

/** The mutants of a table-schedule profile (and the perturbations nothing can observe). */
export function generateMutants(p: RetryProfile): { mutants: Mutant[]; unobservable: Unobservable[] } {
  const mutants: Mutant[] = []
  const unobservable: Unobservable[] = []
  const add = (id: string, rule: RuleId, change: Partial<RetryProfile>, caughtBy: string[]): void => {
    mutants.push({ id, rule, profile: withProfile(p, change, id), caughtBy })
  }

  if (p.schedule.kind === 'table') {
    const cycles = p.schedule.cycles
    cycles.forEach((cycle, c) => {
      cycle.forEach((ms, i) => {
        const at = `c${c + 1}.${i + 1}`
        const set = (v: number): Partial<RetryProfile> => ({ schedule: { kind: 'table', cycles: cycles.map((cy, ci) => cy.map((x, xi) => (ci === c && xi === i ? v : x))) } })
        if (ms === 0) add(`interval ${at} 0 s -> 1 s`, 'interval', set(SECOND_MS), [`retry.cycle-${c + 1}`])
        else for (const f of FACTORS) add(`interval ${at} ${pct(f)}`, 'interval', set(Math.round(ms * f)), [`retry.cycle-${c + 1}`])
      })
    })
    // Max attempts 10 % off: intervals dropped from / added to the end of the last cycle.
    const n = maxAttempts(p)
    const last = cycles[cycles.length - 1] ?? []
    const fewer = Math.max(1, n - Math.floor(n * 0.9))
    const more = Math.max(1, Math.ceil(n * 1.1) - n)
    add(`max attempts ${n} -> ${n - fewer}`, 'max-attempts', { schedule: { kind: 'table', cycles: [...cycles.slice(0, -1), last.slice(0, Math.max(0, last.length - fewer))] } }, ['retry.give-up'])
    add(`max attempts ${n} -> ${n + more}`, 'max-attempts', { schedule: { kind: 'table', cycles: [...cycles.slice(0, -1), [...last, ...Array<number>(more).fill(last[last.length - 1] ?? SECOND_MS)]] } }, ['retry.give-up'])
  }

  const r = p.autoDisable
  if (r) {
    add(`failure ratio ${r.failureRatio} -> ${round3(r.failureRatio * 0.9)}`, 'failure-ratio', { autoDisable: { ...r, failureRatio: round3(r.failureRatio * 0.9) } }, ['disable.below-threshold'])
    add(`failure ratio ${r.failureRatio} -> ${round3(r.failureRatio * 1.1)}`, 'failure-ratio', { autoDisable: { ...r, failureRatio: round3(r.failureRatio * 1.1) } }, ['disable.at-threshold'])
    add(`min attempts ${r.minAttempts} -> ${Math.round(r.minAttempts * 0.9)}`, 'min-attempts', { autoDisable: { ...r, minAttempts: Math.round(r.minAttempts * 0.9) } }, ['disable.min-attempts'])
    add(`min attempts ${r.minAttempts} -> ${Math.round(r.minAttempts * 1.1)}`, 'min-attempts', { autoDisable: { ...r, minAttempts: Math.round(r.minAttempts * 1.1) } }, ['disable.at-threshold'])
    add(`window -10%`, 'window', { autoDisable: { ...r, windowMs: Math.round(r.windowMs * 0.9) } }, ['disable.window-inside'])
    add(`window +10%`, 'window', { autoDisable: { ...r, windowMs: Math.round(r.windowMs * 1.1) } }, ['disable.window-outside'])
  }
  for (const f of FACTORS) add(`request timeout ${pct(f)}`, 'request-timeout', { requestTimeoutMs: Math.round(p.requestTimeoutMs * f) }, ['timeout.request-after'])
  for (const f of FACTORS) add(`connect timeout ${pct(f)}`, 'connect-timeout', { connectTimeoutMs: Math.round(p.connectTimeoutMs * f) }, ['timeout.connect'])
  const other = p.intervalFrom === 'attempt-end' ? 'attempt-start' : 'attempt-end'
  add(`interval from ${other}`, 'interval-from', { intervalFrom: other }, ['retry.interval-from'])

  // Success statuses: each bound of each range 10 % off. A final HTTP status is 200..599 here
  // (1xx are interim answers, never an attempt's result): a lower bound moved below 200 is unobservable.
  p.successStatus.forEach(([lo, hi], k) => {
    const set = (range: [number, number]): Partial<RetryProfile> => ({ successStatus: p.successStatus.map((x, xi) => (xi === k ? range : x)) })
    const loDown = Math.round(lo * 0.9)
    if (loDown < 200) unobservable.push({ id: `success ${lo}..${hi} -> ${loDown}..${hi}`, rule: 'success-status', why: `statuses below 200 are interim (1xx), never the result of an attempt` })
    else add(`success ${lo}..${hi} -> ${loDown}..${hi}`, 'success-status', set([loDown, hi]), ['retry.on-4xx'])
    add(`success ${lo}..${hi} -> ${Math.round(lo * 1.1)}..${hi}`, 'success-status', set([Math.round(lo * 1.1), hi]), ['delivery.single'])
    add(`success ${lo}..${hi} -> ${lo}..${Math.round(hi * 0.9)}`, 'success-status', set([lo, Math.round(hi * 0.9)]), ['retry.stops-after-2xx'])
    add(`success ${lo}..${hi} -> ${lo}..${Math.round(hi * 1.1)}`, 'success-status', set([lo, Math.round(hi * 1.1)]), ['retry.on-3xx'])
  })
  return { mutants, unobservable }
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000

/**
 * The reference sender running a mutant profile. It also scales the timeouts the runner hands it
 * by the mutant's error, as a sender whose timeout is wrong would (the runner passes the judged
 * profile's timeouts in the settings).
 */
export function mutantAdapter(original: RetryProfile, mutant: Mutant, inner: SenderAdapter = builtinAdapter({ profile: mutant.profile })): SenderAdapter {
  const rt = mutant.profile.requestTimeoutMs / original.requestTimeoutMs
  const ct = mutant.profile.connectTimeoutMs / original.connectTimeoutMs
  return {
    label: `mutant: ${mutant.id}`,
    reportsEvents: inner.reportsEvents,
    inProcess: inner.inProcess,
    start: (session) =>
      inner.start({ ...session, settings: { ...session.settings, requestTimeoutMs: session.settings.requestTimeoutMs * rt, connectTimeoutMs: session.settings.connectTimeoutMs * ct } }),
  }
}

/** The matrix as a Markdown table (docs/sender-contract.md embeds it; a test keeps them equal). */
export function renderMutantTable(p: RetryProfile): string {
  const { mutants, unobservable } = generateMutants(p)
  const rows = [
    '| mutant (the reference sender with one profile field wrong) | rule | caught by |',
    '| --- | --- | --- |',
    ...mutants.map((m) => `| ${m.id} | ${m.rule} | ${m.caughtBy.map((s) => `\`${s}\``).join(', ')} |`),
    ...unobservable.map((u) => `| ${u.id} | ${u.rule} | (not observable: ${u.why}) |`),
  ]
  return rows.join('\n')
}
