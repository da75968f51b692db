/**
 * The lexical layer of the `--fault` shorthand (shorthand.ts holds the grammar): tokens that know
 * where they start in the spec, the error that points at a position, and the token helpers every
 * part of the grammar uses (split at a colon, read a duration). Positions in messages are 1-based.
 */
import { parseDuration } from '../clock/index.js'

/** A syntax error at a 1-based position of the spec; parseFaultShorthand turns it into FF_ERR_FAULT_SPEC. */
export class ShorthandError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message)
  }
}

export interface Token {
  text: string
  /** 0-based offset in the spec. */
  start: number
}

/** The spec's words (separated by white space), each with its offset. */
export function tokens(spec: string): Token[] {
  const out: Token[] = []
  for (const m of spec.matchAll(/\S+/g)) out.push({ text: m[0], start: m.index })
  return out
}

/** The 1-based position of `offset` characters into `tok`, for messages. */
export function at(tok: Token, offset = 0): number {
  return tok.start + offset + 1
}

/** Splits `a:b...` at the first colon into two tokens. */
export function splitOnce(tok: Token): [Token, Token | undefined] {
  const i = tok.text.indexOf(':')
  if (i < 0) return [tok, undefined]
  return [
    { text: tok.text.slice(0, i), start: tok.start },
    { text: tok.text.slice(i + 1), start: tok.start + i + 1 },
  ]
}

/** `text` (the duration part of `tok`) in ms; a ShorthandError naming the expected `form` when it is missing or bad. */
export function duration(tok: Token, text: string | undefined, form: string): number {
  const ms = text === undefined || text === '' ? undefined : parseDuration(text)
  if (ms === undefined) {
    const what = text === undefined || text === '' ? 'missing duration' : `bad duration '${text}'`
    throw new ShorthandError(`${what} at position ${at(tok)}; expected ${form} where <dur> is a number with a unit ms, s, m or h (e.g. 16s, 500ms)`, at(tok))
  }
  return ms
}
