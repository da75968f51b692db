import { closeSync, openSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { InvalidArgumentError, Option, type Command } from 'commander'
import { adminTokenFor } from '../../admin/index.js'
import { DEFAULT_CERT_DIR } from '../../certs/index.js'
import { addAdminFlags, adminSettingsFrom, type AdminFlags } from '../admin-flags.js'
import { FakeFluentdError } from '../../errors.js'
import { parseHeaderLine } from '../../text/index.js'
import { parseSeed, type FaultEngine } from '../../faults/index.js'
import { DEFAULT_DELIVERY_STATE_BYTES } from '../../deliveries/index.js'
import { DEFAULT_JOURNAL_MAX, DEFAULT_JOURNAL_MAX_BYTES } from '../../journal/index.js'
import { MAX_WORKERS, DEFAULT_BODY_LIMIT, DEFAULT_HEADER_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_JOURNAL_BODY_MAX, DEFAULT_KEEPALIVE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_RECORD_SIZE, DEFAULT_MAX_RECORDS, DEFAULT_REQUEST_TIMEOUT_MS, MAX_RECORD_DEPTH, OUTPUT_MODES, TLS_VERSION_OPTIONS, type OutputMode, type ReceiverOptions, type TlsVersionOption } from '../../receiver/index.js'
import type { ValidationMode, Validator } from '../../validation/index.js'
import { bindArg, hostArg } from '../bind-arg.js'
import { addFaultLimitFlags, planLimitsFrom } from '../fault-limit-flags.js'
import { addForwardFlags, forwardOptionsFrom, type ForwardFlags } from '../forward-flags.js'
import { adminPortArg, durationArg, durationText, pathArg, portArg, sizeArg, sizeText, wholeNumberArg, withDefault } from '../flag-values.js'
import { checkResolves, checkServeFlags } from '../serve-checks.js'
import { addEnvVars, applyConfigFile } from '../serve-config.js'

interface ServeFlags extends AdminFlags, ForwardFlags {
  port: number
  bind: string
  tls: boolean
  certDir: string
  cert?: string
  key?: string
  ca?: string
  host: string[]
  tlsVersion: TlsVersionOption
  adminPort: number | false
  adminBind: string
  journal?: string
  journalMax: number
  journalMaxBytes: number
  journalBodyMax: number
  deliveryStateMax: number
  requireHeader: string[]
  validate: ValidationMode
  output: OutputMode
  bodyLimit: number
  inflateLimit?: number
  maxRecords: number
  maxRecordSize: number
  idleTimeout: number
  keepAliveTimeout: number
  maxRecordDepth: number
  maxHeaderSize: number
  headerTimeout: number
  requestTimeout: number
  maxConnections: number
  strictParse: boolean
  use204: boolean
  seed?: number
  fault: string[]
  faults?: string
  workers: number
}

/** Most entries kept in memory: the ring is allocated whole, so a huge count would fail to allocate. */
const MAX_JOURNAL_ENTRIES = 1_000_000

const wholeNumber = wholeNumberArg(1, 1_000_000_000)
const timeout = durationArg({ zeroIsNever: true })


function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** Every --require-header given (all of them are required). */
function requiredHeader(text: string, previous: string[]): string[] {
  if (!parseHeaderLine(text)) throw new InvalidArgumentError('use "Name: value".')
  return [...previous, text]
}

async function buildFaultEngine(flags: ServeFlags): Promise<FaultEngine> {
  const { createFaultEngine, faultPlanFromFlags, faultPlanWarnings } = await import('../../faults/index.js')
  const limits = planLimitsFrom(flags)
  const plan = await faultPlanFromFlags({ fault: flags.fault, faults: flags.faults, seed: flags.seed, limits })
  if (flags.faults !== undefined && flags.fault.length > 0) console.error(`fake-fluentd: note: fault rules: the ${flags.faults} rules first, then the ${flags.fault.length} --fault rule(s); the first rule that matches a request answers it.`)
  if (plan) for (const warning of faultPlanWarnings(plan)) console.error(`fake-fluentd: warning: fault plan: ${warning}`)
  // No plan: an empty engine, without loading the plan schema (start-up time; PUT /api/faults validates later).
  return createFaultEngine(plan ? { plan, seed: plan.seed, limits } : { limits })
}

/** Registers `fake-fluentd serve`: the fake Fluentd in_http over HTTPS, its admin API and printer. */
export function registerServe(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the fake Fluentd in_http endpoint (HTTPS by default) with its admin API')
    .option('--port <port>', 'ingest port (0 or any = a free port)', portArg, 9880)
    .option('--bind <address>', 'ingest address (0.0.0.0 = every interface; the reachable URLs are printed)', bindArg, '127.0.0.1')
    .option('--no-tls', 'plain HTTP instead of HTTPS')
    .option('--cert-dir <dir>', 'where generated certificates are cached', pathArg, DEFAULT_CERT_DIR)
    .option('--cert <file>', 'your own server certificate (PEM); needs --key', pathArg)
    .option('--key <file>', 'your own server key (PEM); needs --cert', pathArg)
    .option('--ca <file>', 'with --cert/--key: the CA file to print for clients', pathArg)
    .option('--host <name>', 'extra name or IP for the generated certificate (repeatable; the CA is kept)', hostArg, [])
    .addOption(
      new Option('--tls-version <v>', 'TLS versions offered: 1.2 only (as Fluentd), 1.3 only, or 1.2+')
        .choices(TLS_VERSION_OPTIONS as string[])
        .default('1.2'),
    )
    .option('--admin-port <port>', 'admin API and web page port (0 or any = a free port, off = no admin API)', adminPortArg, 9881)
    .option('--admin-bind <address>', 'admin API address (loopback unless you expose it on purpose)', bindArg, '127.0.0.1')
  addAdminFlags(serve)
  serve
    .option('--journal <file>', 'append every settled journal entry to this NDJSON file', pathArg)
    .option('--journal-max <n>', `entries kept in memory (1 to ${MAX_JOURNAL_ENTRIES})`, wholeNumberArg(1, MAX_JOURNAL_ENTRIES), DEFAULT_JOURNAL_MAX)
    .addOption(withDefault('--journal-max-bytes <size>', 'estimated memory the in-memory entries may hold; the oldest leave memory first (the --journal file keeps everything)', sizeArg({ min: 1 }), DEFAULT_JOURNAL_MAX_BYTES, sizeText(DEFAULT_JOURNAL_MAX_BYTES)))
    .addOption(withDefault('--journal-body-max <size>', 'body text kept per journal entry (memory and file); longer bodies are cut', sizeArg(), DEFAULT_JOURNAL_BODY_MAX, sizeText(DEFAULT_JOURNAL_BODY_MAX)))
    .addOption(withDefault('--delivery-state-max <size>', 'memory for telling deliveries apart (tag and body hash per open delivery, the attempt numbering); the oldest are forgotten first', sizeArg({ min: 1024 }), DEFAULT_DELIVERY_STATE_BYTES, sizeText(DEFAULT_DELIVERY_STATE_BYTES)))
    .option('--require-header <header>', 'answer 401 unless the request carries "Name: value" (repeatable: all are required)', requiredHeader, [])
    .addOption(new Option('--validate <mode>', 'check notifications against the schemas').choices(['off', 'warn', 'strict']).default('warn'))
    .addOption(new Option('--output <mode>', 'what is printed for each request').choices(OUTPUT_MODES as string[]).default('fluentd'))
    .addOption(withDefault('--body-limit <size>', 'maximum body (bytes, or k/m/g suffix)', sizeArg(), DEFAULT_BODY_LIMIT, sizeText(DEFAULT_BODY_LIMIT)))
    .option('--inflate-limit <size>', 'most bytes a gzip/deflate body may inflate to; 413 beyond (default: the body limit)', sizeArg())
    .option('--max-records <n>', 'most records (array elements, NDJSON lines, msgpack values) in one request; 413 beyond', wholeNumber, DEFAULT_MAX_RECORDS)
    .addOption(withDefault('--max-record-size <size>', 'largest single record; 413 beyond', sizeArg({ min: 1 }), DEFAULT_MAX_RECORD_SIZE, sizeText(DEFAULT_MAX_RECORD_SIZE)))
    .addOption(new Option('--max-record-depth <n>', 'most nesting levels of a record (1 to 1000: deeper values would overflow the stack where records are serialized); a deeper one is dropped like invalid JSON').argParser(wholeNumberArg(1, MAX_RECORD_DEPTH)).default(MAX_RECORD_DEPTH))
    .addOption(withDefault('--idle-timeout <duration>', 'reset a connection that sends nothing for this long mid-handshake or mid-request (slowloris); 0 = never', timeout, DEFAULT_IDLE_TIMEOUT_MS, durationText(DEFAULT_IDLE_TIMEOUT_MS)))
    .addOption(withDefault('--max-header-size <size>', 'most bytes of a request head (request line and headers); beyond it the connection is reset and journaled (HPE_HEADER_OVERFLOW)', sizeArg({ min: 1024, max: 1024 * 1024 }), DEFAULT_MAX_HEADER_SIZE, sizeText(DEFAULT_MAX_HEADER_SIZE)))
    .addOption(withDefault('--keep-alive-timeout <duration>', "reset a keep-alive connection that sends nothing for this long between requests (Fluentd's keepalive_timeout); 0 = never", timeout, DEFAULT_KEEPALIVE_TIMEOUT_MS, durationText(DEFAULT_KEEPALIVE_TIMEOUT_MS)))
    .addOption(withDefault('--header-timeout <duration>', 'reset a connection whose TLS handshake and request headers are not complete this long after their first byte (byte dribblers); 0 = never', timeout, DEFAULT_HEADER_TIMEOUT_MS, durationText(DEFAULT_HEADER_TIMEOUT_MS)))
    .addOption(withDefault('--request-timeout <duration>', 'reset a connection whose request body is not complete this long after its headers; 0 = never', timeout, DEFAULT_REQUEST_TIMEOUT_MS, durationText(DEFAULT_REQUEST_TIMEOUT_MS)))
    .option('--max-connections <n>', 'client connections open at once on the ingest port; new ones beyond it are reset', wholeNumber, DEFAULT_MAX_CONNECTIONS)
    .option('--workers <n>', `processes that receive on the ingest port (1 to ${MAX_WORKERS}; above 1: node:cluster, one journal, no in_http fault plans)`, wholeNumberArg(1, MAX_WORKERS), 1)
    .option('--strict-parse', 'answer 400 where Fluentd silently drops input (invalid JSON, non-objects)', false)
    .option('--use-204', 'answer 204 instead of 200 on success (use_204_response)', false)
    .option('--seed <n>', 'seed for probabilistic fault steps (0 to 4294967295)', parseSeed)
    .option('--fault <spec>', 'fault shorthand, e.g. "500x3,200", "delay=16s", "hang" (repeatable; with --faults, these rules come after the file\'s)', collect, [])
    .option('--faults <file>', 'fault plan JSON file (its rules first, then any --fault rules)', pathArg)
  addFaultLimitFlags(serve)
  serve
    .option('--config <file>', 'JSON file of settings, keys as the flags in camelCase ({"idleTimeout": "10s"}; schemas/serve-config.schema.json); the command line, then FAKE_FLUENTD_* variables, win over it', pathArg)
  addForwardFlags(serve)
  serve
    .action(async (flags: ServeFlags, command: Command) => {
      checkServeFlags(flags, command)
      await checkResolves('--bind', flags.bind)
      if (flags.adminPort !== false) await checkResolves('--admin-bind', flags.adminBind)
      // The implementation is imported here, not at the top, so that other commands and --help start fast.
      const [{ certificateHostsForBind, ensureCertificates, listenerUrls, loadCertificateFiles }, { startReceiver }, { createValidator }, { mountWebPage }, { attachPrinter }] = await Promise.all([
        import('../../certs/index.js'),
        import('../../server/index.js'),
        import('../../validation/index.js'),
        import('../../web/index.js'),
        import('../receiver-printer.js'),
      ])
      // Bound beyond loopback: the host's addresses and name go into the generated certificate.
      const hosts = [...flags.host, ...certificateHostsForBind(flags.bind)]
      let tls: ReceiverOptions['tls'] = flags.tls
      if (flags.tls) {
        const set = flags.cert && flags.key ? loadCertificateFiles(flags.cert, flags.key, flags.ca) : await ensureCertificates({ certDir: resolve(flags.certDir), hosts })
        tls = { cert: set.cert, key: set.key, ca: set.ca, caPath: set.caPath }
        if (set.reissued) {
          const added = set.reissued.addedSans.length > 0 ? ` to add ${set.reissued.addedSans.join(', ')}` : ''
          process.stderr.write(`fake-fluentd: kept the CA ${set.caPath ?? ''} (clients that trust it keep working); issued a new server certificate${added}\n`)
        }
      }
      if (flags.journal !== undefined) checkJournalFile(flags.journal)
      let validator: Validator | undefined
      if (flags.validate !== 'off') validator = createValidator()
      const faults = flags.workers > 1 ? false : await buildFaultEngine(flags)
      const token = flags.adminPort === false ? undefined : adminTokenFor(flags.adminBind, flags.adminToken)
      const receiver = await startReceiver({
        port: flags.port,
        host: flags.bind,
        tls,
        certDir: resolve(flags.certDir),
        hosts,
        tlsVersion: flags.tlsVersion,
        adminPort: flags.adminPort,
        adminHost: flags.adminBind,
        // The page's TLS hints name the CA that clients should trust, as serve prints it.
        adminMount: (app) => mountWebPage(app, typeof tls === 'object' ? { caPath: tls.caPath ?? null } : {}),
        adminSettings: adminSettingsFrom(flags, token),
        journalFile: flags.journal,
        journalMax: flags.journalMax,
        journalMaxBytes: flags.journalMaxBytes,
        journalBodyMax: flags.journalBodyMax,
        deliveryStateBytes: flags.deliveryStateMax,
        requireHeader: flags.requireHeader.length > 0 ? flags.requireHeader : undefined,
        validate: flags.validate,
        validator,
        bodyLimit: flags.bodyLimit,
        inflateLimit: flags.inflateLimit,
        maxRecords: flags.maxRecords,
        maxRecordSize: flags.maxRecordSize,
        maxRecordDepth: flags.maxRecordDepth,
        idleTimeoutMs: flags.idleTimeout,
        keepAliveTimeoutMs: flags.keepAliveTimeout,
        maxHeaderSize: flags.maxHeaderSize,
        headerTimeoutMs: flags.headerTimeout,
        requestTimeoutMs: flags.requestTimeout,
        maxConnections: flags.maxConnections,
        strictParse: flags.strictParse,
        successStatus: flags.use204 ? 204 : 200,
        faults,
        forward: await forwardOptionsFrom(flags, planLimitsFrom(flags).tagPatternMax),
        seed: flags.seed,
        workers: flags.workers,
        onError: (err) => console.error(`fake-fluentd: internal error (contained): ${err instanceof Error ? err.message : String(err)}`),
      })

      const detachPrinter = attachPrinter(receiver.journal, {
        mode: flags.output,
        log: receiver.log,
        forwardLog: receiver.forward?.log,
        write: (t) => void process.stdout.write(t),
        warn: (t) => void process.stderr.write(t),
      })

      // The banner and the ready line go to stderr so stdout carries only the events (--output).
      const say = (line: string): void => void process.stderr.write(line + '\n')
      // Listening for signals before the ready line: a supervisor may signal as soon as it sees it.
      const stopped = new Promise<void>((done) => {
        let stopping = false
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) return
          stopping = true
          say(`fake-fluentd: ${signal}, stopping`)
          const force = setTimeout(() => {
            process.exitCode = 0
            done()
          }, 900)
          force.unref()
          void receiver.close().finally(() => {
            detachPrinter()
            clearTimeout(force)
            done()
          })
        }
        process.once('SIGINT', stop)
        process.once('SIGTERM', stop)
      })
      const urls = listenerUrls(receiver.protocol, flags.bind, receiver.port)
      const { attachHints } = await import('../serve-hints.js')
      attachHints(receiver.journal, { ingestUrl: urls.local, ...(receiver.caPath ? { caPath: receiver.caPath } : {}) }, (t) => void process.stderr.write(t))
      say(`fake Fluentd (in_http) listening on ${urls.local}  (POST ${urls.local}/<tag>)`)
      const others = urls.reachable.filter((u) => u !== urls.local)
      if (others.length > 0) say(`  reachable from other machines at: ${others.join(', ')}  (bound to ${flags.bind})`)
      const pageUrl = `${receiver.adminUrl ?? ''}/${token !== undefined ? `#token=${encodeURIComponent(token)}` : ''}`
      say(receiver.adminUrl ? `admin API on ${receiver.adminUrl}/api/health, web page on ${pageUrl}` : 'admin API off')
      if (token !== undefined && flags.adminToken === undefined) say(`admin token (generated, the admin API is not on loopback): ${token}  (send "Authorization: Bearer TOKEN")`)
      if (receiver.caPath) say(`CA certificate (paste into the integration's "CA certificate" field): ${receiver.caPath}`)
      else if (receiver.protocol === 'https') say('CA certificate: none given (your --cert is trusted as it is)')
      if (receiver.forward) say(`fake Fluentd (in_forward) listening on ${receiver.forward.tls ? 'tls' : 'tcp'}://${receiver.forward.host}:${receiver.forward.port}  (UDP heartbeat on the same port)`)
      if (flags.journal) say(`journal file: ${resolve(flags.journal)}`)
      if (flags.workers > 1) {
        say(`${flags.workers} workers receive on the ingest port; this process (pid ${process.pid}) keeps the journal and the admin API`)
        // Measured on 2 cores (README "Performance"): workers, primary and load generator then take
        // turns on the same cores and throughput drops below one process's.
        const cores = availableParallelism()
        if (flags.workers + 1 >= cores) say(`note: --workers ${flags.workers} on ${cores} cores: the workers, this process and any load generator share them, which is slower than --workers 1; use it where cores are to spare (README "Performance")`)
      }
      if (startedByNpx()) {
        // npx runs us under `sh -c`, which keeps a signal sent to npm alone from reaching us.
        say('note: started through npx: a supervisor that signals only the npm process will not stop this server; run node_modules/.bin/fake-fluentd serve (or `exec` it) instead (README "Stopping serve")')
      }
      say(`fake-fluentd ready ingest=${urls.local} admin=${receiver.adminUrl ?? 'off'} ca=${receiver.caPath ?? 'none'}`)

      await stopped
    })
  // Every flag also from FAKE_FLUENTD_<FLAG>; --config fills in what neither the command line nor
  // the environment set (serve-config.ts). Last, so that every flag registered above has its variable.
  addEnvVars(serve)
  serve.hook('preAction', (command) => {
    const file = command.getOptionValue('config') as string | undefined
    if (file !== undefined) applyConfigFile(command, file)
  })
}

/**
 * True when npx (npm exec) started us through its shell, where a signal sent to npm alone never
 * reaches us. On Linux the parent must be that shell (a child of a process started under npx
 * inherits npm_command too); elsewhere the environment alone decides.
 */
function startedByNpx(): boolean {
  if (process.env.npm_command !== 'exec' || process.stdin.isTTY || process.platform === 'win32') return false
  try {
    return /^(sh|dash|bash|zsh)$/.test(readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim())
  } catch {
    return true
  }
}

/** --journal must be a file we can append to; checked before anything listens, naming the flag. */
function checkJournalFile(file: string): void {
  try {
    closeSync(openSync(file, 'a'))
  } catch (err) {
    throw new FakeFluentdError('FF_ERR_OPTION', `--journal ${file}: cannot append to it (${(err as NodeJS.ErrnoException).code ?? 'error'}); give a writable file path.`)
  }
}
