/**
 * The value rules every command shares, so that one flag kind reads the same everywhere:
 * - ports: 1-65535, or `0`/`any` for a free port the system picks (`serve --admin-port off` turns
 *   the admin API off);
 * - durations: a number with a unit (`10s`, `500ms`, `2m`, `1h`); a bare number is refused with a
 *   hint, since Fluentd reads `10` as seconds and Node as milliseconds. `0` alone means "never"
 *   where a flag says so;
 * - sizes: bytes, or a number with a k/m/g suffix (`32m`), as Fluentd's config.
 * Each parser throws commander's InvalidArgumentError, which names the flag and exits 2.
 */
import { InvalidArgumentError, Option } from 'commander'
import { parseDuration } from '../clock/index.js'
import { parseByteSize } from '../text/index.js'

/** Longest duration a timer can hold (2^31 - 1 ms, about 24.8 days); Node fires longer ones at once. */
export const MAX_DURATION_MS = 2_147_483_647

/** A port flag: `0` and `any` = a free port; otherwise 1-65535. */
export function portArg(text: string): number {
  const t = text.trim()
  if (t === 'any') return 0
  if (!/^\d{1,5}$/.test(t) || Number(t) > 65535) throw new InvalidArgumentError('use a port number 1-65535, or 0 / any for a free port.')
  return Number(t)
}

/** `serve --admin-port`: a port as portArg, or `off` (no admin API, no page). */
export function adminPortArg(text: string): number | false {
  if (text.trim() === 'off') return false
  try {
    return portArg(text)
  } catch {
    throw new InvalidArgumentError('use a port number 1-65535, 0 / any for a free port, or off (no admin API).')
  }
}

/** Options of a duration flag. */
export interface DurationRule {
  /** `0` (alone) means "never" (a disabled timeout). */
  zeroIsNever?: boolean
}

/** A parser for a duration flag (milliseconds); see the file comment for the rule. */
export function durationArg(rule: DurationRule = {}): (text: string) => number {
  return (text) => {
    const t = text.trim()
    if (t === '0' && rule.zeroIsNever) return 0
    if (/^\d+(\.\d+)?$/.test(t)) {
      const never = rule.zeroIsNever ? ', or 0 for never' : ''
      throw new InvalidArgumentError(`give a unit: ${t}s or ${t}ms${never} (a bare number is refused: Fluentd reads seconds, Node milliseconds).`)
    }
    const ms = /^\d+(\.\d+)?\s*(ms|s|m|min|h)$/i.test(t) ? parseDuration(t) : undefined
    const example = rule.zeroIsNever ? '10s, 500ms, 2m, 1h or 0 (never)' : '10s, 500ms, 2m or 1h'
    if (ms === undefined) throw new InvalidArgumentError(`use a duration with a unit, such as ${example}.`)
    if (ms <= 0 && !rule.zeroIsNever) throw new InvalidArgumentError(`use a duration above zero, such as ${example}.`)
    if (ms > MAX_DURATION_MS) throw new InvalidArgumentError('use at most 596h (2147483647 ms, about 24.8 days, the longest a timer can wait).')
    return ms
  }
}

/** A duration for help and messages, as a flag would take it: `10s`, `500ms`, `5m`, `0`. */
export function durationText(ms: number): string {
  if (ms === 0) return '0'
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}

/** Options of a size flag. */
export interface SizeRule {
  /** Smallest size accepted (default 0). */
  min?: number
  /** Largest size accepted (default none). */
  max?: number
}

/** A parser for a size flag (bytes). */
export function sizeArg(rule: SizeRule = {}): (text: string) => number {
  const min = rule.min ?? 0
  return (text) => {
    const n = parseByteSize(text)
    if (n === undefined) throw new InvalidArgumentError('use bytes, or a number with a k/m/g suffix (e.g. 32m).')
    if (n < min) throw new InvalidArgumentError(`use at least ${sizeText(min)}.`)
    if (rule.max !== undefined && n > rule.max) throw new InvalidArgumentError(`use at most ${sizeText(rule.max)}.`)
    return n
  }
}

/** A size for help, as a flag would take it: `32m`, `64k`, `1000`. */
export function sizeText(bytes: number): string {
  for (const [unit, factor] of [['g', 1024 ** 3], ['m', 1024 ** 2], ['k', 1024]] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`
  }
  return String(bytes)
}

/** A parser for a whole number from `min` to `max`. */
export function wholeNumberArg(min: number, max: number): (text: string) => number {
  return (text) => {
    const t = text.trim()
    if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) throw new InvalidArgumentError(`use a whole number from ${min} to ${max}.`)
    return Number(t)
  }
}

/** A parser for a path flag: not empty (an empty path would mean the current directory). */
export function pathArg(text: string): string {
  if (text.trim() === '') throw new InvalidArgumentError('give a path (an empty one would mean the current directory).')
  return text
}

/** An option whose default is shown as a user types it (10s, 32m), not as milliseconds or bytes. */
export function withDefault<T>(flags: string, description: string, parse: (text: string) => T, value: T, shown: string): Option {
  return new Option(flags, description).argParser(parse).default(value, shown)
}
