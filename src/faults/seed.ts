/**
 * `--seed N` for the fault plan's random draws. A module of its own, without the plan validator
 * (ajv), so that commands can use it as an option parser without loading ajv on every start.
 */
import { ErrorCodes, FakeFluentdError } from '../errors.js'

/** Parses `--seed N` (an integer 0..2^32-1). @throws FakeFluentdError FF_ERR_OPTION */
export function parseSeed(text: string): number {
  const n = Number(text)
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n > 0xffffffff) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_OPTION, `Invalid --seed "${text}": use a whole number from 0 to 4294967295.`)
  }
  return n
}
