/**
 * Format: method, custom headers, body framing (JSON array or NDJSON) and schema validity.
 * @see docs/design.md "Conformance"
 */
import { attemptCount, bodyFormatCheck, deliveredOnce, headersCheck, methodCheck, verdictsCheck } from '../judges/checks.js'
import type { BuildContext, Observation, ScenarioDefinition } from '../types.js'
import { batchOfTypes, grouped, relaxedTimeouts, single } from './common.js'

/** Headers with characters that careless senders mangle: spaces, `;`, `=`, `/`, `+`. */
export const customHeaders: Record<string, string> = {
  'X-Auth-Token': 'tok_3f9a/+b=c',
  'X-Tenant': 'Acme Corp; region=eu-1',
}

function formatJudge(ctx: BuildContext, format: 'json' | 'ndjson') {
  return (obs: Observation) => {
    const { g, stray } = grouped(obs, ctx.profile)
    return {
      checks: [...g.deliveries.flatMap((d) => [attemptCount(d, 1), bodyFormatCheck(d, format)]), stray],
    }
  }
}

export const formatScenarios: ScenarioDefinition[] = [
  {
    id: 'format.method-put',
    family: 'format',
    title: 'Method PUT when the integration says PUT',
    description: 'Settings WEBHOOK_METHOD=PUT; every request must be a PUT.',
    defaultTimeScale: 0.05,
    pins: [],
    premises: ['success-status'],
    build: (ctx) => ({
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale), method: 'PUT' },
      deliveries: [single(1)],
      deadlineMs: 8000,
      estimateMs: 500,
      settleMs: 250,
      judge(obs) {
        const { g, stray } = grouped(obs, ctx.profile)
        const d = g.deliveries[0]!
        return { checks: [methodCheck(d.attempts, 'PUT'), attemptCount(d, 1), deliveredOnce(d), stray] }
      },
    }),
  },
  {
    id: 'format.headers',
    family: 'format',
    title: 'Custom headers present with exact values',
    description: `Settings WEBHOOK_HEADERS=${JSON.stringify(customHeaders)}; every request carries each header byte for byte.`,
    defaultTimeScale: 0.05,
    pins: [],
    premises: ['success-status'],
    build: (ctx) => ({
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale), headers: customHeaders },
      deliveries: [single(1)],
      deadlineMs: 8000,
      estimateMs: 500,
      settleMs: 250,
      judge(obs) {
        const { g, stray } = grouped(obs, ctx.profile)
        const d = g.deliveries[0]!
        return { checks: [headersCheck(d.attempts, customHeaders), attemptCount(d, 1), stray] }
      },
    }),
  },
  {
    id: 'format.json-array',
    family: 'format',
    title: 'JSON-array body (the default format)',
    description: 'WEBHOOK_FORMAT=json; a single notification and a batch of three: each body is one JSON array of exactly the notifications handed over.',
    defaultTimeScale: 0.05,
    pins: [],
    premises: ['success-status'],
    build: (ctx) => ({
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale), format: 'json' },
      deliveries: [single(1), batchOfTypes(10, 50)],
      deadlineMs: 8000,
      estimateMs: 500,
      settleMs: 250,
      judge: formatJudge(ctx, 'json'),
    }),
  },
  {
    id: 'format.ndjson',
    family: 'format',
    title: 'NDJSON body',
    description: 'WEBHOOK_FORMAT=ndjson; a single notification and a batch of three: each body is one notification per line.',
    defaultTimeScale: 0.05,
    pins: [],
    premises: ['success-status'],
    build: (ctx) => ({
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale), format: 'ndjson' },
      deliveries: [single(1), batchOfTypes(10, 50)],
      deadlineMs: 8000,
      estimateMs: 500,
      settleMs: 250,
      judge: formatJudge(ctx, 'ndjson'),
    }),
  },
  {
    id: 'format.schema-valid',
    family: 'format',
    title: 'Every notification valid against its schema',
    description: 'Valid notifications of several types, alone and batched; the receiver validates each one and every verdict must be valid (the sender must not alter them).',
    defaultTimeScale: 0.05,
    pins: [],
    premises: ['success-status'],
    build: (ctx) => ({
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale) },
      deliveries: [single(1, 0, 'ip_blocked'), single(2, 30, 'new_scope_object_ips'), single(3, 60, 'create_user'), batchOfTypes(20, 90)],
      deadlineMs: 8000,
      estimateMs: 500,
      settleMs: 250,
      judge(obs) {
        const { g, stray } = grouped(obs, ctx.profile)
        return { checks: [verdictsCheck(g.deliveries.flatMap((d) => d.attempts)), ...g.deliveries.map((d) => deliveredOnce(d)), stray] }
      },
    }),
  },
]
