/**
 * Options, defaults and handle of the forward listener (`serve --forward-port`).
 * @see README.md "Forward protocol" and "Limits"
 */
import type { Clock } from '../clock/index.js'
import type { Journal } from '../journal/index.js'
import type { ForwardFaultRule } from './faults.js'
import type { SecuritySettings } from './handshake.js'
import type { ForwardLog } from './log.js'

/** Most bytes of one forward message on the wire (Fluentd has no such bound; out_forward's default chunk limit is 8 MiB). */
export const DEFAULT_FORWARD_MAX_MESSAGE = 32 * 1024 * 1024

/** Most nesting levels of arrays and maps in a message (or in one packed event). */
export const DEFAULT_FORWARD_MAX_DEPTH = 1000

/** A message whose first byte arrived must be complete this long after it, or the connection is reset (slow dribblers). */
export const DEFAULT_FORWARD_MESSAGE_TIMEOUT_MS = 60_000

/** With a shared key: the PING must arrive this long after the HELO, or the connection is reset. */
export const DEFAULT_FORWARD_HANDSHAKE_TIMEOUT_MS = 10_000

/** Forward connections open at once; new ones beyond it are reset. */
export const DEFAULT_FORWARD_MAX_CONNECTIONS = 1000

/** Fluentd's in_forward port. */
export const FLUENTD_FORWARD_PORT = 24224

export interface ForwardOptions {
  /** TCP (and UDP heartbeat) port; 0 = a free port (the UDP socket takes the same number). */
  port: number
  host?: string
  /**
   * TLS on the TCP port with this certificate and key (in_forward's `<transport tls>`); default plain
   * TCP. `true` (startReceiver only): the certificate in_http uses.
   */
  tls?: { cert: string; key: string } | true
  /** in_forward's `<security>`: shared key handshake (HELO/PING/PONG), with users when given. */
  security?: SecuritySettings
  skipInvalidEvent?: boolean
  sourceAddressKey?: string
  sourceHostnameKey?: string
  /** Fluentd's chunk_size_limit (bytes): bigger messages are dropped without an ack. */
  chunkSizeLimit?: number
  /** Fluentd's chunk_size_warn_limit (bytes): bigger messages are logged. */
  chunkSizeWarnLimit?: number
  maxMessageBytes?: number
  maxDepth?: number
  /** Most bytes CompressedPackedForward entries inflate to; default maxMessageBytes. */
  inflateLimit?: number
  messageTimeoutMs?: number
  handshakeTimeoutMs?: number
  maxConnections?: number
  faults?: readonly ForwardFaultRule[]
  /** Longest tag pattern of a forward fault rule (`--fault-tag-pattern-max`); default 256. */
  tagPatternMax?: number
}

export interface ForwardParts {
  journal: Journal
  clock: Clock
  /** Contained internal errors (never thrown into the socket handlers). */
  onError?: (err: unknown) => void
}

export interface ForwardServer {
  readonly port: number
  readonly host: string
  readonly tls: boolean
  readonly log: ForwardLog
  /** Open TCP connections. */
  readonly connections: number
  close(): Promise<void>
}
