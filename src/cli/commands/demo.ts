import { InvalidArgumentError, Option, type Command } from 'commander'
import { DEMO_SCENARIOS, type Demo, type DemoScenarioName } from '../../demo/index.js'
import { addAdminFlags, adminSettingsFrom, type AdminFlags } from '../admin-flags.js'
import { bindArg } from '../bind-arg.js'
import { pathArg, portArg } from '../flag-values.js'
import { checkResolves, given } from '../serve-checks.js'
import { FakeFluentdError } from '../../errors.js'

interface DemoFlags extends AdminFlags {
  scenario: DemoScenarioName
  timeScale?: number
  port: number
  adminPort: number
  bind: string
  tls?: boolean
  certDir?: string
  exit?: boolean
  color: boolean
}

/** Above this the Wallarm profile's 30 min interval no longer fits a timer. */
const MAX_TIME_SCALE = 1000

function positiveNumber(text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('use a positive number, e.g. 0.02')
  if (n > MAX_TIME_SCALE) throw new InvalidArgumentError(`use at most ${MAX_TIME_SCALE}`)
  if (n < 0.000001) throw new InvalidArgumentError('use at least 0.000001')
  return n
}

/** Ctrl-C closes everything; this long after it the process exits regardless (ms). */
const SHUTDOWN_GRACE_MS = 900

/** Registers `fake-fluentd demo`: the reference sender against a failing receiver, live. */
export function registerDemo(program: Command): void {
  const demo = program
    .command('demo')
    .description(
      'Run the reference sender against a failing receiver, time-compressed, and watch the retries: a live timeline here and on the web page',
    )
    .addOption(
      new Option(
        '--scenario <name>',
        'retry: 503 to every attempt, three cycles, dropped · timeout: answers after the request timeout, 3 times · auto-disable: 3 deliveries failing until the integration is disabled · recovery: 500 x3 then 200',
      )
        .choices(DEMO_SCENARIOS)
        .default('retry'),
    )
    .option(
      '--time-scale <k>',
      'real-time factor (default per scenario: retry 0.02 = the three cycles in about a minute; timeout 0.5; auto-disable 1; recovery 1)',
      positiveNumber,
    )
    .option('--port <port>', 'ingest port (0 or any = a free port)', portArg, 0)
    .option('--admin-port <port>', 'web page and admin API port (0 or any = a free port)', portArg, 0)
    .option('--bind <address>', 'address of both listeners', bindArg, '127.0.0.1')
  addAdminFlags(demo)
  demo
    .option('--tls', 'serve HTTPS with the generated CA (default: plain HTTP)')
    .option('--cert-dir <dir>', 'certificate cache directory for --tls (default: fake-fluentd/certs in the user cache directory)', pathArg)
    .option('--exit', 'exit when the story ends (default: keep the page up until Ctrl-C)')
    .option('--no-color', 'no ANSI colours')
    .action(async (flags: DemoFlags, command: Command) => {
      if (given(command, 'certDir') && !flags.tls) throw new FakeFluentdError('FF_ERR_OPTION', '--cert-dir is for --tls (the demo serves plain HTTP without it): add --tls or drop --cert-dir.')
      await checkResolves('--bind', flags.bind)
      await runDemo(flags)
    })
}

async function runDemo(flags: DemoFlags): Promise<void> {
  // Imported here so that other commands and --help do not load the demo (sender, receiver, web page).
  const [{ createDemo }, { createDemoPrinter }, { effectiveTimeouts, timeoutWarnings }, { wallarmProfile }] = await Promise.all([
    import('../../demo/index.js'),
    import('../demo-printer.js'),
    import('../../sender/index.js'),
    import('../../profile/index.js'),
  ])
  if (flags.timeScale !== undefined) {
    // The demo's sender runs the Wallarm profile, whose timeouts scale with the story.
    for (const warning of timeoutWarnings(effectiveTimeouts({}, wallarmProfile, flags.timeScale), flags.timeScale, false)) console.error(warning)
  }
  const demo: Demo = createDemo({
    scenario: flags.scenario,
    ...(flags.timeScale !== undefined ? { timeScale: flags.timeScale } : {}),
    port: flags.port,
    adminPort: flags.adminPort,
    host: flags.bind,
    tls: flags.tls ?? false,
    ...(flags.certDir !== undefined ? { certDir: flags.certDir } : {}),
    adminSettings: adminSettingsFrom(flags),
  })
  const tty = process.stdout.isTTY === true
  const printer = createDemoPrinter({
    write: (text) => process.stdout.write(text),
    // FORCE_COLOR (any value but 0) colours a pipe too, e.g. for recording the demo.
    color: flags.color && !process.env.NO_COLOR && (tty || (process.env.FORCE_COLOR ?? '0') !== '0'),
    live: tty,
  })
  demo.on(printer.listener)

  let interrupted = false
  let resolveInterrupt!: () => void
  const interruptedPromise = new Promise<void>((resolve) => {
    resolveInterrupt = resolve
  })
  const onSignal = (): void => {
    if (interrupted) return
    interrupted = true
    // With --exit the exit status says how the story went; one cut short did not go as told.
    if (flags.exit) process.exitCode = 130
    // Whatever hangs, the process is gone within a second of Ctrl-C.
    setTimeout(() => process.exit(process.exitCode ?? 0), SHUTDOWN_GRACE_MS).unref()
    resolveInterrupt()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  try {
    await Promise.race([demo.start(), interruptedPromise])
    if (!interrupted) {
      const done = await Promise.race([demo.finished, interruptedPromise.then(() => undefined)])
      if (done && !interrupted) {
        if (flags.exit) {
          if (!done.asExpected) process.exitCode = 1
        } else {
          process.stdout.write(`The page stays up at ${demo.pageUrl ?? '?'} — press Ctrl-C to quit.\n`)
          await interruptedPromise
        }
      }
    }
  } finally {
    printer.stop()
    await demo.close()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    if (interrupted) {
      process.stdout.write('\nStopped: sender, receiver and page closed.\n')
    }
  }
}
