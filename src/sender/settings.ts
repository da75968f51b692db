/**
 * Integration settings: what a Wallarm Fluentd integration card holds (URL, method, headers, CA,
 * TLS verification, timeouts, data format), plus the time scale. Also their form as environment
 * variables of the sender contract (docs/sender-contract.md).
 */
import { ErrorCodes, FakeFluentdError } from '../errors.js'

/** Body framing: `json` = one JSON array per request (default); `ndjson` = one JSON object per line. */
export type BodyFormat = 'json' | 'ndjson'

/** HTTP method of the integration (POST by default). */
export type IntegrationMethod = 'POST' | 'PUT'

/** The settings of one integration. Timeouts are at time scale 1; the sender scales them. */
export interface IntegrationSettings {
  /** Target URL (https:// normally; http:// accepted for local tests). */
  url: string
  /** Default POST. */
  method?: IntegrationMethod
  /** Extra request headers, any number; they may override Content-Type. */
  headers?: Record<string, string>
  /** Path of a PEM file with the CA that signed the server certificate ('' or absent: none). */
  caFile?: string
  /** The CA certificate as PEM text (wins over caFile). */
  ca?: string
  /** Verify the server certificate (default true). */
  verifyTls?: boolean
  /** Default 'json'. */
  format?: BodyFormat
  /** No complete answer within it = failed attempt, ms (default: the profile's, Wallarm 15000). */
  requestTimeoutMs?: number
  /** TCP connect + TLS handshake limit, ms (default: the profile's, Wallarm 20000). */
  connectTimeoutMs?: number
  /** Multiplies every interval, timeout and window (default 1; 0.001 turns 50 min into 3 s). */
  timeScale?: number
}

/** Environment of a sender-contract command (every value a string). */
export interface SenderContractEnv {
  FLUENTD_URL: string
  WEBHOOK_METHOD: string
  /** JSON object of header name to value. */
  WEBHOOK_HEADERS: string
  /** May be empty. */
  WEBHOOK_CA_FILE: string
  /** 'true' | 'false'. */
  WEBHOOK_VERIFY_TLS: string
  /** 'json' | 'ndjson'. */
  WEBHOOK_FORMAT: string
  WEBHOOK_REQUEST_TIMEOUT_MS: string
  WEBHOOK_CONNECT_TIMEOUT_MS: string
  WEBHOOK_TIME_SCALE: string
}

function bad(message: string): FakeFluentdError {
  return new FakeFluentdError(ErrorCodes.FF_ERR_OPTION, message)
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined
  const n = Number(text)
  if (!Number.isFinite(n) || n <= 0) throw bad(`${name} must be a positive number, got "${text}".`)
  return n
}

/**
 * Reads integration settings from sender-contract environment variables. FLUENTD_URL is required;
 * the rest default (POST, no headers, no CA, verification on, json, timeouts from the profile,
 * scale 1). Throws FF_ERR_OPTION naming the variable on a bad value.
 */
export function settingsFromEnv(env: Record<string, string | undefined>): IntegrationSettings {
  const url = env.FLUENTD_URL
  if (!url) throw bad('FLUENTD_URL is not set: give the receiver URL, e.g. https://127.0.0.1:9880/wallarm.')
  const settings: IntegrationSettings = { url }
  const method = (env.WEBHOOK_METHOD ?? '').trim().toUpperCase()
  if (method) {
    if (method !== 'POST' && method !== 'PUT') throw bad(`WEBHOOK_METHOD must be POST or PUT, got "${env.WEBHOOK_METHOD}".`)
    settings.method = method
  }
  const headersText = (env.WEBHOOK_HEADERS ?? '').trim()
  if (headersText) {
    let parsed: unknown
    try {
      parsed = JSON.parse(headersText)
    } catch {
      throw bad(`WEBHOOK_HEADERS must be a JSON object of header name to value, got "${headersText}".`)
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
      throw bad(`WEBHOOK_HEADERS must be a JSON object of string values, got "${headersText}".`)
    }
    settings.headers = parsed as Record<string, string>
  }
  if (env.WEBHOOK_CA_FILE) settings.caFile = env.WEBHOOK_CA_FILE
  const verify = (env.WEBHOOK_VERIFY_TLS ?? '').trim().toLowerCase()
  if (verify) {
    if (verify !== 'true' && verify !== 'false') throw bad(`WEBHOOK_VERIFY_TLS must be true or false, got "${env.WEBHOOK_VERIFY_TLS}".`)
    settings.verifyTls = verify === 'true'
  }
  const format = (env.WEBHOOK_FORMAT ?? '').trim().toLowerCase()
  if (format) {
    if (format !== 'json' && format !== 'ndjson') throw bad(`WEBHOOK_FORMAT must be json or ndjson, got "${env.WEBHOOK_FORMAT}".`)
    settings.format = format
  }
  const requestTimeoutMs = positiveNumber('WEBHOOK_REQUEST_TIMEOUT_MS', env.WEBHOOK_REQUEST_TIMEOUT_MS)
  if (requestTimeoutMs !== undefined) settings.requestTimeoutMs = requestTimeoutMs
  const connectTimeoutMs = positiveNumber('WEBHOOK_CONNECT_TIMEOUT_MS', env.WEBHOOK_CONNECT_TIMEOUT_MS)
  if (connectTimeoutMs !== undefined) settings.connectTimeoutMs = connectTimeoutMs
  const timeScale = positiveNumber('WEBHOOK_TIME_SCALE', env.WEBHOOK_TIME_SCALE)
  if (timeScale !== undefined) settings.timeScale = timeScale
  return settings
}

/**
 * The environment a sender-contract command receives for these settings (every variable present;
 * defaults filled from Wallarm's: POST, {}, '', true, json, 15000, 20000, 1). `settings.ca` (PEM
 * text) has no variable: write it to a file and pass caFile.
 */
export function settingsToEnv(settings: IntegrationSettings): SenderContractEnv {
  return {
    FLUENTD_URL: settings.url,
    WEBHOOK_METHOD: settings.method ?? 'POST',
    WEBHOOK_HEADERS: JSON.stringify(settings.headers ?? {}),
    WEBHOOK_CA_FILE: settings.caFile ?? '',
    WEBHOOK_VERIFY_TLS: String(settings.verifyTls ?? true),
    WEBHOOK_FORMAT: settings.format ?? 'json',
    WEBHOOK_REQUEST_TIMEOUT_MS: String(settings.requestTimeoutMs ?? 15000),
    WEBHOOK_CONNECT_TIMEOUT_MS: String(settings.connectTimeoutMs ?? 20000),
    WEBHOOK_TIME_SCALE: String(settings.timeScale ?? 1),
  }
}

/**
 * Below this many milliseconds a timeout is unlikely to be honoured: a TLS handshake on a busy
 * machine, or a timer that fires late, takes longer, so attempts fail as false timeouts.
 */
export const MIN_RELIABLE_TIMEOUT_MS = 50

/** The timeouts an attempt will really run with, and where each came from. */
export interface EffectiveTimeouts {
  /** Real milliseconds. */
  requestTimeoutMs: number
  connectTimeoutMs: number
  /** True when the value is the profile's default multiplied by the time scale. */
  requestScaled: boolean
  connectScaled: boolean
}

/**
 * The time-scale rule of the command line: durations the user types (--request-timeout,
 * --connect-timeout) are real time; the profile's default timeouts, its intervals and its window
 * are multiplied by the time scale.
 */
export function effectiveTimeouts(
  explicit: { requestTimeoutMs?: number | undefined; connectTimeoutMs?: number | undefined },
  profile: { requestTimeoutMs: number; connectTimeoutMs: number },
  timeScale: number,
): EffectiveTimeouts {
  return {
    requestTimeoutMs: explicit.requestTimeoutMs ?? profile.requestTimeoutMs * timeScale,
    connectTimeoutMs: explicit.connectTimeoutMs ?? profile.connectTimeoutMs * timeScale,
    requestScaled: explicit.requestTimeoutMs === undefined,
    connectScaled: explicit.connectTimeoutMs === undefined,
  }
}

/**
 * The settings values (at time scale 1, as IntegrationSettings holds them and the sender scales them)
 * that make the sender run with real-time `timeouts`.
 */
export function settingsTimeouts(timeouts: EffectiveTimeouts, timeScale: number): Pick<IntegrationSettings, 'requestTimeoutMs' | 'connectTimeoutMs'> {
  return {
    ...(timeouts.requestScaled ? {} : { requestTimeoutMs: timeouts.requestTimeoutMs / timeScale }),
    ...(timeouts.connectScaled ? {} : { connectTimeoutMs: timeouts.connectTimeoutMs / timeScale }),
  }
}

/**
 * Warnings (one line each) for timeouts too short to be honoured, naming the flag that sets them.
 * `canOverride`: whether the command has --request-timeout/--connect-timeout to suggest (default true).
 */
export function timeoutWarnings(timeouts: EffectiveTimeouts, timeScale: number, canOverride = true): string[] {
  const out: string[] = []
  const check = (ms: number, scaled: boolean, flag: string): void => {
    if (ms >= MIN_RELIABLE_TIMEOUT_MS) return
    const shown = Number(ms.toFixed(2))
    out.push(
      scaled
        ? `warning: the ${flag.replace(/^--/, '').replace('-', ' ')} is ${shown} ms (the profile's default x --time-scale ${timeScale}); ` +
            `below ${MIN_RELIABLE_TIMEOUT_MS} ms attempts may fail as false timeouts. ` +
            (canOverride ? `Give ${flag} (real time, not scaled) or a larger --time-scale.` : 'Use a larger --time-scale.')
        : `warning: ${flag} ${shown} ms is below ${MIN_RELIABLE_TIMEOUT_MS} ms; attempts may fail as false timeouts.`,
    )
  }
  check(timeouts.connectTimeoutMs, timeouts.connectScaled, '--connect-timeout')
  check(timeouts.requestTimeoutMs, timeouts.requestScaled, '--request-timeout')
  return out
}
