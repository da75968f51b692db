/**
 * Options and handle of the fake Fluentd receiver (`startReceiver`).
 * @see README.md "Commands" (serve)
 */
import type { Clock } from '../clock/index.js'
import type { FaultEngine } from '../faults/index.js'
import type { Journal } from '../journal/index.js'
import type { Validator, ValidationMode } from '../validation/index.js'
import type { AdminMount, AdminSettings } from '../admin/index.js'
import type { FluentdLog } from './fluentd-log.js'

/**
 * TLS protocol versions offered: `1.2` = TLS 1.2 only (Fluentd's `<transport tls>` default, the
 * default here for parity: a sender that only speaks TLS 1.3 fails against a real Fluentd too),
 * `1.3` = TLS 1.3 only, `1.2+` = TLS 1.2 and 1.3.
 */
export type TlsVersionOption = '1.2' | '1.3' | '1.2+'

/** How a front end prints what the receiver saw (the CLI's printer): events as Fluentd's stdout, entries as JSON, or nothing. */
export type OutputMode = 'fluentd' | 'json' | 'none'

export const OUTPUT_MODES: readonly OutputMode[] = ['fluentd', 'json', 'none']

export const TLS_VERSION_OPTIONS: readonly TlsVersionOption[] = ['1.2', '1.3', '1.2+']

/** Fluentd's default `body_size_limit`: 32 MiB. */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024

/** Most bytes of a request head (request line and headers): node's default `maxHeaderSize`. */
export const DEFAULT_MAX_HEADER_SIZE = 16 * 1024

/** Fluentd's `keepalive_timeout`: idle keep-alive connections are closed after 10 s. */
export const DEFAULT_KEEPALIVE_TIMEOUT_MS = 10_000

/**
 * Idle timeout of a connection that waits on the client (a TLS handshake, request headers or body that
 * stop arriving, an idle keep-alive connection): reset after this long without a byte, as Fluentd's
 * `keepalive_timeout` (10 s). Exchanges held by a fault (hang, delay, slow body) are not cut.
 */
export const DEFAULT_IDLE_TIMEOUT_MS = 10_000

/**
 * Deadline for a request's head: the TLS handshake (on a new connection) and the request line and
 * headers must be complete this long after their first byte, or the connection is reset. Catches
 * clients that dribble bytes just often enough to never be idle. Fluentd has no such limit.
 */
export const DEFAULT_HEADER_TIMEOUT_MS = 20_000

/** Deadline for a request's body, from the end of its headers (a 32 MiB body at 1 Mbit/s takes ~270 s). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000

/**
 * Client connections open at once on the ingest port; beyond it new connections are reset at once
 * (and journaled), so a connection flood cannot exhaust file descriptors (the admin API keeps its own).
 */
export const DEFAULT_MAX_CONNECTIONS = 1000

/** Request bodies kept in memory per journal entry (the file holds the same truncated text). */
export const DEFAULT_JOURNAL_BODY_MAX = 64 * 1024

export interface TlsOptions {
  /** Server certificate (PEM). */
  cert: string
  /** Server key (PEM). */
  key: string
  /** CA certificate clients should trust (PEM), returned as `ca` by startReceiver. */
  ca?: string
  /** Path of the CA file, returned as `caPath`. */
  caPath?: string
}

export interface ReceiverOptions {
  /** Ingest port; 0 picks a free one. Default 9880. */
  port?: number
  /** Ingest address. Default 127.0.0.1. */
  host?: string
  /**
   * TLS: `false` for plain HTTP; an object with cert/key (PEM); or `true`/undefined to use the
   * generated CA + server certificate cached in `certDir`.
   */
  tls?: boolean | TlsOptions
  /** Cache directory for generated certificates. Default `certs` (relative to the working directory). */
  certDir?: string
  /** Extra SANs for generated certificates. */
  hosts?: readonly string[]
  /** TLS versions offered. Default '1.2' (as Fluentd). */
  tlsVersion?: TlsVersionOption
  /** Maximum body in bytes (exactly this many is accepted). Default 32 MiB. */
  bodyLimit?: number
  /** Most bytes a gzip/deflate body may inflate to; default the body limit (413 beyond). */
  inflateLimit?: number
  /** Most records (array elements, NDJSON lines, msgpack values) in one request; default 10,000 (413 beyond). */
  maxRecords?: number
  /** Largest single record, bytes; default 1 MiB (413 beyond). */
  maxRecordSize?: number
  /** Most nesting levels of a record, 1 to MAX_RECORD_DEPTH (1000); deeper values are dropped as invalid. Default 1000. */
  maxRecordDepth?: number
  /** Answer 400 where Fluentd silently drops input (invalid JSON, non-objects, nothing parsed). Default false. */
  strictParse?: boolean
  /** Status of a successful answer: 200 (Fluentd's default) or 204 (`use_204_response`). */
  successStatus?: 200 | 204
  /** What ends a delivery (its attempts' numbering, src/deliveries): default any 2xx. */
  isDeliverySuccess?: (status: number) => boolean
  /** Memory budget of the per-delivery attempt state, estimated bytes (oldest dropped first). Default 16 MiB. */
  deliveryStateBytes?: number
  /** `Name: value` the request must carry, else 401 (the integration's custom headers); a list: all of them. */
  requireHeader?: string | readonly string[]
  /** Schema validator; without one no verdicts are made. */
  validator?: Validator
  /** `off` skips, `warn` records (default), `strict` also answers 400 to an invalid notification. */
  validate?: ValidationMode
  /**
   * Fault engine (e.g. `createFaultEngine({ plan })`). Undefined: one with an empty plan is created
   * (the receiver behaves as Fluentd until `PUT /api/faults` loads a plan); `false`: no faults at all.
   */
  faults?: FaultEngine | false
  /** Seed for a fault engine created by the receiver. */
  seed?: number
  /** Journal to record into; default: a new one with `journalMax`/`journalFile`. */
  journal?: Journal
  /** Entries kept in memory. Default 10000. */
  journalMax?: number
  /** Memory budget of the entries in memory, estimated bytes. Default 64 MiB. */
  journalMaxBytes?: number
  /** NDJSON file settled entries are appended to. */
  journalFile?: string
  /** Bytes of each body kept in the journal. Default 64 KiB. */
  journalBodyMax?: number
  /** Idle keep-alive timeout. Default 10 s (Fluentd). */
  keepAliveTimeoutMs?: number
  /**
   * Reset a connection that sends no byte for this long while we wait on it (handshake, headers,
   * body): slowloris and silent clients. Default 10 s (Fluentd's keepalive_timeout); 0 = never.
   */
  idleTimeoutMs?: number
  /** Deadline of the handshake and request head from their first byte, ms; 0 = none. Default 20 s. */
  headerTimeoutMs?: number
  /** Deadline of a request body from the end of its headers, ms; 0 = none. Default 300 s. */
  requestTimeoutMs?: number
  /** Client connections open at once; new ones beyond it are reset. Default 1000. */
  maxConnections?: number
  /** Most bytes of a request head; beyond it the connection is reset (HPE_HEADER_OVERFLOW). Default 16 KiB. */
  maxHeaderSize?: number
  /** Close answers that end the connection with a TCP RST as Fluentd (linger 0). Default true. */
  resetOnClose?: boolean
  /** Admin API port: a number (0 = any free port) or `false`/undefined for none. */
  adminPort?: number | false
  /** Admin address. Default 127.0.0.1. */
  adminHost?: string
  /** Extra routes on the admin app (e.g. the web page at `GET /`). */
  adminMount?: AdminMount
  /** Who may use the admin API (extra Host names, a token) and the bounds of its stream. Protected by default. */
  adminSettings?: AdminSettings
  clock?: Clock
  /** Called with unexpected internal errors that were contained (never thrown to the caller). */
  onError?: (err: unknown) => void
  /**
   * Processes that receive on the ingest port (node:cluster; docs/design.md "Beyond one core").
   * Default 1: this process. Above 1 this process keeps the journal, the admin API and the forward
   * listener, and runs no fault engine (`faults` must be left out or false).
   */
  workers?: number
}

/** A running receiver. */
export interface Receiver {
  /** Ingest URL, e.g. `https://127.0.0.1:9880`. */
  url: string
  port: number
  host: string
  protocol: 'https' | 'http'
  /** Admin base URL when the admin API runs. */
  adminUrl?: string
  adminPort?: number
  /** CA file path clients should trust (generated or given). */
  caPath?: string
  /** CA certificate PEM (for undici `connect: { ca }`). */
  ca?: string
  journal: Journal
  /** The fault engine in use, if any. */
  faults?: FaultEngine
  /** True while a refuse fault keeps the ingest port closed. */
  readonly refusing: boolean
  /** Fluentd's own log lines as typed events (the CLI prints them under `--output fluentd`). */
  log: Pick<FluentdLog, 'subscribe'>
  /** Stops everything: listeners, every socket (hung and mid-handshake included), timers, admin, journal file. */
  close(): Promise<void>
}
