/**
 * Which attempts belong to which delivery the runner handed the sender. Attempts, their outcome and
 * the receiver's deliveries are src/deliveries' (the one model the page and `/api/deliveries` use);
 * this only matches each receiver delivery to the handed delivery whose notifications its body
 * carries (by its first record). Several receiver deliveries can match one handed delivery (a
 * sender that sends it again after its 2xx): their attempts are that handed delivery's, in order.
 */
import { attemptsByDelivery, attemptsOf, type Attempt } from '../../deliveries/index.js'
import type { RetryProfile } from '../../profile/index.js'
import type { DeliverySpec, Observation } from '../types.js'
import { canonicalJson, parseBody } from './body.js'

export type { Attempt } from '../../deliveries/index.js'

export interface DeliveryAttempts {
  /** Index in the scenario's deliveries. */
  index: number
  spec: DeliverySpec
  attempts: Attempt[]
}

export interface GroupedAttempts {
  deliveries: DeliveryAttempts[]
  /** Attempts that match no delivery (unknown body, or connection-level with several deliveries). */
  unmatched: Attempt[]
}

const recordKey = (records: unknown[]): string | undefined => (records.length > 0 ? canonicalJson(records[0]) : undefined)

/**
 * The observation's attempts per handed delivery. Connection-level attempts (a failed or stalled
 * handshake, a connection cut before its request) carry no body: they belong to the only delivery
 * when there is one, and stay unmatched otherwise.
 */
export function groupAttempts(obs: Observation, profile: RetryProfile): GroupedAttempts {
  const byRecord = new Map<string, number>()
  obs.handed.forEach((d, i) => {
    const k = recordKey(d.notifications)
    if (k !== undefined) byRecord.set(k, i)
  })
  const deliveries: DeliveryAttempts[] = obs.handed.map((spec, index) => ({ index, spec, attempts: [] }))
  const unmatched: Attempt[] = []
  const attempts = attemptsOf(obs.journal, profile)
  const { deliveries: received, unassigned } = attemptsByDelivery(attempts)
  const target = new Map<Attempt, number | undefined>()
  for (const list of received.values()) {
    const k = recordKey(parseBody(list[0]!.entry.body).records)
    const index = k === undefined ? undefined : byRecord.get(k)
    for (const a of list) target.set(a, index)
  }
  for (const a of unassigned) target.set(a, deliveries.length === 1 ? 0 : undefined)
  // In start order, whichever receiver delivery they came in.
  for (const a of attempts) {
    const index = target.get(a)
    if (index === undefined) unmatched.push(a)
    else deliveries[index]!.attempts.push(a)
  }
  return { deliveries, unmatched }
}
