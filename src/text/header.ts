/**
 * The one way a `Name: value` header line is read (CLI flags such as `--header` and
 * `--require-header`, and the receiver's required header): the name is an HTTP token (RFC 9110),
 * both sides are trimmed, the value may be empty or hold more colons.
 */

/** An HTTP field name: one or more token characters. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

export interface HeaderLine {
  /** As written (not lower-cased). */
  name: string
  value: string
}

/** `Name: value` → `{ name, value }`; undefined when there is no colon or the name is not a token. */
export function parseHeaderLine(text: string): HeaderLine | undefined {
  const i = text.indexOf(':')
  if (i < 0) return undefined
  const name = text.slice(0, i).trim()
  if (!TOKEN.test(name)) return undefined
  return { name, value: text.slice(i + 1).trim() }
}
