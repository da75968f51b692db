/**
 * `fake-fluentd send`: the reference sender once, printing every attempt as it happens; and
 * `send --contract`, the reference sender as a sender-contract command (env + NDJSON stdin).
 * Exit 0 delivered, 3 dropped after the last cycle, 4 disabled, 2 bad arguments.
 */
import { readFileSync } from 'node:fs'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { parseDuration } from '../../clock/index.js'
import { ErrorCodes, FakeFluentdError } from '../../errors.js'
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
  testMessage?: boolean
}

/** Longest duration a timer can hold (2^31 - 1 ms, about 24.8 days); Node fires longer ones at once. */
const MAX_DURATION_MS = 2_147_483_647

/** --time-scale above this would push Wallarm's 30 min interval past what a timer can hold. */
export const MAX_TIME_SCALE = 1000

/** Most concurrent deliveries one `send` starts (--count). */
export const MAX_COUNT = 10_000

function durationArg(text: string): number {
  const ms = parseDuration(text)
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('expected a duration such as 15s, 500ms, 2m (a bare number is ms).')
  if (ms > MAX_DURATION_MS) throw new InvalidArgumentError('at most 24d (2147483647 ms), the longest a timer can wait.')
  return ms
}

function positiveNumberArg(text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.')
  return n
}

function timeScaleArg(text: string): number {
  const n = positiveNumberArg(text)
  if (n > MAX_TIME_SCALE) throw new InvalidArgumentError(`at most ${MAX_TIME_SCALE} (longer intervals do not fit a timer).`)
  return n
}

function seedArg(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > 4294967295) throw new InvalidArgumentError('expected a whole number from 0 to 4294967295.')
  return Number(text)
}

function countArg(text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1.')
  if (n > MAX_COUNT) throw new InvalidArgumentError(`at most ${MAX_COUNT}.`)
  return n
}

function headerArg(text: string, previous: string[] = []): string[] {
  const i = text.indexOf(':')
  if (i <= 0 || text.slice(0, i).trim() === '') throw new InvalidArgumentError('expected "Name: value".')
  return [...previous, text]
}

function parseHeaders(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const h of list) {
    const i = h.indexOf(':')
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim()
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

/** Human duration: 1.5 s, 250 ms, 3 min. */
export function formatMs(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(2))} s`
  return `${Number(ms.toFixed(1))} ms`
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
  if ([flags.type, flags.file, flags.testMessage].filter((v) => v !== undefined).length > 1) {
    throw usage('give one of --type, --file and --test-message.')
  }
  const [{ createSender }, { sampleNotification, sampleTypes }, { effectiveTimeouts, settingsTimeouts, timeoutWarnings }, { testIntegrationNotification }] =
    await Promise.all([
      import('../../sender/sender.js'),
      import('../../validation/samples.js'),
      import('../../sender/settings.js'),
      import('../../sender/test-notification.js'),
    ])
  let notifications: Array<Record<string, unknown>>
  if (flags.file) notifications = readNotificationsFile(flags.file)
  else if (flags.testMessage) notifications = [testIntegrationNotification()]
  else {
    const type = flags.type ?? 'new_hits'
    if (!sampleTypes().includes(type)) throw usage(`--type ${type}: no such notification type; known: ${sampleTypes().join(', ')}.`)
    notifications = [sampleNotification(type)]
  }
  // Typed durations are real time; the profile's defaults scale (README "Time scale").
  const timeScale = flags.timeScale ?? 1
  const timeouts = effectiveTimeouts({ requestTimeoutMs: flags.requestTimeout, connectTimeoutMs: flags.connectTimeout }, profile, timeScale)
  for (const line of timeoutWarnings(timeouts, timeScale)) console.error(line)
  const settings: IntegrationSettings = {
    url: flags.url,
    method: flags.method,
    headers: parseHeaders(flags.header),
    ...(flags.ca ? { caFile: flags.ca } : {}),
    verifyTls: !flags.insecure,
    format: flags.format,
    ...settingsTimeouts(timeouts, timeScale),
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
  // The sender announces the disable before the attempt that tripped it; print that attempt first.
  let disabledLines: string[] = []
  sender.on('attempt-end', ({ deliveryId, record, nextRetry }) => {
    const where = record.cycle === 0 ? 'first' : `cycle ${record.cycle}.${record.indexInCycle}`
    const took = formatMs(record.endedAt - record.startedAt)
    const next = record.ok
      ? 'delivered'
      : nextRetry
        ? `next retry in ${formatMs(nextRetry.intervalMs)}${sender.timeScale === 1 ? '' : ` (${formatMs(nextRetry.profileIntervalMs)} at scale 1)`}, cycle ${nextRetry.cycle}.${nextRetry.indexInCycle}`
        : sender.disabled
          ? 'no retry: integration disabled'
          : 'no retry left'
    console.log(`${tag(deliveryId)}attempt ${record.attempt} (${where}) ${describeOutcome(record.outcome)} at ${since(record.startedAt)}, took ${took}; ${next}`)
    for (const line of disabledLines) console.log(line)
    disabledLines = []
  })
  sender.on('dropped', ({ deliveryId, result }) => console.log(`${tag(deliveryId)}dropped after ${result.attempts.length} attempts (last cycle done)`))
  sender.on('delivered', ({ deliveryId, result }) => console.log(`${tag(deliveryId)}delivered after ${result.attempts.length} attempt(s)`))
  sender.on('disabled', ({ stats, notification }) => {
    disabledLines = [
      `integration disabled: ${stats.failed} of ${stats.attempts} attempts failed in the window; pending retries cancelled`,
      `system notification: ${JSON.stringify(notification)}`,
    ]
  })
  const onSignal = (): void => {
    void sender.close()
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    const results = await Promise.all(Array.from({ length: flags.count }, () => sender.deliver(notifications)))
    process.exitCode = exitFor(results)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
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
    .option('--request-timeout <duration>', 'request timeout, real time (default: the profile\'s 15s x --time-scale)', durationArg)
    .option('--connect-timeout <duration>', 'connection timeout, TCP + TLS, real time (default: the profile\'s 20s x --time-scale)', durationArg)
    .option(
      '--time-scale <k>',
      `multiply the profile's intervals, window and default timeouts by k, up to ${MAX_TIME_SCALE} (0.001: cycle 3 in ~3 s); typed timeouts stay real time`,
      timeScaleArg,
    )
    .option('--profile <name|file>', 'retry profile: wallarm, exponential-jitter or a JSON file', 'wallarm')
    .option('--type <type>', 'send a realistic sample of this notification type (default new_hits)')
    .option('--file <file>', 'send the notifications of a file (object, array or NDJSON; - for stdin) as one body')
    .option('--test-message', 'send the test notification of Wallarm\'s "Test integration" button')
    .option('--count <n>', `independent concurrent deliveries of the same body (at most ${MAX_COUNT})`, countArg, 1)
    .option('--seed <n>', 'seed of the jitter of exponential profiles (0 to 4294967295)', seedArg)
    .option('--contract', 'sender-contract mode: settings from the environment, deliveries from stdin (NDJSON)')
    .action(async (flags: SendFlags) => runSend(flags))
}
