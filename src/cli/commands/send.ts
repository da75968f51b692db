/**
 * `fake-fluentd send`: the reference sender once, printing every attempt as it happens; and
 * `send --contract`, the reference sender as a sender-contract command (env + NDJSON stdin).
 * Exit 0 delivered, 3 dropped after the last cycle, 4 disabled, 2 bad arguments.
 */
import { readFileSync } from 'node:fs'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { parseDuration } from '../../clock/index.js'
import { ErrorCodes, FakeFluentdError } from '../../errors.js'
import { formatDuration, parseHeaderLine } from '../../text/index.js'
import type { AttemptOutcome } from '../../sender/attempt.js'
import type { DeliveryResult } from '../../sender/events.js'
import type { IntegrationSettings } from '../../sender/settings.js'

/** Exit statuses of `send`. */
export const SEND_EXIT = { delivered: 0, usage: 2, dropped: 3, disabled: 4 } as const

interface SendFlags {
  url?: string
  method: 'POST' | 'PUT'
  header: string[]
  ca?: string
  insecure?: boolean
  format: 'json' | 'ndjson'
  requestTimeout?: number
  connectTimeout?: number
  timeScale?: number
  profile: string
  type?: string
  file?: string
  count: number
  seed?: number
  contract?: boolean
}

function durationArg(text: string): number {
  const ms = parseDuration(text)
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('expected a duration such as 15s, 500ms, 2m (a bare number is ms).')
  return ms
}

function positiveNumberArg(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.')
  return n
}

function countArg(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1.')
  return n
}

function headerArg(text: string, previous: string[] = []): string[] {
  if (!parseHeaderLine(text)) throw new InvalidArgumentError('expected "Name: value".')
  return [...previous, text]
}

function parseHeaders(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of list) {
    const h = parseHeaderLine(line)
    if (h) out[h.name] = h.value
  }
  return out
}

function usage(message: string): FakeFluentdError {
  return new FakeFluentdError(ErrorCodes.FF_ERR_OPTION, message)
}

/** The notifications of --file: a JSON object, a JSON array, or NDJSON (one object per line). */
function readNotificationsFile(file: string): Array<Record<string, unknown>> {
  let text: string
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (err) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_INPUT, `Cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: err })
  }
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
  let values: unknown[]
  try {
    const whole: unknown = JSON.parse(text)
    values = Array.isArray(whole) ? whole : [whole]
  } catch {
    values = []
    const lines = text.split(/\r?\n/)
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue
      try {
        values.push(JSON.parse(line))
      } catch {
        throw new FakeFluentdError(ErrorCodes.FF_ERR_INPUT, `--file ${file} line ${i + 1} is not JSON; give a JSON object, a JSON array or NDJSON.`)
      }
    }
  }
  if (values.length === 0 || !values.every(isObject)) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_INPUT, `--file ${file} must hold notification objects (a JSON object, a JSON array of objects, or NDJSON).`)
  }
  return values as Array<Record<string, unknown>>
}

/** Short text of an attempt outcome: `HTTP 503`, `timeout (request)`, `network ECONNREFUSED`. */
export function describeOutcome(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case 'response':
      return `HTTP ${outcome.status}`
    case 'timeout':
      return `timeout (${outcome.phase})`
    case 'network':
      return `network error ${outcome.code}`
    case 'tls':
      return `TLS error ${outcome.code}`
    case 'cancelled':
      return 'cancelled'
  }
}

function exitFor(results: readonly DeliveryResult[]): number {
  if (results.some((r) => r.outcome === 'disabled')) return SEND_EXIT.disabled
  if (results.some((r) => r.outcome === 'dropped' || r.outcome === 'cancelled')) return SEND_EXIT.dropped
  return SEND_EXIT.delivered
}

async function runSend(flags: SendFlags): Promise<void> {
  // Imported here so that other commands and --help do not load the sender (undici).
  const { loadProfile } = await import('../../sender/profile.js')
  const profile = loadProfile(flags.profile)
  if (flags.contract) {
    const { runContractSender } = await import('../../sender/contract-mode.js')
    const summary = await runContractSender({
      input: process.stdin,
      write: (line) => process.stdout.write(`${line}\n`),
      env: process.env,
      profile,
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    })
    process.exitCode = summary.badLines > 0 ? SEND_EXIT.usage : 0
    return
  }
  if (!flags.url) throw usage('--url is required (the Fluentd URL, e.g. https://127.0.0.1:9880/wallarm).')
  if (flags.type && flags.file) throw usage('give --type or --file, not both.')
  const [{ createSender }, { sampleNotification, sampleTypes }] = await Promise.all([
    import('../../sender/sender.js'),
    import('../../validation/samples.js'),
  ])
  let notifications: Array<Record<string, unknown>>
  if (flags.file) notifications = readNotificationsFile(flags.file)
  else {
    const type = flags.type ?? 'new_hits'
    if (!sampleTypes().includes(type)) throw usage(`--type ${type}: no such notification type; known: ${sampleTypes().join(', ')}.`)
    notifications = [sampleNotification(type)]
  }
  const settings: IntegrationSettings = {
    url: flags.url,
    method: flags.method,
    headers: parseHeaders(flags.header),
    ...(flags.ca ? { caFile: flags.ca } : {}),
    verifyTls: !flags.insecure,
    format: flags.format,
    ...(flags.requestTimeout !== undefined ? { requestTimeoutMs: flags.requestTimeout } : {}),
    ...(flags.connectTimeout !== undefined ? { connectTimeoutMs: flags.connectTimeout } : {}),
    ...(flags.timeScale !== undefined ? { timeScale: flags.timeScale } : {}),
  }
  const sender = createSender(settings, { profile, ...(flags.seed !== undefined ? { seed: flags.seed } : {}) })
  const t0 = performance.now()
  const since = (atMs: number): string => `+${((atMs - t0) / 1000).toFixed(3)} s`
  const many = flags.count > 1
  const tag = (id: number): string => (many ? `[${id}] ` : '')
  const scaleNote = sender.timeScale === 1 ? '' : ` (time scale ${sender.timeScale})`
  console.log(
    `sending ${flags.count > 1 ? `${flags.count} deliveries of ` : ''}${notifications.length} notification(s) to ${flags.url} as ${flags.format}, ` +
      `profile ${profile.name}${scaleNote}`,
  )
  sender.on('attempt-end', ({ deliveryId, record, nextRetry }) => {
    const where = record.cycle === 0 ? 'first' : `cycle ${record.cycle}.${record.indexInCycle}`
    const took = formatDuration(record.endedAt - record.startedAt)
    const next = record.ok
      ? 'delivered'
      : nextRetry
        ? `next retry in ${formatDuration(nextRetry.intervalMs)}${sender.timeScale === 1 ? '' : ` (${formatDuration(nextRetry.profileIntervalMs)} at scale 1)`}, cycle ${nextRetry.cycle}.${nextRetry.indexInCycle}`
        : sender.disabled
          ? 'no retry: integration disabled'
          : 'no retry left'
    console.log(`${tag(deliveryId)}attempt ${record.attempt} (${where}) ${describeOutcome(record.outcome)} at ${since(record.startedAt)}, took ${took}; ${next}`)
  })
  sender.on('dropped', ({ deliveryId, result }) => console.log(`${tag(deliveryId)}dropped after ${result.attempts.length} attempts (last cycle done)`))
  sender.on('delivered', ({ deliveryId, result }) => console.log(`${tag(deliveryId)}delivered after ${result.attempts.length} attempt(s)`))
  sender.on('disabled', ({ stats, notification }) => {
    console.log(`integration disabled: ${stats.failed} of ${stats.attempts} attempts failed in the window; pending retries cancelled`)
    console.log(`system notification: ${JSON.stringify(notification)}`)
  })
  const onSignal = (): void => {
    void sender.close()
  }
  process.once('SIGINT', onSignal)
  try {
    const results = await Promise.all(Array.from({ length: flags.count }, () => sender.deliver(notifications)))
    process.exitCode = exitFor(results)
  } finally {
    process.off('SIGINT', onSignal)
  }
}

/** Registers `fake-fluentd send`. */
export function registerSend(program: Command): void {
  program
    .command('send')
    .description(
      'Deliver a notification with the reference sender (Wallarm delivery rules), printing every attempt.\n' +
        'Exit 0 delivered, 3 dropped after the last cycle, 4 integration disabled, 2 bad arguments.\n' +
        'With --contract: read FLUENTD_URL/WEBHOOK_* from the environment and deliveries as NDJSON from stdin, ' +
        'print events as JSON lines (the sender contract).',
    )
    .option('--url <url>', 'Fluentd URL (https://host:port/tag)')
    .addOption(new Option('--method <method>', 'HTTP method').choices(['POST', 'PUT']).default('POST'))
    .option('--header <"Name: value">', 'extra request header (repeatable)', headerArg, [])
    .option('--ca <file>', 'PEM file of the CA that signed the server certificate')
    .option('--insecure', 'do not verify the server certificate')
    .addOption(new Option('--format <format>', 'body: JSON array or NDJSON').choices(['json', 'ndjson']).default('json'))
    .option('--request-timeout <duration>', 'request timeout (profile default: 15s)', durationArg)
    .option('--connect-timeout <duration>', 'connection timeout, TCP + TLS (profile default: 20s)', durationArg)
    .option('--time-scale <k>', 'multiply every interval, timeout and window by k (0.001: cycle 3 in ~3 s)', positiveNumberArg)
    .option('--profile <name|file>', 'retry profile: wallarm, exponential-jitter or a JSON file', 'wallarm')
    .option('--type <type>', 'send a realistic sample of this notification type (default new_hits)')
    .option('--file <file>', 'send the notifications of a file (object, array or NDJSON; - for stdin) as one body')
    .option('--count <n>', 'independent concurrent deliveries of the same body', countArg, 1)
    .option('--seed <n>', 'seed of the jitter of exponential profiles', (t) => Math.trunc(positiveNumberArg(t)))
    .option('--contract', 'sender-contract mode: settings from the environment, deliveries from stdin (NDJSON)')
    .action(async (flags: SendFlags) => runSend(flags))
}
