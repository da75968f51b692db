/**
 * `fake-fluentd send`: the reference sender once, printing every attempt as it happens; and
 * `send --contract`, the reference sender as a sender-contract command (env + NDJSON stdin).
 * Exit 0 delivered, 3 dropped after the last cycle, 4 disabled, 2 bad arguments.
 */
import { Option, type Command } from 'commander'
import { formatDuration } from '../../text/index.js'
import type { AttemptOutcome, DeliveryResult, IntegrationSettings } from '../../sender/index.js'
import type { RetryProfile } from '../../profile/index.js'
import { FakeFluentdError } from '../../errors.js'
import { MAX_COUNT, MAX_TIME_SCALE, MIN_TIME_SCALE, checkCaFile, countArg, durationArg, headerArg, parseHeaders, readNotificationsFile, seedArg, timeScaleArg, urlArg, usage } from '../send-options.js'

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
  dryRun?: boolean
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

/** One hint for the first TLS failure: what to pass so that the server certificate is trusted. */
function tlsHint(code: string, ca: string | undefined): string {
  if (ca !== undefined) return `hint: ${code}: the server certificate is not signed by --ca ${ca}; give the CA the server prints (serve: "CA certificate: ..."), or --insecure to skip verification.`
  return `hint: ${code}: the server certificate is not trusted; give its CA with --ca FILE (serve prints the path), or --insecure to skip verification.`
}

function exitFor(results: readonly DeliveryResult[]): number {
  if (results.some((r) => r.outcome === 'disabled')) return SEND_EXIT.disabled
  if (results.some((r) => r.outcome === 'dropped' || r.outcome === 'cancelled')) return SEND_EXIT.dropped
  return SEND_EXIT.delivered
}

async function runSend(flags: SendFlags): Promise<void> {
  // Imported here so that other commands and --help do not load the sender (undici).
  const { loadProfile } = await import('../../profile/index.js')
  let profile: RetryProfile
  try {
    profile = loadProfile(flags.profile)
  } catch (err) {
    throw err instanceof FakeFluentdError ? new FakeFluentdError(err.code, `--profile: ${err.message}`, { cause: err }) : err
  }
  if (flags.contract) {
    const { runContractSender } = await import('../../sender/index.js')
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
  const [{ createSender, effectiveTimeouts, settingsTimeouts, testIntegrationNotification, timeoutWarnings }, { sampleNotification, sampleTypes }] = await Promise.all([
    import('../../sender/index.js'),
    import('../../validation/index.js'),
  ])
  if (flags.ca !== undefined && flags.insecure) throw usage('--insecure turns certificate verification off, so --ca would be ignored: give one of them.')
  if (flags.ca !== undefined) checkCaFile(flags.ca)
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
  if (flags.dryRun) {
    const source = (scaled: boolean): string => (scaled ? ` (profile x ${timeScale})` : ' (typed, real time)')
    console.log(`dry run: nothing sent. ${flags.count} deliver${flags.count === 1 ? 'y' : 'ies'} of ${notifications.length} notification(s) to ${flags.url}`)
    console.log(`  ${flags.method} as ${flags.format}, profile ${profile.name}, time scale ${timeScale}, TLS verification ${flags.insecure ? 'off' : 'on'}`)
    console.log(`  request timeout ${formatDuration(timeouts.requestTimeoutMs)}${source(timeouts.requestScaled)}, connect timeout ${formatDuration(timeouts.connectTimeoutMs)}${source(timeouts.connectScaled)}`)
    for (const [name, value] of Object.entries(settings.headers ?? {})) console.log(`  header ${name}: ${value}`)
    return
  }
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
  let tlsHinted = false
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
    if (record.outcome.kind === 'tls' && !tlsHinted) {
      tlsHinted = true
      console.error(tlsHint(record.outcome.code, flags.ca))
    }
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
    .option('--url <url>', 'Fluentd URL (https://host:port/tag)', urlArg)
    .addOption(new Option('--method <method>', 'HTTP method').choices(['POST', 'PUT']).default('POST'))
    .option('--header <"Name: value">', 'extra request header (repeatable)', headerArg, [])
    .option('--ca <file>', 'PEM file of the CA that signed the server certificate')
    .option('--insecure', 'do not verify the server certificate')
    .addOption(new Option('--format <format>', 'body: JSON array or NDJSON').choices(['json', 'ndjson']).default('json'))
    .option('--request-timeout <duration>', 'request timeout, real time (default: the profile\'s 15s x --time-scale)', durationArg)
    .option('--connect-timeout <duration>', 'connection timeout, TCP + TLS, real time (default: the profile\'s 20s x --time-scale)', durationArg)
    .option(
      '--time-scale <k>',
      `multiply the profile's intervals, window and default timeouts by k, ${MIN_TIME_SCALE} to ${MAX_TIME_SCALE} (0.001: cycle 3 in ~3 s); typed timeouts stay real time`,
      timeScaleArg,
    )
    .option('--profile <name|file>', 'retry profile: wallarm, exponential-jitter or a JSON file', 'wallarm')
    .option('--type <type>', 'send a realistic sample of this notification type (default new_hits)')
    .option('--file <file>', 'send the notifications of a file (object, array or NDJSON; - for stdin) as one body')
    .option('--dry-run', 'check the flags, print what would be sent and with which timeouts, send nothing')
    .option('--test-message', 'send the test notification of Wallarm\'s "Test integration" button')
    .option('--count <n>', `independent concurrent deliveries of the same body (at most ${MAX_COUNT})`, countArg, 1)
    .option('--seed <n>', 'seed of the jitter of exponential profiles (0 to 4294967295)', seedArg)
    .option('--contract', 'sender-contract mode: settings from the environment, deliveries from stdin (NDJSON)')
    .action(async (flags: SendFlags) => runSend(flags))
}
