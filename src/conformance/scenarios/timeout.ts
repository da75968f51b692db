/**
 * Timeouts: an answer after the request timeout is a failed attempt (retried), an answer just before
 * it is a delivery; a stalled TLS handshake fails at the connection timeout and is retried.
 * @see docs/design.md "Delivery rules", "Conformance scenarios"
 */
import { withinTolerance } from '../judges/timeline.js'
import { attemptCount, deliveredOnce } from '../judges/checks.js'
import type { Attempt } from '../judges/attempts.js'
import type { BuildContext, Check, ScenarioDefinition } from '../types.js'
import { grouped, scaledIntervals, single, stepsPlan } from './common.js'

/** The answer comes this much later than the request timeout (factor). */
const LATE = 1.6
/** "Just before": the answer comes at this fraction of the request timeout. */
const EARLY = 0.7

function durationCheck(name: string, a: Attempt | undefined, expectedMs: number, ctx: BuildContext): Check {
  // The request timeout runs from when the request was sent (its arrival here), not from the connect.
  const took = a?.endMono !== undefined ? a.endMono - a.entry.receivedMono : undefined
  const ok = took !== undefined && withinTolerance(took, expectedMs, expectedMs, ctx.tolerance)
  return {
    name,
    passed: ok,
    expected: `cut after ${Math.round(expectedMs)} ms (tolerance ${ctx.tolerance.absMs} ms + ${Math.round(ctx.tolerance.rel * 100)} %)`,
    observed: a === undefined ? 'no attempt' : took === undefined ? `still open (${a.outcome})` : `${Math.round(took)} ms, ${a.kind} ${a.outcome}${a.status !== undefined ? ` ${a.status}` : ''} (delta ${Math.round(took - expectedMs)} ms, ${Math.round(((took - expectedMs) / expectedMs) * 100)} %)`,
    evidence: a ? [a.entryId] : [],
  }
}

export const timeoutScenarios: ScenarioDefinition[] = [
  {
    id: 'timeout.request-after',
    family: 'timeout',
    title: 'Answer after the request timeout: the attempt fails and is retried',
    description: `The first answer comes at ${LATE} x the request timeout; the sender must give up at the timeout and retry (answered 200).`,
    defaultTimeScale: 0.1,
    build: (ctx) => {
      const timeoutMs = ctx.profile.requestTimeoutMs * ctx.timeScale
      return {
        plan: stepsPlan([{ delayMs: Math.round(timeoutMs * LATE), status: 200 }]),
        settings: { requestTimeoutMs: ctx.profile.requestTimeoutMs, connectTimeoutMs: ctx.profile.connectTimeoutMs },
        deliveries: [single(1)],
        deadlineMs: Math.ceil(timeoutMs * LATE + 8000),
        settleMs: 300,
        judge(obs) {
          const { g, stray } = grouped(obs, ctx.profile)
          const d = g.deliveries[0]!
          return { checks: [attemptCount(d, 2), durationCheck('first attempt cut at the request timeout', d.attempts[0], timeoutMs, ctx), deliveredOnce(d), stray] }
        },
      }
    },
  },
  {
    id: 'timeout.request-before',
    family: 'timeout',
    title: 'Answer just before the request timeout: delivered',
    description: `The answer (200) comes at ${EARLY} x the request timeout; the sender must wait for it: one attempt.`,
    defaultTimeScale: 0.1,
    build: (ctx) => {
      const timeoutMs = ctx.profile.requestTimeoutMs * ctx.timeScale
      return {
        plan: stepsPlan([{ delayMs: Math.round(timeoutMs * EARLY), status: 200 }]),
        settings: { requestTimeoutMs: ctx.profile.requestTimeoutMs, connectTimeoutMs: ctx.profile.connectTimeoutMs },
        deliveries: [single(1)],
        deadlineMs: Math.ceil(timeoutMs + 8000),
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
    defaultTimeScale: 0.1,
    build: (ctx) => {
      const connectMs = ctx.profile.connectTimeoutMs * ctx.timeScale
      return {
        plan: stepsPlan([{ action: 'stall-tls' }]),
        settings: { requestTimeoutMs: ctx.profile.requestTimeoutMs, connectTimeoutMs: ctx.profile.connectTimeoutMs },
        deliveries: [single(1)],
        deadlineMs: Math.ceil(connectMs * 2 + 8000),
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
          // A stalled connection reads nothing, so the receiver cannot see when the client gave up;
          // measure start to start: connection timeout + first retry interval.
          const firstInterval = scaledIntervals(ctx.profile, ctx.timeScale)[0]
          const second = d.attempts[1]
          const expectedGap = connectMs + (firstInterval?.nominalMs ?? 0)
          const gap = first && second ? second.startMono - first.startMono : undefined
          const gapOk = gap !== undefined && withinTolerance(gap, expectedGap, expectedGap, ctx.tolerance)
          const retryAt: Check = {
            name: 'retried one connection timeout + first interval after the stalled connection',
            passed: gapOk,
            expected: `${Math.round(expectedGap)} ms after the stalled connection began (${Math.round(connectMs)} ms timeout + ${Math.round(firstInterval?.nominalMs ?? 0)} ms interval; tolerance ${ctx.tolerance.absMs} ms + ${Math.round(ctx.tolerance.rel * 100)} %)`,
            observed: gap === undefined ? 'no second attempt' : `${Math.round(gap)} ms (delta ${Math.round(gap - expectedGap)} ms, ${Math.round(((gap - expectedGap) / expectedGap) * 100)} %)`,
            evidence: [first?.entryId, second?.entryId].filter((x): x is number => x !== undefined),
          }
          return { checks: [attemptCount(d, 2), stalled, retryAt, deliveredOnce(d), stray] }
        },
      }
    },
  },
]
