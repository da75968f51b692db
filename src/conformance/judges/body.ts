/**
 * Request bodies as the judges read them: the shape a body was sent in (JSON array, object, NDJSON)
 * and its notifications compared as canonical JSON.
 */
/** The shape of a request body as sent. */
export type BodyShape = 'array' | 'object' | 'ndjson' | 'empty' | 'invalid'

/** Parses a body the way Fluentd's in_http would: a JSON array, a JSON object, or NDJSON lines. */
export function parseBody(body: string | undefined): { shape: BodyShape; records: unknown[] } {
  if (body === undefined || body.trim() === '') return { shape: 'empty', records: [] }
  try {
    const value: unknown = JSON.parse(body)
    if (Array.isArray(value)) return { shape: 'array', records: value }
    if (value !== null && typeof value === 'object') {
      // A single-line NDJSON body is also one JSON object; the trailing newline tells them apart.
      return { shape: body.trimEnd().includes('\n') || body.endsWith('\n') ? 'ndjson' : 'object', records: [value] }
    }
  } catch {
    // not one JSON document: try NDJSON below
  }
  const lines = body.split('\n').filter((l) => l.trim() !== '')
  try {
    const records = lines.map((l) => JSON.parse(l) as unknown)
    if (records.length > 0 && records.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
      return { shape: 'ndjson', records }
    }
  } catch {
    // not NDJSON either
  }
  return { shape: 'invalid', records: [] }
}

/** JSON with object keys sorted, so that equal values compare equal as text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    return `{${Object.keys(obj)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
