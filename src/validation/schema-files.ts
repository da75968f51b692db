import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ErrorCodes, FakeFluentdError } from '../errors.js'

/**
 * The folder of the notification schemas shipped with the package (`schemas/notifications/`).
 * The same relative path works from `src/validation/` (tests) and `dist/validation/` (built).
 */
export const defaultSchemaDir: string = fileURLToPath(new URL('../../schemas/notifications/', import.meta.url))

/** Schema files in the folder that are shared parts, not notification types. */
const SHARED_FILES = new Set(['envelope.schema.json', 'common.schema.json', 'batch.schema.json'])

/** The `$id` of the envelope schema, which judges notifications of unknown type. */
export const ENVELOPE_SCHEMA_ID = 'https://fake-fluentd.dev/schemas/notifications/envelope.schema.json'

/** The schemas of one folder: the shared parts and one schema per notification type. */
export interface NotificationSchemaSet {
  /** Every schema in the folder (shared parts and types), as parsed JSON. */
  all: Array<Record<string, unknown>>
  /** notification_type → its schema's `$id`, from the file name `<type>.schema.json`. */
  typeIds: Map<string, string>
}

/** Reads and parses every `*.schema.json` in `dir`; a file that does not parse throws FF_ERR_SCHEMA. */
export function loadNotificationSchemas(dir: string = defaultSchemaDir): NotificationSchemaSet {
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.schema.json')).sort()
  } catch (err) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_SCHEMA, `cannot read the notification schemas in ${dir}: ${String(err)}`, {
      cause: err,
    })
  }
  const all: Array<Record<string, unknown>> = []
  const typeIds = new Map<string, string>()
  for (const name of names) {
    let schema: unknown
    try {
      schema = JSON.parse(readFileSync(join(dir, name), 'utf8'))
    } catch (err) {
      throw new FakeFluentdError(ErrorCodes.FF_ERR_SCHEMA, `schema ${name} does not parse: ${String(err)}`, { cause: err })
    }
    if (typeof schema !== 'object' || schema === null || typeof (schema as { $id?: unknown }).$id !== 'string') {
      throw new FakeFluentdError(ErrorCodes.FF_ERR_SCHEMA, `schema ${name} has no $id`)
    }
    const record = schema as Record<string, unknown>
    all.push(record)
    if (!SHARED_FILES.has(name)) typeIds.set(name.slice(0, -'.schema.json'.length), record.$id as string)
  }
  if (!all.some((s) => s.$id === ENVELOPE_SCHEMA_ID)) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_SCHEMA, `no envelope.schema.json in ${dir}`)
  }
  return { all, typeIds }
}
