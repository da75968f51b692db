/**
 * The system notification Wallarm emits when it disables an integration automatically
 * (notification type `integration_broken`), as an object the caller can log or forward.
 * @see docs/design.md "Notification formats"
 */
import type { WindowStats } from '../profile/index.js'

/** A Wallarm-style "integration disabled" system notification. */
export interface IntegrationDisabledNotification {
  summary: string
  description: string
  details: {
    client_name: string
    cloud: string
    notification_type: 'integration_broken'
    integration_type: 'fluentd'
    url: string
    /** Attempts and failures in the window when the rule tripped. */
    attempts: number
    failed: number
    failure_ratio: number
    /** The rule: window (ms, as scaled), ratio, minimum attempts. */
    window_ms: number
    threshold_ratio: number
    min_attempts: number
    /** Wall-clock ms. */
    disabled_at: number
  }
}

/** Builds the notification for an integration disabled at `wallNowMs`. */
export function integrationDisabledNotification(input: {
  url: string
  stats: WindowStats
  windowMs: number
  thresholdRatio: number
  minAttempts: number
  wallNowMs: number
  clientName?: string
  cloud?: string
}): IntegrationDisabledNotification {
  const clientName = input.clientName ?? 'TestCompany'
  const cloud = input.cloud ?? 'EU'
  const pct = Math.round(input.stats.failureRatio * 1000) / 10
  return {
    summary: '[Wallarm] Integration was disabled due to delivery errors',
    description:
      `Notification type: integration_broken\n\n` +
      `The Fluentd integration for ${input.url} was disabled automatically: ${input.stats.failed} of ` +
      `${input.stats.attempts} requests (${pct} %) were unsuccessful within the window. ` +
      `Check the integration parameters and the availability of the system, then re-enable it.\n\n` +
      `Client: ${clientName}\nCloud: ${cloud}\n`,
    details: {
      client_name: clientName,
      cloud,
      notification_type: 'integration_broken',
      integration_type: 'fluentd',
      url: input.url,
      attempts: input.stats.attempts,
      failed: input.stats.failed,
      failure_ratio: input.stats.failureRatio,
      window_ms: input.windowMs,
      threshold_ratio: input.thresholdRatio,
      min_attempts: input.minAttempts,
      disabled_at: input.wallNowMs,
    },
  }
}
