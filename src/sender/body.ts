/**
 * Request bodies: one delivery is one body, a JSON array (default) or NDJSON lines.
 * @see docs/design.md "Notification formats"
 */
import type { BodyFormat } from './settings.js'

/** A notification as handed to the sender (a Wallarm envelope, or anything JSON). */
export type Notification = Record<string, unknown>

/** Content-Type per format (NDJSON's is not documented by Wallarm; we send the common one). */
export const CONTENT_TYPES: Readonly<Record<BodyFormat, string>> = Object.freeze({
  json: 'application/json',
  ndjson: 'application/x-ndjson',
})

/** The body of one delivery: `[n1,n2]` for json, `n1\nn2\n` for ndjson (compact JSON). */
export function encodeBody(notifications: readonly Notification[], format: BodyFormat): string {
  switch (format) {
    case 'json':
      return JSON.stringify(notifications)
    case 'ndjson':
      return notifications.map((n) => `${JSON.stringify(n)}\n`).join('')
  }
}
