/**
 * Reusable checks over attempts (pure). Each returns a Check with what was expected, what was
 * observed, and the journal entry ids as evidence.
 */
import type { Check, Observation, SenderEvent } from '../types.js'
import { canonicalJson, parseBody } from './body.js'
import type { Attempt, DeliveryAttempts } from './handed.js'
import { describeOutcome } from './timeline.js'

const ids = (attempts: readonly Attempt[]): number[] => attempts.map((a) => a.entryId)

function outcomes(attempts: readonly Attempt[]): string {
  return attempts.length === 0 ? 'none' : attempts.map((a) => `#${a.entryId} ${describeOutcome(a)}`).join(', ')
}

/** Exactly `expected` attempts for the delivery. */
export function attemptCount(d: DeliveryAttempts, expected: number, label = `delivery ${d.index + 1}`): Check {
  return {
    name: `${label}: ${expected} attempt${expected === 1 ? '' : 's'}`,
    passed: d.attempts.length === expected,
    expected: `${expected}`,
    observed: `${d.attempts.length} (${outcomes(d.attempts)})`,
    evidence: ids(d.attempts),
  }
}

/** The last attempt succeeded and nothing came after the first success. */
export function deliveredOnce(d: DeliveryAttempts, label = `delivery ${d.index + 1}`): Check {
  const firstOk = d.attempts.findIndex((a) => a.succeeded)
  const after = firstOk >= 0 ? d.attempts.slice(firstOk + 1) : []
  return {
    name: `${label}: delivered, and no attempt after the first 2xx`,
    passed: firstOk >= 0 && after.length === 0,
    expected: 'a successful attempt, then nothing',
    observed:
      firstOk < 0
        ? `never delivered (${outcomes(d.attempts)})`
        : after.length === 0
          ? `delivered by attempt ${firstOk + 1} (#${d.attempts[firstOk]!.entryId})`
          : `${after.length} more attempt(s) after the success: ${outcomes(after)}`,
    evidence: firstOk < 0 ? ids(d.attempts) : ids(d.attempts.slice(firstOk)),
  }
}

/** No attempt succeeded (the delivery was dropped or cut short). */
export function neverDelivered(d: DeliveryAttempts, label = `delivery ${d.index + 1}`): Check {
  const ok = d.attempts.filter((a) => a.succeeded)
  return {
    name: `${label}: not delivered`,
    passed: ok.length === 0,
    expected: 'no successful attempt',
    observed: ok.length === 0 ? `${d.attempts.length} failed attempt(s)` : `delivered by ${outcomes(ok)}`,
    evidence: ids(ok),
  }
}

/** Every request used `method`. */
export function methodCheck(attempts: readonly Attempt[], method: string): Check {
  const requests = attempts.filter((a) => a.kind === 'request')
  const bad = requests.filter((a) => a.method !== method)
  return {
    name: `method ${method}`,
    passed: requests.length > 0 && bad.length === 0,
    expected: `every request ${method}`,
    observed: requests.length === 0 ? 'no request' : bad.length === 0 ? `${requests.length} request(s), all ${method}` : bad.map((a) => `#${a.entryId} ${a.method ?? '?'}`).join(', '),
    evidence: bad.length > 0 ? ids(bad) : ids(requests),
  }
}

function headerValue(headers: Record<string, string | string[]> | undefined, name: string): string | undefined {
  if (!headers) return undefined
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase())
  if (key === undefined) return undefined
  const v = headers[key]
  return Array.isArray(v) ? v.join(', ') : v
}

/** Every request carried every header with exactly the configured value. */
export function headersCheck(attempts: readonly Attempt[], headers: Record<string, string>): Check {
  const requests = attempts.filter((a) => a.kind === 'request')
  const problems: string[] = []
  const evidence: number[] = []
  for (const a of requests) {
    for (const [name, value] of Object.entries(headers)) {
      const got = headerValue(a.entry.headers, name)
      if (got !== value) {
        problems.push(`#${a.entryId} ${name}: ${got === undefined ? '(absent)' : JSON.stringify(got)}`)
        evidence.push(a.entryId)
      }
    }
  }
  return {
    name: 'custom headers present with exact values',
    passed: requests.length > 0 && problems.length === 0,
    expected: Object.entries(headers)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(', '),
    observed: requests.length === 0 ? 'no request' : problems.length === 0 ? `all ${requests.length} request(s) as configured` : problems.join('; '),
    evidence: evidence.length > 0 ? [...new Set(evidence)] : ids(requests),
  }
}

/** Every request body is in `format` and carries exactly the delivery's notifications, in order. */
export function bodyFormatCheck(d: DeliveryAttempts, format: 'json' | 'ndjson'): Check {
  const want = format === 'json' ? 'array' : 'ndjson'
  const requests = d.attempts.filter((a) => a.kind === 'request')
  const expectedRecords = canonicalJson(d.spec.notifications)
  const problems: string[] = []
  for (const a of requests) {
    const { shape, records } = parseBody(a.entry.body)
    const ct = headerValue(a.entry.headers, 'content-type') ?? a.entry.contentType ?? ''
    if (a.entry.bodyTruncated) continue
    if (shape !== want) problems.push(`#${a.entryId} body is ${shape === 'array' ? 'a JSON array' : shape === 'object' ? 'a single JSON object' : shape}`)
    else if (canonicalJson(records) !== expectedRecords) problems.push(`#${a.entryId} notifications differ from those handed over`)
    if (!/json/i.test(ct)) problems.push(`#${a.entryId} content-type ${JSON.stringify(ct)}`)
  }
  const what = format === 'json' ? 'a JSON array of the notifications' : 'NDJSON, one notification per line'
  return {
    name: `body ${format === 'json' ? 'JSON array' : 'NDJSON'}`,
    passed: requests.length > 0 && problems.length === 0,
    expected: `${what} (${d.spec.notifications.length} notification(s)), content-type mentioning json`,
    observed: requests.length === 0 ? 'no request' : problems.length === 0 ? `${requests.length} request(s) as expected` : problems.join('; '),
    evidence: ids(requests),
  }
}

/** Every notification of every request is valid against its schema (receiver verdicts). */
export function verdictsCheck(attempts: readonly Attempt[]): Check {
  const requests = attempts.filter((a) => a.kind === 'request')
  const problems: string[] = []
  for (const a of requests) {
    const verdicts = a.entry.verdicts
    if (!verdicts || verdicts.length === 0) {
      problems.push(`#${a.entryId} has no verdicts`)
      continue
    }
    for (const v of verdicts.filter((x) => !x.valid)) {
      problems.push(`#${a.entryId} [${v.index}] ${v.type ?? '?'}: ${v.errors.map((e) => `${e.pointer || '/'} ${e.message}`).join(', ')}`)
    }
  }
  return {
    name: 'every notification valid against its schema',
    passed: requests.length > 0 && problems.length === 0,
    expected: 'every verdict valid',
    observed: requests.length === 0 ? 'no request' : problems.length === 0 ? `${requests.length} request(s), all valid` : problems.join('; '),
    evidence: ids(requests),
  }
}

/** Sender events of one kind. */
export function eventsOf(obs: Observation, name: string): SenderEvent[] {
  return obs.events.filter((e) => e.event === name)
}

/**
 * Auto-disable: `expectDisabled` true → the sender reports `disabled` (when it reports events) and
 * makes no attempt after `afterAttempt`; false → no `disabled` event.
 */
export function disabledCheck(obs: Observation, expectDisabled: boolean, all: readonly Attempt[], disableAt?: number): Check[] {
  const disabled = eventsOf(obs, 'disabled')
  const checks: Check[] = []
  if (expectDisabled) {
    if (disableAt !== undefined) {
      const extra = all.slice(disableAt)
      checks.push({
        name: `no attempt after the ${disableAt}th (integration disabled)`,
        passed: all.length === disableAt,
        expected: `${disableAt} attempts in all, then none`,
        observed:
          all.length === disableAt
            ? `${all.length} attempts, then none`
            : all.length < disableAt
              ? `only ${all.length} attempts when the run ended${disabled.length === 0 ? (obs.eventsReported ? ' and no disabled event: the sender had not disabled yet (too slow to get there, not an early disable)' : ': the sender had not got there') : ', then it disabled (an early disable)'}`
              : `${extra.length} attempt(s) after the ${disableAt}th: ${outcomes(extra)}`,
        evidence: extra.length > 0 ? ids(extra) : ids(all.slice(-1)),
      })
    }
    if (obs.eventsReported) {
      checks.push({
        name: 'sender reports {"event":"disabled"}',
        passed: disabled.length >= 1,
        expected: 'a disabled event',
        observed: disabled.length >= 1 ? `disabled reported ${disabled.length} time(s)` : `events seen: ${[...new Set(obs.events.map((e) => e.event))].join(', ') || 'none'}`,
        evidence: [],
      })
    }
  } else {
    checks.push({
      name: 'integration not disabled',
      passed: disabled.length === 0,
      expected: 'no disabled event',
      observed: disabled.length === 0 ? (obs.eventsReported ? 'no disabled event' : 'no events reported (judged by attempts)') : 'the sender reported disabled',
      evidence: [],
    })
  }
  return checks
}

/** No attempt the runner cannot attribute to a delivery (a stray or mangled body). */
export function noStrayAttempts(unmatched: readonly Attempt[], allowConnectionLevel = false): Check {
  const stray = allowConnectionLevel ? unmatched.filter((a) => a.kind === 'request') : unmatched
  return {
    name: 'every attempt belongs to a delivery',
    passed: stray.length === 0,
    expected: 'bodies carry the notifications handed over',
    observed: stray.length === 0 ? 'all attributed' : `${stray.length} unattributed: ${outcomes(stray)}`,
    evidence: ids(stray),
  }
}
