/**
 * The one definition of a delivery and its attempts, as the page, the API and anyone else reads them.
 * - An attempt is a request, a TLS handshake the client aborted, or a connection cut or refused by a
 *   fault; a connection that closed before its first byte (a port probe) is not one.
 * - A delivery is the attempts with one `deliveryKey`, in arrival order: the receiver's tracker
 *   (tracker.ts) gives each delivery its own key and numbers its attempts (a success ends it, the same
 *   body after that starts a new one); attempt 1 again under a key (an older journal) also starts one.
 * - Each attempt is set against the profile's schedule (expectedSchedule, time-scaled); success is
 *   the profile's (isSuccessStatus).
 * Pure: no clock, no I/O; `now` is given.
 * @see docs/design.md "Delivery rules"
 */
import type { JournalEntry } from '../journal/index.js'
import { expectedSchedule, type ExpectedAttempt, type RetryProfile } from '../profile/index.js'
import { attemptState, isAttempt, isRequestEntry, type RequestEntry } from './attempts.js'
import { failureSummary } from './ratio.js'
import type { DeliveriesView, Delivery, DeliveryAttempt, DeliveryState, ExpectedNext } from './types.js'

export interface DeliveriesOptions {
  /** The profile attempts are compared with; null: no schedule (states say only ok/fail). */
  profile: RetryProfile | null
  /** Factor of every interval, timeout and window (1 = real time). */
  timeScale: number
  /** Wall-clock ms "now" (for overdue deliveries and the ratio window). */
  now: number
  /** At most this many deliveries, the latest (default 50). */
  limit?: number
  /** The sender watched says it disabled the integration (the demo): failed deliveries are `cancelled`. */
  senderDisabled?: boolean
}

/** Default number of deliveries in a view. */
export const DEFAULT_DELIVERIES_LIMIT = 50

/** An overdue attempt is taken as "the sender stopped" after at least this long (ms), see overdueGraceMs. */
const MIN_OVERDUE_GRACE_MS = 2000

function verdictCounts(entry: RequestEntry): DeliveryAttempt['verdicts'] {
  if (!entry.verdicts) return null
  let invalid = 0
  let errors = 0
  for (const v of entry.verdicts) {
    if (!v.valid) invalid++
    errors += v.errors.length
  }
  return { count: entry.verdicts.length, invalid, errors }
}

function toAttempt(entry: RequestEntry, n: number, prev: DeliveryAttempt | undefined, plan: ExpectedAttempt | undefined, options: DeliveriesOptions): DeliveryAttempt {
  const scale = options.timeScale
  const planned = plan?.intervalMs == null ? null : plan.intervalMs * scale
  const prevEnd = prev?.endedAt ?? null
  const actual = prevEnd === null ? null : entry.receivedAt - prevEnd
  return {
    entryId: entry.id,
    attempt: n,
    cycle: Math.max(1, plan?.cycle ?? 1),
    indexInCycle: plan?.indexInCycle ?? 0,
    startedAt: entry.receivedAt,
    endedAt: entry.endedAt ?? null,
    state: attemptState(entry, options.profile),
    status: entry.status ?? null,
    outcome: entry.outcome,
    fault: entry.fault?.explain ?? null,
    plannedIntervalMs: planned,
    plannedRangeMs: plan?.intervalRangeMs ? [plan.intervalRangeMs[0] * scale, plan.intervalRangeMs[1] * scale] : null,
    actualIntervalMs: actual,
    expectedAt: planned !== null && prevEnd !== null ? prevEnd + planned : null,
    deviationMs: planned !== null && actual !== null ? actual - planned : null,
    verdicts: verdictCounts(entry),
  }
}

/**
 * How long past its due time an attempt may be before the delivery counts as `stopped`: half the
 * interval, at least the request timeout and MIN_OVERDUE_GRACE_MS (a sender is never exactly on time).
 */
function overdueGraceMs(plannedMs: number, options: DeliveriesOptions): number {
  return Math.max(MIN_OVERDUE_GRACE_MS, plannedMs * 0.5, (options.profile?.requestTimeoutMs ?? 0) * options.timeScale)
}

/** State, next attempt and the rest of its cycle for a delivery whose attempts are known. */
function judge(attempts: DeliveryAttempt[], schedule: ExpectedAttempt[], options: DeliveriesOptions): Pick<Delivery, 'state' | 'next' | 'projected'> {
  const last = attempts[attempts.length - 1]!
  const scale = options.timeScale
  // The attempts after the last one, each assumed to fail at once, until the end of the next one's cycle.
  const project = (from: number): ExpectedNext[] => {
    const out: ExpectedNext[] = []
    let t = from
    let cycle: number | undefined
    for (const plan of schedule.slice(last.attempt)) {
      if (plan.intervalMs === null) break
      if (cycle !== undefined && plan.cycle !== cycle) break
      cycle = plan.cycle
      t += plan.intervalMs * scale
      out.push({ attempt: plan.attempt, cycle: plan.cycle, plannedIntervalMs: plan.intervalMs * scale, at: t })
    }
    return out
  }
  if (last.state === 'ok') return { state: 'delivered', next: null, projected: [] }
  if (last.state === 'pending') return { state: 'in-flight', next: null, projected: options.profile ? project(options.now) : [] }
  if (!options.profile) return { state: 'failed', next: null, projected: [] }
  if (last.attempt >= schedule.length) return { state: 'dropped', next: null, projected: [] }
  const [next, ...rest] = project(last.endedAt ?? last.startedAt)
  if (!next) return { state: 'dropped', next: null, projected: [] }
  if (options.senderDisabled) return { state: 'cancelled', next: null, projected: [] }
  if (options.now - next.at > overdueGraceMs(next.plannedIntervalMs, options)) return { state: attempts.length === 1 ? 'one-off' : 'stopped', next: null, projected: [] }
  return { state: 'retrying', next, projected: rest }
}

/** Groups the journal's entries into deliveries and computes the failure summary. */
export function deliveriesOf(entries: readonly Readonly<JournalEntry>[], options: DeliveriesOptions): DeliveriesView {
  const schedule = options.profile ? expectedSchedule(options.profile) : []
  const sorted = entries.filter(isAttempt).sort((a, b) => a.id - b.id)
  const open = new Map<string, { delivery: Delivery; entries: RequestEntry[] }>()
  const all: { delivery: Delivery; entries: RequestEntry[] }[] = []
  let unassigned = 0
  for (const entry of sorted) {
    if (!isRequestEntry(entry) || entry.deliveryKey === undefined) {
      unassigned++
      continue
    }
    const key = entry.deliveryKey
    let group = open.get(key)
    if (!group || entry.attempt === 1) {
      group = {
        delivery: { id: `${key}#${entry.id}`, deliveryKey: key, tag: entry.tag ?? null, attempts: [], state: 'failed', next: null, projected: [] },
        entries: [],
      }
      open.set(key, group)
      all.push(group)
    }
    group.entries.push(entry)
  }
  const limit = options.limit ?? DEFAULT_DELIVERIES_LIMIT
  const shown = all.slice(Math.max(0, all.length - limit))
  const deliveries = shown.map(({ delivery, entries: es }) => {
    es.forEach((entry, i) => {
      delivery.attempts.push(toAttempt(entry, i + 1, delivery.attempts[i - 1], schedule[i], options))
    })
    const judged: Pick<Delivery, 'state' | 'next' | 'projected'> = judge(delivery.attempts, schedule, options)
    const state: DeliveryState = judged.state
    return { ...delivery, ...judged, state }
  })
  return {
    now: options.now,
    deliveries,
    omitted: all.length - shown.length,
    unassigned,
    failure: failureSummary(sorted, options),
  }
}
