/**
 * TLS trust: an untrusted certificate is refused when verification is on and no CA is given; the
 * same certificate is accepted with the receiver's CA, and with verification off.
 * @see docs/design.md "Conformance"
 */
import { attemptCount, deliveredOnce } from '../judges/checks.js'
import type { Check, ScenarioDefinition } from '../types.js'
import { grouped, relaxedTimeouts, single } from './common.js'

function acceptedScenario(id: string, title: string, description: string, verifyTls: boolean, ca: 'none' | 'receiver'): ScenarioDefinition {
  return {
    id,
    family: 'tls',
    title,
    description,
    defaultTimeScale: 0.05,
    pins: [],
    premises: ['success-status'],
    build: (ctx) => ({
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale), verifyTls, ca },
      deliveries: [single(1)],
      deadlineMs: 8000,
      estimateMs: 500,
      settleMs: 250,
      judge(obs) {
        const { g, stray } = grouped(obs, ctx.profile)
        const d = g.deliveries[0]!
        const tlsErrors = d.attempts.filter((a) => a.kind !== 'request')
        const handshake: Check = {
          name: 'TLS handshake completed',
          passed: tlsErrors.length === 0,
          expected: 'no failed handshake',
          observed: tlsErrors.length === 0 ? 'none failed' : tlsErrors.map((a) => `#${a.entryId} ${a.kind} ${a.entry.tls?.error ?? a.entry.error ?? a.outcome}`).join('; '),
          evidence: tlsErrors.map((a) => a.entryId),
        }
        return { checks: [handshake, attemptCount(d, 1), deliveredOnce(d), stray] }
      },
    }),
  }
}

export const tlsScenarios: ScenarioDefinition[] = [
  {
    id: 'tls.untrusted-refused',
    family: 'tls',
    title: 'Untrusted certificate refused (verification on, no CA given)',
    description:
      'WEBHOOK_VERIFY_TLS=true and no CA file: the receiver\'s self-signed certificate must be rejected during the handshake; no request may reach the receiver. Ends after the third attempt.',
    defaultTimeScale: 0.01,
    pins: [],
    build: (ctx) => ({
      settings: { ...relaxedTimeouts(ctx.profile, ctx.timeScale), verifyTls: true, ca: 'none' },
      deliveries: [single(1)],
      deadlineMs: 8000,
      estimateMs: 500,
      settleMs: 150,
      // Three refused handshakes are conclusive; the rest of the schedule is retry.* business.
      doneWhen: (obs) => obs.connections.length >= 3 || obs.journal.some((e) => e.kind === 'request'),
      judge(obs) {
        const requests = obs.journal.filter((e) => e.kind === 'request')
        const refused = obs.journal.filter((e) => e.kind === 'tls-error')
        // Node-based clients finish the handshake and then drop the connection: only a connection shows.
        // The receiver journals such a connection as kind 'connection', outcome 'closed' (no request).
        const silent = obs.connections.filter(
          (c) => !obs.journal.some((e) => e.connectionId === c.connectionId && !(e.kind === 'connection' && e.outcome === 'closed')),
        )
        const checks: Check[] = [
          {
            name: 'no request over an untrusted connection',
            passed: requests.length === 0,
            expected: 'the handshake fails on the sender side; no HTTP request arrives',
            observed: requests.length === 0 ? 'no request' : `${requests.length} request(s) sent over the untrusted connection (${requests.map((e) => `#${e.id} ${e.method ?? ''} ${e.status ?? ''}`).join(', ')})`,
            evidence: requests.map((e) => e.id),
          },
          {
            name: 'the sender tried (handshake refused)',
            passed: refused.length + silent.length >= 1,
            expected: 'at least one connection refused by the sender: a failed handshake (journal kind tls-error) or a connection closed without a request',
            observed:
              refused.length + silent.length >= 1
                ? [
                    refused.length ? `${refused.length} failed handshake(s): ${refused.map((e) => `#${e.id} ${e.tls?.error ?? e.error ?? ''}`.trim()).join('; ')}` : '',
                    silent.length ? `${silent.length} connection(s) closed without a request` : '',
                  ]
                    .filter(Boolean)
                    .join('; ')
                : `no connection at all (${obs.journal.length} journal entries)`,
            evidence: refused.map((e) => e.id),
          },
        ]
        return { checks }
      },
    }),
  },
  acceptedScenario(
    'tls.accepted-with-ca',
    'Certificate accepted with the CA (verification on)',
    'WEBHOOK_VERIFY_TLS=true and WEBHOOK_CA_FILE set to the receiver\'s CA: one request, delivered.',
    true,
    'receiver',
  ),
  acceptedScenario(
    'tls.accepted-verify-off',
    'Certificate accepted with verification off (no CA)',
    'WEBHOOK_VERIFY_TLS=false and no CA file: one request, delivered.',
    false,
    'none',
  ),
]
