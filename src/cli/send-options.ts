/**
 * The flags of `fake-fluentd send` as values: option parsers (each error names what it expects;
 * commander adds the flag) and the --file reader.
 */
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { InvalidArgumentError } from 'commander'
import { readPem } from '../certs/index.js'
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import { parseHeaderLine } from '../text/index.js'
import { durationArg as sharedDurationArg } from './flag-values.js'

export { MAX_DURATION_MS } from './flag-values.js'

/** --time-scale above this would push Wallarm's 30 min interval past what a timer can hold. */
export const MAX_TIME_SCALE = 1000

/** --time-scale below this turns Wallarm's whole schedule into a few milliseconds, and typed timeouts overflow. */
export const MIN_TIME_SCALE = 0.000001

/** Most concurrent deliveries one `send` starts (--count). */
export const MAX_COUNT = 10_000

/** `--request-timeout`, `--connect-timeout`: a duration with a unit, above zero (flag-values.ts). */
export const durationArg = sharedDurationArg()

export function positiveNumberArg(text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.')
  return n
}

export function timeScaleArg(text: string): number {
  const n = positiveNumberArg(text)
  if (n > MAX_TIME_SCALE) throw new InvalidArgumentError(`at most ${MAX_TIME_SCALE} (longer intervals do not fit a timer).`)
  if (n < MIN_TIME_SCALE) throw new InvalidArgumentError(`at least ${MIN_TIME_SCALE} (below it every interval is a fraction of a millisecond).`)
  return n
}

export function seedArg(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > 4294967295) throw new InvalidArgumentError('expected a whole number from 0 to 4294967295.')
  return Number(text)
}

export function countArg(text: string): number {
  const n = Number(text)
  if (text.trim() === '' || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number >= 1.')
  if (n > MAX_COUNT) throw new InvalidArgumentError(`at most ${MAX_COUNT}.`)
  return n
}

export function headerArg(text: string, previous: string[] = []): string[] {
  if (!parseHeaderLine(text)) throw new InvalidArgumentError('expected "Name: value".')
  return [...previous, text]
}

export function parseHeaders(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of list) {
    const h = parseHeaderLine(line)
    if (h) out[h.name] = h.value
  }
  return out
}

export function usage(message: string): FakeFluentdError {
  return new FakeFluentdError(ErrorCodes.FF_ERR_OPTION, message)
}

/** The notifications of --file: a JSON object, a JSON array, or NDJSON (one object per line). */
export function readNotificationsFile(file: string): Array<Record<string, unknown>> {
  let text: string
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8')
  } catch (err) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_INPUT, `Cannot read --file ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}.`, { cause: err })
  }
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)
  let values: unknown[]
  try {
    const whole: unknown = JSON.parse(text)
    values = Array.isArray(whole) ? whole : [whole]
  } catch {
    values = []
    const lines = text.split(/\r?\n/)
    for (const [i, line] of lines.entries()) {
      if (line.trim() === '') continue
      try {
        values.push(JSON.parse(line))
      } catch {
        throw new FakeFluentdError(ErrorCodes.FF_ERR_INPUT, `--file ${file} line ${i + 1} is not JSON; give a JSON object, a JSON array or NDJSON.`)
      }
    }
  }
  if (values.length === 0 || !values.every(isObject)) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_INPUT, `--file ${file} must hold notification objects (a JSON object, a JSON array of objects, or NDJSON).`)
  }
  return values as Array<Record<string, unknown>>
}

/** `--url`: an http(s) URL with a host. */
export function urlArg(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InvalidArgumentError('expected a URL such as https://127.0.0.1:9880/wallarm.')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError(`expected an https:// (or http://) URL, got ${url.protocol}//.`)
  return text
}

/** `--ca`: the file must be a readable PEM certificate now, so that the error names the flag. */
export function checkCaFile(file: string): void {
  try {
    readPem('--ca', file, (text) => new X509Certificate(text), 'a PEM certificate')
  } catch (err) {
    throw usage(`${(err as Error).message.replace(/\.$/, '')}; give the PEM file of the CA that signed the server certificate.`)
  }
}
