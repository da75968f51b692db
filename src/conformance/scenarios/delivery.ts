/**
 * Delivery: one notification, the receiver answers 200, the sender makes exactly one request and stops.
 * @see docs/design.md "Conformance"
 */
import { attemptCount, deliveredOnce } from '../judges/checks.js'
import type { ScenarioDefinition } from '../types.js'
import { grouped, relaxedTimeouts, single } from './common.js'

export const deliveryScenarios: ScenarioDefinition[] = [
  {
    id: 'delivery.single',
    family: 'delivery',
    title: 'One notification: one request, answered 2xx, then nothing',
    description: 'The receiver behaves like Fluentd (200). Expects exactly one attempt and no retry after the 2xx.',
    defaultTimeScale: 0.05,
    pins: ['success-status'],
    build: (ctx) => ({
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
      deliveries: [single(1)],
      deadlineMs: 8000,
      estimateMs: 500,
      settleMs: 250,
      judge(obs) {
        const { g, stray } = grouped(obs, ctx.profile)
        const d = g.deliveries[0]!
        return { checks: [attemptCount(d, 1), deliveredOnce(d), stray] }
      },
    }),
  },
]
