/**
 * Checking the receiver's options: every bad value is a FakeFluentdError FF_ERR_OPTION that says
 * what to use instead.
 */
import { FakeFluentdError } from '../errors.js'
import { parseHeaderLine } from '../text/index.js'
import type { RequiredHeader } from './fluentd-answer.js'
import type { ReceiverOptions } from './types.js'
import { MAX_RECORD_DEPTH } from './parse-records.js'

/** Most `--workers`: more than the machine has cores only adds switching. */
export const MAX_WORKERS = 64

/** Node's TLS version bounds for a --tls-version value. */
export function tlsVersions(v: ReceiverOptions['tlsVersion']): { minVersion: 'TLSv1.2' | 'TLSv1.3'; maxVersion: 'TLSv1.2' | 'TLSv1.3' } {
  switch (v ?? '1.2') {
    case '1.2':
      return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }
    case '1.3':
      return { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }
    case '1.2+':
      return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }
    default:
      throw new FakeFluentdError('FF_ERR_OPTION', `Invalid TLS version ${String(v)}: use 1.2, 1.3 or 1.2+.`)
  }
}

/** Parses `Name: value` (throws FF_ERR_OPTION when there is no colon or no name). */
export function parseRequiredHeader(text: string): RequiredHeader {
  const header = parseHeaderLine(text)
  if (!header) throw new FakeFluentdError('FF_ERR_OPTION', `Invalid required header "${text}": use "Name: value".`)
  return { name: header.name.toLowerCase(), value: header.value }
}

/** Every required header (`requireHeader` is one `Name: value` or a list of them). */
export function requiredHeaders(option: ReceiverOptions['requireHeader']): RequiredHeader[] {
  if (option === undefined) return []
  return (typeof option === 'string' ? [option] : option).map(parseRequiredHeader)
}

/** Throws FF_ERR_OPTION for the first bad option. */
export function checkOptions(o: ReceiverOptions): void {
  const bad = (msg: string): never => {
    throw new FakeFluentdError('FF_ERR_OPTION', msg)
  }
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535)) bad(`Invalid port ${o.port}: use 0-65535.`)
  if (o.adminPort !== undefined && o.adminPort !== false && (!Number.isInteger(o.adminPort) || o.adminPort < 0 || o.adminPort > 65535)) {
    bad(`Invalid admin port ${String(o.adminPort)}: use 0-65535.`)
  }
  if (o.idleTimeoutMs !== undefined && (!Number.isFinite(o.idleTimeoutMs) || o.idleTimeoutMs < 0)) bad(`Invalid idle timeout ${o.idleTimeoutMs}: use ms >= 0 (0 = never).`)
  for (const [name, v] of [['header timeout', o.headerTimeoutMs], ['request timeout', o.requestTimeoutMs], ['keep-alive timeout', o.keepAliveTimeoutMs]] as const) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) bad(`Invalid ${name} ${v}: use ms >= 0 (0 = never).`)
  }
  if (o.maxConnections !== undefined && (!Number.isInteger(o.maxConnections) || o.maxConnections < 1)) bad(`Invalid connection cap ${o.maxConnections}: use a whole number >= 1.`)
  if (o.bodyLimit !== undefined && (!Number.isInteger(o.bodyLimit) || o.bodyLimit < 0)) bad(`Invalid body limit ${o.bodyLimit}: use a byte count >= 0.`)
  if (o.inflateLimit !== undefined && (!Number.isInteger(o.inflateLimit) || o.inflateLimit < 0)) bad(`Invalid inflate limit ${o.inflateLimit}: use a byte count >= 0.`)
  if (o.maxRecords !== undefined && (!Number.isInteger(o.maxRecords) || o.maxRecords < 1)) bad(`Invalid record cap ${o.maxRecords}: use a whole number >= 1.`)
  if (o.maxRecordSize !== undefined && (!Number.isInteger(o.maxRecordSize) || o.maxRecordSize < 1)) bad(`Invalid record size limit ${o.maxRecordSize}: use a byte count >= 1.`)
  if (o.maxRecordDepth !== undefined && (!Number.isInteger(o.maxRecordDepth) || o.maxRecordDepth < 1 || o.maxRecordDepth > MAX_RECORD_DEPTH)) bad(`Invalid record depth limit ${o.maxRecordDepth}: use 1 to ${MAX_RECORD_DEPTH}.`)
  if (o.journalMaxBytes !== undefined && (!Number.isFinite(o.journalMaxBytes) || o.journalMaxBytes < 1)) bad(`Invalid journal memory budget ${o.journalMaxBytes}: use bytes >= 1.`)
  if (o.journalBodyMax !== undefined && (!Number.isInteger(o.journalBodyMax) || o.journalBodyMax < 0)) bad(`Invalid journal body limit ${o.journalBodyMax}: use a byte count >= 0.`)
  if (o.successStatus !== undefined && o.successStatus !== 200 && o.successStatus !== 204) bad(`Invalid success status ${String(o.successStatus)}: use 200 or 204.`)
  if (o.validate !== undefined && !['off', 'warn', 'strict'].includes(o.validate)) bad(`Invalid validation mode ${String(o.validate)}: use off, warn or strict.`)
  if (o.workers !== undefined && (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > MAX_WORKERS)) bad(`Invalid worker count ${o.workers}: use 1 to ${MAX_WORKERS}.`)
  if (o.workers !== undefined && o.workers > 1) {
    if (o.faults !== undefined && o.faults !== false) bad('Fault plans run in one process: --workers above 1 takes no --fault or --faults (a sequence of steps needs one place that counts them).')
    if (o.clock !== undefined) bad('--workers above 1 runs on the system clock: a clock cannot be handed to worker processes.')
  }
  requiredHeaders(o.requireHeader)
  tlsVersions(o.tlsVersion)
}
