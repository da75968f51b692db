/**
 * `serve`'s forward flags (`--forward-port` and the rest): in_forward's options, the listener's
 * limits and the forward faults (`--forward-fault`, and the `forward` key of the `--faults` file).
 * Kept out of serve.ts so that command only adds them and passes the result on.
 * @see README.md "Forward protocol"
 */
import { readFile } from 'node:fs/promises'
import { InvalidArgumentError, type Command } from 'commander'
import { FakeFluentdError } from '../errors.js'
import {
  DEFAULT_FORWARD_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_FORWARD_MAX_CONNECTIONS,
  DEFAULT_FORWARD_MAX_DEPTH,
  DEFAULT_FORWARD_MAX_MESSAGE,
  DEFAULT_FORWARD_MESSAGE_TIMEOUT_MS,
  parseForwardShorthand,
  validateForwardRules,
  type ForwardFaultRule,
  type ForwardOptions,
  type ForwardUser,
} from '../forward/index.js'
import { durationArg, durationText, portArg, sizeArg, sizeText, wholeNumberArg, withDefault } from './flag-values.js'

export interface ForwardFlags {
  forwardPort?: number
  forwardBind?: string
  forwardTls: boolean
  forwardSharedKey?: string
  forwardSelfHostname: string
  forwardUser: ForwardUser[]
  forwardSkipInvalidEvent: boolean
  forwardSourceAddressKey?: string
  forwardSourceHostnameKey?: string
  forwardChunkSizeLimit?: number
  forwardChunkSizeWarnLimit?: number
  forwardMaxMessage: number
  forwardMaxDepth: number
  forwardInflateLimit?: number
  forwardMessageTimeout: number
  forwardHandshakeTimeout: number
  forwardMaxConnections: number
  forwardFault: string[]
}

const port = portArg
const size = sizeArg({ min: 1 })
const whole = wholeNumberArg(1, 1_000_000)
const duration = durationArg({ zeroIsNever: true })

function user(text: string, previous: ForwardUser[]): ForwardUser[] {
  const at = text.indexOf(':')
  if (at < 1) throw new InvalidArgumentError('use NAME:PASSWORD.')
  return [...previous, { username: text.slice(0, at), password: text.slice(at + 1) }]
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

/** Adds the forward flags to `serve`. */
export function addForwardFlags(cmd: Command): void {
  cmd
    .option('--forward-port <port>', `also listen for Fluentd's forward protocol (in_forward) on this TCP port, with the UDP heartbeat on the same port (0 or any = a free port; Fluentd's is 24224); default off`, port)
    .option('--forward-bind <address>', 'forward listener address (default: --bind)')
    .option('--forward-tls', "TLS on the forward port with serve's certificate (in_forward's <transport tls>); default plain TCP as in_forward", false)
    .option('--forward-shared-key <key>', 'require the <security> handshake (HELO/PING/PONG) with this shared_key')
    .option('--forward-self-hostname <name>', 'self_hostname sent in the PONG', 'fake-fluentd')
    .option('--forward-user <name:password>', 'with --forward-shared-key: user_auth with this user (repeatable)', user, [])
    .option('--forward-skip-invalid-event', "in_forward's skip_invalid_event", false)
    .option('--forward-source-address-key <key>', "in_forward's source_address_key: add the client's address to each record")
    .option('--forward-source-hostname-key <key>', "in_forward's source_hostname_key: add the client's resolved host name to each record")
    .option('--forward-chunk-size-limit <size>', "in_forward's chunk_size_limit: drop bigger messages without an ack (default none)", size)
    .option('--forward-chunk-size-warn-limit <size>', "in_forward's chunk_size_warn_limit: log bigger messages (default none)", size)
    .addOption(withDefault('--forward-max-message <size>', 'most bytes of one message on the wire; the connection is closed beyond', size, DEFAULT_FORWARD_MAX_MESSAGE, sizeText(DEFAULT_FORWARD_MAX_MESSAGE)))
    .option('--forward-max-depth <n>', 'most nesting levels of arrays and maps in a message; the connection is closed beyond', whole, DEFAULT_FORWARD_MAX_DEPTH)
    .option('--forward-inflate-limit <size>', 'most bytes CompressedPackedForward entries inflate to (default: --forward-max-message)', size)
    .addOption(withDefault('--forward-message-timeout <duration>', 'reset a connection whose message is not complete this long after its first byte; 0 = never', duration, DEFAULT_FORWARD_MESSAGE_TIMEOUT_MS, durationText(DEFAULT_FORWARD_MESSAGE_TIMEOUT_MS)))
    .addOption(withDefault('--forward-handshake-timeout <duration>', 'with --forward-shared-key: reset a connection that sends no PING this long after the HELO; 0 = never', duration, DEFAULT_FORWARD_HANDSHAKE_TIMEOUT_MS, durationText(DEFAULT_FORWARD_HANDSHAKE_TIMEOUT_MS)))
    .option('--forward-max-connections <n>', 'forward connections open at once; new ones beyond it are reset', whole, DEFAULT_FORWARD_MAX_CONNECTIONS)
    .option('--forward-fault <spec>', 'forward fault shorthand, e.g. "withhold-ack x2,ack", "ack-late=2s", "refuse-key" (repeatable)', collect, [])
}

async function planFileRules(file: string, tagPatternMax: number): Promise<ForwardFaultRule[]> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new FakeFluentdError('FF_ERR_FAULT_SPEC', `--faults ${file}: ${(err as Error).message}`, { cause: err })
  }
  const rules = (json as { forward?: unknown } | null)?.forward
  return rules === undefined ? [] : validateForwardRules(rules, tagPatternMax)
}

/**
 * The forward listener's options from the flags, or undefined when --forward-port is not given.
 * `tagPatternMax` is `--fault-tag-pattern-max`, which bounds the forward rules' tag patterns too.
 */
export async function forwardOptionsFrom(flags: ForwardFlags & { bind: string; faults?: string }, tagPatternMax: number): Promise<ForwardOptions | undefined> {
  if (flags.forwardPort === undefined) {
    const given = flags.forwardFault.length > 0 || flags.forwardSharedKey !== undefined || flags.forwardTls
    if (given) throw new FakeFluentdError('FF_ERR_OPTION', 'forward flags need --forward-port (the forward listener is off without it).')
    return undefined
  }
  if (flags.forwardUser.length > 0 && flags.forwardSharedKey === undefined) throw new FakeFluentdError('FF_ERR_OPTION', '--forward-user needs --forward-shared-key (user_auth is part of the <security> handshake).')
  const faults = [...(flags.faults !== undefined ? await planFileRules(flags.faults, tagPatternMax) : []), ...parseForwardShorthand(flags.forwardFault)]
  return {
    port: flags.forwardPort,
    host: flags.forwardBind ?? flags.bind,
    ...(flags.forwardTls ? { tls: true as const } : {}),
    ...(flags.forwardSharedKey !== undefined
      ? { security: { sharedKey: flags.forwardSharedKey, selfHostname: flags.forwardSelfHostname, ...(flags.forwardUser.length > 0 ? { users: flags.forwardUser } : {}) } }
      : {}),
    skipInvalidEvent: flags.forwardSkipInvalidEvent,
    sourceAddressKey: flags.forwardSourceAddressKey,
    sourceHostnameKey: flags.forwardSourceHostnameKey,
    chunkSizeLimit: flags.forwardChunkSizeLimit,
    chunkSizeWarnLimit: flags.forwardChunkSizeWarnLimit,
    maxMessageBytes: flags.forwardMaxMessage,
    maxDepth: flags.forwardMaxDepth,
    inflateLimit: flags.forwardInflateLimit,
    messageTimeoutMs: flags.forwardMessageTimeout,
    handshakeTimeoutMs: flags.forwardHandshakeTimeout,
    maxConnections: flags.forwardMaxConnections,
    faults,
    tagPatternMax,
  }
}
