/**
 * The admin flags `serve` and `demo` share: who may use the admin API and page (Host names, a
 * token) and the bounds of its SSE stream. Defined once, so both commands parse them alike.
 * @see docs/design.md "Admin API"
 */
import { InvalidArgumentError, Option, type Command } from 'commander'
import { checkAdminToken, DEFAULT_STREAM_LIMITS, type AdminSettings } from '../admin/index.js'
import { parseByteSize } from '../text/index.js'
import { sizeText } from './flag-values.js'

/** The parsed admin flags (commander's camelCase names). */
export interface AdminFlags {
  adminAllowedHost: string[]
  adminToken?: string
  adminStreamBuffer: number
  adminMaxStreams: number
  adminStreamReplay: number
}

/** Smallest --admin-stream-buffer: below it every subscriber would be dropped at its first event. */
const MIN_STREAM_BUFFER = 1024

function collect(value: string, previous: string[]): string[] {
  return [...previous, value]
}

function token(text: string): string {
  const problem = checkAdminToken(text)
  if (problem !== undefined) throw new InvalidArgumentError(problem)
  return text
}

function streamBuffer(text: string): number {
  const n = parseByteSize(text)
  if (n === undefined) throw new InvalidArgumentError('use bytes, or a number with a k/m/g suffix (e.g. 1m).')
  if (n < MIN_STREAM_BUFFER) throw new InvalidArgumentError('use at least 1k: a smaller buffer drops every subscriber at its first event.')
  return n
}

function atLeastOne(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new InvalidArgumentError('use a whole number >= 1.')
  return Number(text)
}

/** Adds --admin-allowed-host, --admin-token, --admin-stream-buffer, --admin-max-streams, --admin-stream-replay. */
export function addAdminFlags(command: Command): Command {
  return command
    .option('--admin-allowed-host <name>', 'also answer the admin API and page under this Host name (repeatable; any = no Host check)', collect, [])
    .addOption(
      new Option('--admin-token <token>', 'token the admin API and page require (default: none on loopback, generated otherwise)')
        .argParser(token)
        .env('FAKE_FLUENTD_ADMIN_TOKEN'),
    )
    .addOption(
      new Option('--admin-stream-buffer <size>', 'unsent bytes one /api/stream subscriber may have before it is dropped (>= 1k)')
        .argParser(streamBuffer)
        .default(DEFAULT_STREAM_LIMITS.bufferBytes, sizeText(DEFAULT_STREAM_LIMITS.bufferBytes)),
    )
    .option('--admin-max-streams <n>', 'open /api/stream subscribers at most (one more gets 503)', atLeastOne, DEFAULT_STREAM_LIMITS.maxSubscribers)
    .option('--admin-stream-replay <n>', 'entries replayed at most to a stream that reconnects (Last-Event-ID)', atLeastOne, DEFAULT_STREAM_LIMITS.replayMax)
}

/** The admin settings the flags ask for; `tokenToUse` overrides --admin-token (e.g. a generated one). */
export function adminSettingsFrom(flags: AdminFlags, tokenToUse = flags.adminToken): AdminSettings {
  return {
    security: { allowedHosts: flags.adminAllowedHost, ...(tokenToUse !== undefined ? { token: tokenToUse } : {}) },
    stream: { bufferBytes: flags.adminStreamBuffer, maxSubscribers: flags.adminMaxStreams, replayMax: flags.adminStreamReplay },
  }
}
