/** The body framings a Wallarm integration sends: a JSON array (default) or NDJSON. */
export type BodyFormat = 'json' | 'ndjson'

/** One notification taken out of a body. */
export interface ParsedItem {
  /** Position in the batch, 0-based (an NDJSON line that fails to parse still takes a position). */
  index: number
  /** 1-based line of an NDJSON record (or of a single JSON object); null for elements of a JSON array. */
  line: number | null
  /** The parsed value: usually an object, but anything JSON can hold. */
  value: unknown
}

/** A part of a body that is not JSON. */
export interface ParseFailure {
  /** Position in the batch the record would have had; null when the whole JSON body fails. */
  index: number | null
  /** 1-based line of the failure (for a JSON body, where the parser stopped, when known). */
  line: number | null
  message: string
}

/** The result of {@link parseNotifications}: the items and the parse failures, in order. */
export interface ParsedNotifications {
  /** The framing used: the one asked for, or the one detected for `auto`. */
  format: BodyFormat
  items: ParsedItem[]
  errors: ParseFailure[]
}

/** 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

function parseErrorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function firstNonBlankLine(lines: readonly string[]): number {
  return lines.findIndex((l) => l.trim() !== '')
}

function parseJson(text: string): ParsedNotifications {
  const lines = text.split('\n')
  if (firstNonBlankLine(lines) === -1) return { format: 'json', items: [], errors: [] }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    const message = parseErrorMessage(err)
    const position = /position (\d+)/.exec(message)
    const line = position?.[1] !== undefined ? lineAt(text, Number(position[1])) : null
    return { format: 'json', items: [], errors: [{ index: null, line, message: `not JSON: ${message}` }] }
  }
  if (Array.isArray(value)) {
    return { format: 'json', items: value.map((v: unknown, index) => ({ index, line: null, value: v })), errors: [] }
  }
  return { format: 'json', items: [{ index: 0, line: firstNonBlankLine(lines) + 1, value }], errors: [] }
}

function parseNdjson(text: string): ParsedNotifications {
  const items: ParsedItem[] = []
  const errors: ParseFailure[] = []
  let index = 0
  text.split('\n').forEach((raw, i) => {
    const record = raw.trim()
    if (record === '') return
    const line = i + 1
    let value: unknown
    try {
      value = JSON.parse(record)
    } catch (err) {
      errors.push({ index: index++, line, message: `line ${line} is not JSON: ${parseErrorMessage(err)}` })
      return
    }
    // A line may itself be a batch (the sender contract's stdin allows it): each element is judged.
    if (Array.isArray(value)) for (const v of value as unknown[]) items.push({ index: index++, line, value: v })
    else items.push({ index: index++, line, value })
  })
  return { format: 'ndjson', items, errors }
}

/**
 * Splits a request or file body into notifications. `json`: one JSON value; an array is a batch, each
 * element an item. `ndjson`: one JSON value per non-blank line, failures reported per line. `auto`
 * (default): a body that parses as one JSON value is `json`; otherwise a body of several lines whose
 * first line parses on its own is `ndjson`; otherwise `json` with its parse error. A leading BOM is ignored.
 */
export function parseNotifications(text: string, format: BodyFormat | 'auto' = 'auto'): ParsedNotifications {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  if (format === 'json') return parseJson(body)
  if (format === 'ndjson') return parseNdjson(body)
  const asJson = parseJson(body)
  if (asJson.errors.length === 0) return asJson
  const lines = body.split('\n').filter((l) => l.trim() !== '')
  const first = lines[0]
  if (lines.length > 1 && first !== undefined) {
    try {
      JSON.parse(first)
      return parseNdjson(body)
    } catch {
      // The first line alone is not JSON: a broken multi-line JSON document, so report it as JSON.
    }
  }
  return asJson
}
