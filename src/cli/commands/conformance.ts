/**
 * `fake-fluentd conformance`: drive a sender through the scenarios and report. Thin: parse flags,
 * call runConformance, render progress and the summary, write --junit/--json/--html, set the exit
 * status (0 all passed, 1 any failed, blocked, errored or inconclusive, 2 usage or setup error).
 * @see README.md "Commands"
 */
import { writeFileSync } from 'node:fs'
import { type Command, InvalidArgumentError } from 'commander'
import { FakeFluentdError } from '../../errors.js'
import type { ConformanceReport, ProgressEvent, SenderSpec } from '../../conformance/index.js'
import type { RetryProfile } from '../../profile/index.js'
import { checkReportPath, checkSenderCommand, checkSenderUrl, tooSqueezed } from '../conformance-preflight.js'
import { durationArg, pathArg, wholeNumberArg } from '../flag-values.js'

interface ConformanceFlags {
  sender?: string
  senderCmd?: string
  senderUrl?: string
  scenarios?: string
  list?: boolean
  protocol: 'http' | 'forward'
  profile?: string
  timeScale?: number
  toleranceMs?: number
  toleranceRel?: number
  concurrency?: number
  startupTimeout?: number
  junit?: string
  json?: string
  html?: string
  certDir?: string
  quiet?: boolean
  retryInconclusive: number
}

function positive(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number')
  return n
}

function nonNegative(text: string): number {
  const n = Number(text)
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number >= 0')
  return n
}

/** Loads --profile; its errors name the flag. */
function profileFlag<P>(load: (nameOrFile: string) => P, value: string): P {
  try {
    return load(value)
  } catch (err) {
    throw err instanceof FakeFluentdError ? new FakeFluentdError(err.code, `--profile: ${err.message}`, { cause: err }) : err
  }
}

function scenariosArg(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('selects nothing; leave --scenarios out to run every scenario.')
  return text
}

function protocolArg(text: string): 'http' | 'forward' {
  if (text !== 'http' && text !== 'forward') throw new InvalidArgumentError('takes "http" (in_http senders, the default) or "forward" (forward-protocol clients).')
  return text
}

/** Flags of the HTTP runner that mean nothing to forward clients: refused, naming the flag. */
const HTTP_ONLY: ReadonlyArray<[keyof ConformanceFlags, string]> = [
  ['sender', '--sender'],
  ['senderUrl', '--sender-url'],
  ['timeScale', '--time-scale'],
  ['toleranceMs', '--tolerance-ms'],
  ['toleranceRel', '--tolerance-rel'],
  ['concurrency', '--concurrency'],
  ['startupTimeout', '--startup-timeout'],
  ['certDir', '--cert-dir'],
]

/** `--protocol forward`: the forward client scenarios against --sender-cmd, judged against a forward client profile. */
async function runForward(flags: ConformanceFlags): Promise<void> {
  const { listForwardScenarios, loadForwardProfile, runForwardConformance, forwardCommandClient, selectForwardScenarios } = await import('../../conformance/index.js')
  if (flags.list) {
    const selected = new Set(selectForwardScenarios(flags.scenarios).map((n) => `forward.${n}`))
    const rows = listForwardScenarios().filter((r) => selected.has(r.id))
    const w = Math.max(...rows.map((r) => r.id.length))
    for (const r of rows) console.log(`${r.id.padEnd(w)}  ${r.title} [pins: ${r.pins}]`)
    console.log(`\n${rows.length} forward scenario(s): title and the profile promise each pins.`)
    return
  }
  for (const [key, flag] of HTTP_ONLY) if (flags[key] !== undefined) throw new FakeFluentdError('FF_ERR_OPTION', `${flag} does not apply to --protocol forward (forward clients are given as --sender-cmd "CMD")`)
  if (flags.retryInconclusive > 0) throw new FakeFluentdError('FF_ERR_OPTION', '--retry-inconclusive does not apply to --protocol forward (no forward scenario is timed)')
  if (flags.senderCmd === undefined || flags.senderCmd.trim() === '') throw new FakeFluentdError('FF_ERR_OPTION', '--protocol forward needs the client under test as --sender-cmd "CMD" (docs/forward.md "Conformance for forward clients")')
  if (flags.profile === undefined) throw new FakeFluentdError('FF_ERR_OPTION', '--protocol forward needs --profile: a forward client profile (e.g. fluent-logger, or a path to a JSON file; schemas/forward-profile.schema.json)')
  for (const [flag, file] of [['--junit', flags.junit], ['--json', flags.json], ['--html', flags.html]] as const) if (file !== undefined) checkReportPath(flag, file)
  checkSenderCommand(flags.senderCmd)
  selectForwardScenarios(flags.scenarios)
  const profile = profileFlag(loadForwardProfile, flags.profile)
  const report = await runForwardConformance({ adapter: forwardCommandClient(flags.senderCmd, profile), senderLabel: `command: ${flags.senderCmd}`, profile, scenarios: flags.scenarios, onProgress: progressPrinter(flags.quiet === true) })
  await finish(report, flags)
}

function senderSpec(flags: ConformanceFlags): SenderSpec {
  const given = [flags.sender !== undefined, flags.senderCmd !== undefined, flags.senderUrl !== undefined].filter(Boolean).length
  if (given !== 1) {
    throw new FakeFluentdError('FF_ERR_OPTION', 'give exactly one sender: --sender builtin, --sender-cmd "CMD" or --sender-url URL')
  }
  if (flags.sender !== undefined) {
    if (flags.sender !== 'builtin') throw new FakeFluentdError('FF_ERR_OPTION', `--sender takes only "builtin" (got "${flags.sender}"); use --sender-cmd or --sender-url for others`)
    return { kind: 'builtin' }
  }
  if (flags.senderCmd !== undefined) {
    if (flags.senderCmd.trim() === '') throw new FakeFluentdError('FF_ERR_OPTION', '--sender-cmd needs a command line')
    return { kind: 'command', command: flags.senderCmd }
  }
  let url: URL
  try {
    url = new URL(flags.senderUrl!)
  } catch {
    throw new FakeFluentdError('FF_ERR_OPTION', `--sender-url must be an http(s) URL, got "${flags.senderUrl}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FakeFluentdError('FF_ERR_OPTION', `--sender-url must be an http(s) URL, got "${flags.senderUrl}"`)
  return { kind: 'url', url: url.toString() }
}

async function printList(pattern: string | undefined, profile: RetryProfile | undefined, timeScale: number | undefined): Promise<void> {
  const { listScenarios, selectScenarios } = await import('../../conformance/index.js')
  const ids = new Set(selectScenarios(pattern).map((s) => s.id))
  const rows = listScenarios(profile, timeScale).filter((s) => ids.has(s.id))
  const w = Math.max(...rows.map((r) => r.id.length))
  const secs = (ms: number | null): string => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(1)} s`)
  for (const r of rows) console.log(`${r.id.padEnd(w)}  x${String(Number(r.defaultTimeScale.toPrecision(4))).padEnd(6)}  ${secs(r.estimateMs).padStart(7)}  ${r.title}${r.pins.length ? ` [pins: ${r.pins.join(', ')}]` : ''}`)
  console.log(`\n${rows.length} scenario(s): time scale, time each takes against a correct sender (scenarios run in parallel), title and the profile rules it pins.`)
}

/** Live progress on stderr: one line per scenario start/end, attempts and waits when on a TTY. */
function progressPrinter(quiet: boolean): (e: ProgressEvent) => void {
  const tty = process.stderr.isTTY === true
  const write = (line: string): void => {
    process.stderr.write(`${line}\n`)
  }
  return (e) => {
    if (quiet) return
    switch (e.type) {
      case 'scenario-start':
        write(`  … ${e.id} (x${e.timeScale}, deadline ${(e.deadlineMs / 1000).toFixed(1)} s)`)
        return
      case 'attempt':
        if (tty) write(`    ${e.id}: entry #${e.entryId} ${e.kind}${e.status !== undefined ? ` ${e.status}` : ''} ${e.outcome} (${e.attemptsSeen} seen)`)
        return
      case 'waiting':
        if (tty) write(`    ${e.id}: waiting for ${e.waitingFor}${e.nextExpectedInMs !== undefined ? `, expected in ~${e.nextExpectedInMs} ms` : ''}`)
        return
      case 'scenario-end': {
        const mark = e.status === 'passed' ? 'PASS' : e.status === 'skipped' ? 'SKIP' : e.status === 'error' ? 'ERR ' : e.status === 'inconclusive' ? 'INCO' : 'FAIL'
        write(`${mark} ${e.id} (${(e.durationMs / 1000).toFixed(1)} s${e.startupMs !== undefined ? `, sender start-up ${(e.startupMs / 1000).toFixed(1)} s` : ''})${e.status === 'skipped' && e.message ? ` ${e.message}` : ''}`)
        return
      }
      case 'scenario-blocked':
        write(`BLKD ${e.id}: blocked by ${e.blockedBy.join(', ')} (rule ${e.rule}; that scenario carries the failure)`)
        return
    }
  }
}

function printSummary(report: ConformanceReport): void {
  for (const r of report.results.filter((x) => x.status === 'failed' || x.status === 'blocked' || x.status === 'error' || x.status === 'inconclusive')) {
    console.log(`\n${r.status.toUpperCase()} ${r.id}: ${r.title}`)
    console.log((r.message ?? '').replace(/^/gm, '  '))
  }
  const t = report.totals
  console.log(
    `\n${t.passed} passed, ${t.failed} failed, ${t.blocked} blocked, ${t.inconclusive} inconclusive, ${t.errors} error(s), ${t.skipped} skipped of ${t.total} in ${(report.durationMs / 1000).toFixed(1)} s (sender ${report.sender}, profile ${report.profile})`,
  )
  console.log(`precision: ${report.precision}`)
}

function writeReport(file: string, text: string, what: string): void {
  try {
    writeFileSync(file, text)
  } catch (err) {
    throw new FakeFluentdError('FF_ERR_INPUT', `cannot write the ${what} report to ${file}: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Registers `fake-fluentd conformance`. */
export function registerConformance(program: Command): void {
  program
    .command('conformance')
    .description('drive a sender through the conformance scenarios and report (exit 0 all passed, 1 any failed/blocked/inconclusive, 2 usage/setup error)')
    .option('--sender <builtin>', 'the reference sender, in process')
    .option('--sender-cmd <cmd>', 'a sender-contract command, started per scenario (settings in the env, deliveries as NDJSON on stdin)')
    .option('--sender-url <url>', 'a running sender that takes POST {settings, notifications, batch} per delivery')
    .option('--scenarios <pattern>', 'ids, globs or families, comma-separated; !x excludes (default: all)', scenariosArg)
    .option('--list', 'list the scenarios (with --scenarios: the matching ones) and exit')
    .option('--protocol <http|forward>', 'what the sender speaks: http (in_http senders) or forward (forward-protocol clients, given as --sender-cmd)', protocolArg, 'http')
    .option('--profile <wallarm|file>', 'retry profile to judge against (the builtin sender runs it too; default wallarm); with --protocol forward, a forward client profile (required)')
    .option('--time-scale <k>', 'real-time factor for every scenario (default: each scenario\'s own)', positive)
    .option('--tolerance-ms <ms>', 'late-side base slack of measured times, ms, before the measured runner lag is added (default 6)', nonNegative)
    .option('--tolerance-rel <fraction>', 'extra slack as a fraction of each expected time (default 0.005)', nonNegative)
    .option('--concurrency <n>', 'scenarios at once, 1 to 8, longest first (default: 3 x CPUs, at least 2, at most 8)', wholeNumberArg(1, 8))
    .option('--startup-timeout <duration>', 'longest a sender may take to start (its ready event or first attempt); start-up is not judged (default 60s)', durationArg())
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json <file>', 'write the JSON report')
    .option('--html <file>', 'write a self-contained HTML report')
    .option('--cert-dir <dir>', 'certificate cache directory (default: fake-fluentd/certs in the user cache directory, $XDG_CACHE_HOME or ~/.cache)', pathArg)
    .option('--retry-inconclusive <n>', 'measure scenarios that could not be judged up to n more times (0 to 5); failed ones are never run again, and the report says which were re-measured', wholeNumberArg(0, 5), 0)
    .option('--quiet', 'no progress lines')
    .action(async (flags: ConformanceFlags) => {
      if (flags.protocol === 'forward') return runForward(flags)
      if (flags.list) {
        const { loadProfile } = await import('../../profile/index.js')
        await printList(flags.scenarios, profileFlag(loadProfile, flags.profile ?? 'wallarm'), flags.timeScale)
        return
      }
      const sender = senderSpec(flags)
      for (const [flag, file] of [['--junit', flags.junit], ['--json', flags.json], ['--html', flags.html]] as const) if (file !== undefined) checkReportPath(flag, file)
      if (sender.kind === 'command') checkSenderCommand(sender.command)
      if (sender.kind === 'url') await checkSenderUrl(new URL(sender.url))
      // Imported here, after the flags are checked, so that other commands and --help do not load the runner.
      const [{ listScenarios, runConformance, selectScenarios }, { loadProfile }] = await Promise.all([
        import('../../conformance/index.js'),
        import('../../profile/index.js'),
      ])
      const profile = profileFlag(loadProfile, flags.profile ?? 'wallarm')
      const scenarios = selectScenarios(flags.scenarios)
      if (flags.timeScale !== undefined) {
        const ids = new Set(scenarios.map((s) => s.id))
        const squeezed = tooSqueezed(listScenarios(profile).filter((s) => ids.has(s.id)), flags.timeScale)
        if (squeezed.length > 0) {
          const names = squeezed.map((s) => `${s.id} (x${s.defaultTimeScale})`).join(', ')
          console.error(`fake-fluentd: warning: --time-scale ${flags.timeScale} is below the scale ${names} need${squeezed.length === 1 ? 's' : ''} to be judged; expect inconclusive results. Leave --time-scale out to run each scenario at its own scale.`)
        }
      }
      const run = (selected: typeof scenarios): Promise<ConformanceReport> =>
        runConformance({
          sender,
          scenarios: selected,
          profile,
          timeScale: flags.timeScale,
          tolerance: { ...(flags.toleranceMs !== undefined ? { absMs: flags.toleranceMs } : {}), ...(flags.toleranceRel !== undefined ? { rel: flags.toleranceRel } : {}) },
          concurrency: flags.concurrency,
          ...(flags.startupTimeout !== undefined ? { startupTimeoutMs: flags.startupTimeout } : {}),
          certDir: flags.certDir,
          onProgress: progressPrinter(flags.quiet === true),
        })
      let report = await run(scenarios)
      if (flags.retryInconclusive > 0) {
        const { retryInconclusive } = await import('../conformance-retry.js')
        report = await retryInconclusive(report, flags.retryInconclusive, (ids) => run(scenarios.filter((s) => ids.includes(s.id))), (line) => console.error(line))
      }
      await finish(report, flags)
    })
}

/** Writes the report files, prints the summary and sets the exit status (both protocols). */
async function finish(report: ConformanceReport, flags: ConformanceFlags): Promise<void> {
  const { renderHtmlReport, renderJson, renderJunit } = await import('../../conformance/index.js')
  if (flags.junit) writeReport(flags.junit, renderJunit(report), 'JUnit')
  if (flags.json) writeReport(flags.json, renderJson(report), 'JSON')
  if (flags.html) writeReport(flags.html, renderHtmlReport(report), 'HTML')
  printSummary(report)
  // Inconclusive is never a pass.
  process.exitCode = report.totals.failed + report.totals.blocked + report.totals.errors + report.totals.inconclusive > 0 ? 1 : 0
}
