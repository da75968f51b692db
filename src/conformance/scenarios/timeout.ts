/**
 * Timeouts: an answer after the request timeout is a failed attempt (retried), cut at the timeout
 * counted from its own request; an answer just before it is a delivery; a stalled TLS handshake
 * fails at the connection timeout, counted from its own connect, and is retried. Each time is judged
 * against the measured slack (see judges/precision.ts), which a timeout 10 % off leaves far behind.
 * @see docs/design.md "Delivery rules", "Conformance scenarios"
 */
import { attemptCount, deliveredOnce } from '../judges/checks.js'
import { atScaleOne } from '../judges/pattern.js'
import type { Attempt } from '../judges/handed.js'
import { discriminationMs, MACHINE_WINDOW_MS, precisionOf, slackBetween } from '../judges/precision.js'
import { maxLag } from '../lag-probe.js'
import type { BuildContext, Check, Judgement, Observation, Precision, ScenarioDefinition } from '../types.js'
import { grouped, scaledIntervals, single, stepsPlan } from './common.js'

/** A measured time from `fromMono` to `toMono` against `expectedMs`, with the measured slack. */
function timeCheck(name: string, ctx: BuildContext, obs: Observation, expectedMs: number, fromMono: number | undefined, toMono: number | undefined, evidence: number[], what: string, timeoutMs?: number): { check: Check; precision?: Precision } {
  if (fromMono === undefined || toMono === undefined) {
    return { check: { name, passed: false, expected: `${Math.round(expectedMs)} ms`, observed: what, evidence } }
  }
  const took = toMono - fromMono
  // The sender's timer runs from `from`; due no earlier than a timeout 10 % short would be.
  const d = discriminationMs(expectedMs, ctx.timeScale)
  const sender = obs.senderWait ? { reads: obs.senderWait.reads, dueFromMono: fromMono + Math.max(0, expectedMs - d) } : undefined
  const base = slackBetween(ctx.tolerance, expectedMs, obs.lag, fromMono, toMono, obs.senderInProcess, obs.machineLag, sender)
  // Here `from` is itself the sender's doing (its connect, its request), seen after the sender started
  // its timer: a sender slowed by the machine shows it late, and the time short (early side).
  const senderSlow = obs.senderInProcess ? 0 : maxLag(obs.machineLag ?? [], fromMono - MACHINE_WINDOW_MS, fromMono + 5)
  const slack = { ...base, earlyMs: base.earlyMs + senderSlow, lagMs: Math.max(base.lagMs, senderSlow) }
  const passed = took >= expectedMs - slack.earlyMs && took <= expectedMs + slack.lateMs
  // Unsure when a sender 10 % off would have passed this observation too.
  const blind = [expectedMs - d, expectedMs + d].some((x) => took >= x - slack.earlyMs && took <= x + slack.lateMs)
  return {
    check: {
      name,
      passed,
      expected: `${Math.round(expectedMs)} ms, ${atScaleOne(expectedMs, ctx.timeScale)} at scale 1 (-${Math.round(slack.earlyMs)}/+${Math.round(slack.lateMs)} ms)`,
      observed: `${Math.round(took)} ms, ${atScaleOne(took, ctx.timeScale)} at scale 1 (delta ${took >= expectedMs ? '+' : ''}${Math.round(took - expectedMs)} ms)${what ? `, ${what}` : ''}${!passed && timeoutMs !== undefined ? granularityHint(expectedMs, took, slack.lateMs, timeoutMs, ctx.timeScale) : ''}`,
      evidence,
      ...(passed && blind ? { inconclusive: `${slack.senderWaitMs !== undefined && slack.senderWaitMs > 0 && slack.senderWaitMs >= slack.lagMs - slack.senderWaitMs ? `sender-side lag (the sender's processes waited ${Math.round(slack.senderWaitMs)} ms for a CPU meanwhile: machine load, measured in the run queue)` : `runner event-loop lag of ${Math.round(slack.lagMs)} ms`} widened the slack so far that a timeout 10 % off from ${Math.round(expectedMs)} ms would pass too` } : {}),
    },
    precision: precisionOf([slack]),
  }
}

/**
 * Many senders take whole-second timeouts (Fluentd's read_timeout, Fluent Bit, Vector): by default a
 * timeout scenario runs at the scale that makes the timeout it tests a whole number of seconds, the
 * one nearest its old default (at least 1 s), and raises the other timeout to a whole second too.
 */
const NOMINAL_SCALE = 0.1

/** The scale at which `timeoutMs` (scale 1) becomes the whole number of seconds nearest `timeoutMs x near` (at least 1). */
export function wholeSecondScale(timeoutMs: number, near = NOMINAL_SCALE): number {
  if (!(timeoutMs > 0)) return near
  const seconds = Math.max(1, Math.round((timeoutMs * near) / 1000))
  return (seconds * 1000) / timeoutMs
}

/** An integration value (scale 1) for a timeout not under test: at least `ms`, a whole second once scaled. */
function wholeSecondsAtScale(ms: number, scale: number): number {
  return (Math.max(1, Math.ceil((ms * scale) / 1000 - 1e-9)) * 1000) / scale
}

/** Both timeouts as handed to the sender at `scale`: whole seconds once scaled. */
function wholeTimeouts(ctx: BuildContext): { requestTimeoutMs: number; connectTimeoutMs: number } {
  return { requestTimeoutMs: wholeSecondsAtScale(ctx.profile.requestTimeoutMs, ctx.timeScale), connectTimeoutMs: wholeSecondsAtScale(ctx.profile.connectTimeoutMs, ctx.timeScale) }
}

/**
 * When a measured timeout missed but lies on a whole second the sender may have rounded to: says
 * so, with the --time-scale at which the timeout is a whole second.
 */
function granularityHint(expectedMs: number, tookMs: number, slackMs: number, timeoutMs: number, scale: number): string {
  const whole = [Math.floor(expectedMs / 1000), Math.ceil(expectedMs / 1000)].map((x) => Math.max(1, x) * 1000)
  if (expectedMs % 1000 === 0 || !whole.some((w) => Math.abs(tookMs - w) <= slackMs + 50)) return ''
  return `; this looks like a timeout in whole seconds (${(tookMs / 1000).toFixed(1)} s for ${(expectedMs / 1000).toFixed(2)} s): many senders take whole seconds. Run with --time-scale ${+wholeSecondScale(timeoutMs, scale).toFixed(6)}, at which the timeout is a whole second`
}

/** The answer comes this much later than the request timeout (factor). */
const LATE = 1.6
/** "Just before": the answer comes at this fraction of the request timeout. */
const EARLY = 0.7

/** The request timeout, counted from the request's arrival (the sender starts it once TLS is up). */
function cutCheck(ctx: BuildContext, obs: Observation, a: Attempt | undefined, timeoutMs: number): { check: Check; precision?: Precision } {
  const name = 'first attempt cut at the request timeout, counted from its own request'
  if (a === undefined) return timeCheck(name, ctx, obs, timeoutMs, undefined, undefined, [], 'no attempt')
  return timeCheck(name, ctx, obs, timeoutMs, a.entry.receivedMono, a.endMono, [a.entryId], a.endMono === undefined ? `still open (${a.outcome})` : `${a.kind} ${a.outcome}${a.status !== undefined ? ` ${a.status}` : ''}`, ctx.profile.requestTimeoutMs)
}

const judged = (checks: Check[], precision: Precision | undefined): Judgement => ({ checks, ...(precision ? { precision } : {}) })

export const timeoutScenarios: ScenarioDefinition[] = [
  {
    id: 'timeout.request-after',
    family: 'timeout',
    title: 'Answer after the request timeout: the attempt fails and is retried',
    description: `The first answer comes at ${LATE} x the request timeout; the sender must give up at the timeout and retry (answered 200).`,
    defaultTimeScale: NOMINAL_SCALE,
    timeScaleFor: (p) => wholeSecondScale(p.requestTimeoutMs),
    pins: ['request-timeout'],
    premises: ['success-status', 'interval', 'max-attempts', 'interval-from'],
    build: (ctx) => {
      const timeoutMs = ctx.profile.requestTimeoutMs * ctx.timeScale
      return {
        plan: stepsPlan([{ delayMs: Math.round(timeoutMs * LATE), status: 200 }]),
        settings: { ...wholeTimeouts(ctx), requestTimeoutMs: ctx.profile.requestTimeoutMs },
        deliveries: [single(1)],
        deadlineMs: Math.ceil(timeoutMs * LATE + 8000),
        estimateMs: Math.ceil(timeoutMs + (scaledIntervals(ctx.profile, ctx.timeScale)[0]?.maxMs ?? 0) + 400),
        settleMs: 300,
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const d = g.deliveries[0]!
          const cut = cutCheck(ctx, obs, d.attempts[0], timeoutMs)
          return judged([attemptCount(d, 2), cut.check, deliveredOnce(d), stray], cut.precision)
        },
      }
    },
  },
  {
    id: 'timeout.request-before',
    family: 'timeout',
    title: 'Answer just before the request timeout: delivered',
    description: `The answer (200) comes at ${EARLY} x the request timeout; the sender must wait for it: one attempt.`,
    defaultTimeScale: NOMINAL_SCALE,
    timeScaleFor: (p) => wholeSecondScale(p.requestTimeoutMs),
    pins: [],
    premises: ['success-status'],
    build: (ctx) => {
      const timeoutMs = ctx.profile.requestTimeoutMs * ctx.timeScale
      return {
        plan: stepsPlan([{ delayMs: Math.round(timeoutMs * EARLY), status: 200 }]),
        settings: { ...wholeTimeouts(ctx), requestTimeoutMs: ctx.profile.requestTimeoutMs },
        deliveries: [single(1)],
        deadlineMs: Math.ceil(timeoutMs + 8000),
        estimateMs: Math.ceil(timeoutMs * EARLY + 400),
        settleMs: 300,
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const d = g.deliveries[0]!
          return { checks: [attemptCount(d, 1), deliveredOnce(d), stray] }
        },
      }
    },
  },
  {
    id: 'timeout.connect',
    family: 'timeout',
    title: 'Stalled TLS handshake: fails at the connection timeout and is retried',
    description: 'The first connection never gets a TLS answer; the sender must give up at its connection timeout and retry on a new connection (answered 200).',
    defaultTimeScale: NOMINAL_SCALE,
    timeScaleFor: (p) => wholeSecondScale(p.connectTimeoutMs),
    pins: ['connect-timeout'],
    premises: ['success-status', 'interval', 'max-attempts', 'interval-from'],
    build: (ctx) => {
      const connectMs = ctx.profile.connectTimeoutMs * ctx.timeScale
      const firstInterval = scaledIntervals(ctx.profile, ctx.timeScale)[0]?.nominalMs ?? 0
      // A stalled connection reads nothing, so the receiver cannot see when the client gave up;
      // measure start to start: the connection timeout, then the first interval (from the end of the
      // attempt; from its start, the longer of the two).
      const expectedGap = ctx.profile.intervalFrom === 'attempt-start' ? Math.max(connectMs, firstInterval) : connectMs + firstInterval
      return {
        plan: stepsPlan([{ action: 'stall-tls' }]),
        settings: { ...wholeTimeouts(ctx), connectTimeoutMs: ctx.profile.connectTimeoutMs },
        deliveries: [single(1)],
        deadlineMs: Math.ceil(connectMs * 2 + 8000),
        estimateMs: Math.ceil(expectedGap + 400),
        settleMs: 300,
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const d = g.deliveries[0]!
          const first = d.attempts[0]
          const stalled: Check = {
            name: 'first attempt is the stalled handshake',
            passed: first !== undefined && first.kind !== 'request',
            expected: 'a connection that never completed TLS',
            observed: first === undefined ? 'no attempt' : `#${first.entryId} ${first.kind} ${first.outcome}`,
            evidence: first ? [first.entryId] : [],
          }
          const second = d.attempts[1]
          const retryAt = timeCheck(
            `retried ${ctx.profile.intervalFrom === 'attempt-start' ? 'max(connection timeout, first interval)' : 'one connection timeout + first interval'} after the stalled connection began (${Math.round(connectMs)} ms timeout, ${Math.round(firstInterval)} ms interval)`,
            ctx,
            obs,
            expectedGap,
            first?.startMono,
            second?.startMono,
            [first?.entryId, second?.entryId].filter((x): x is number => x !== undefined),
            second === undefined ? 'no second attempt' : '',
          )
          return judged([attemptCount(d, 2), stalled, retryAt.check, deliveredOnce(d), stray], retryAt.precision)
        },
      }
    },
  },
]
