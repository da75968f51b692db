import type { Ajv2020 } from 'ajv/dist/2020.js'
import type { ValidateFunction } from 'ajv'
import { newAjv2020 } from '../ajv.js'
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import { ENVELOPE_SCHEMA_ID, defaultSchemaDir, loadNotificationSchemas } from './schema-files.js'
import { jsonTypeOf, toVerdictErrors } from './verdict-errors.js'
import type { Validator, Verdict, VerdictError } from './types.js'

/** What to do with a notification whose `details.notification_type` no schema knows. */
export type UnknownTypePolicy = 'fail' | 'envelope'

/** Options of {@link createValidator}; unknown keys are rejected. */
export interface CreateValidatorOptions {
  /** Folder of the notification schemas. Default: the package's `schemas/notifications/`. */
  schemaDir?: string
  /**
   * `fail` (default): an unknown type is invalid, keyword `notification_type`, message
   * `unknown notification_type "x"; known: ...`. `envelope`: judge it against the envelope only.
   */
  unknownTypes?: UnknownTypePolicy
  /**
   * Compile every schema now (~150-400 ms) instead of each on first use (10-35 ms on the first
   * notification of a type). For timing-sensitive hosts, such as the conformance runner, where a
   * first-use compile would stall the event loop in the middle of a measured interval. Default false.
   */
  eager?: boolean
}

const OPTION_KEYS = new Set(['schemaDir', 'unknownTypes', 'eager'])

function checkOptions(options: CreateValidatorOptions): Required<Omit<CreateValidatorOptions, 'eager'>> {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new FakeFluentdError(
        ErrorCodes.FF_ERR_OPTION,
        `unexpected createValidator option "${key}"; known: ${[...OPTION_KEYS].join(', ')}`,
      )
    }
  }
  const unknownTypes = options.unknownTypes ?? 'fail'
  if (unknownTypes !== 'fail' && unknownTypes !== 'envelope') {
    throw new FakeFluentdError(
      ErrorCodes.FF_ERR_OPTION,
      `unknownTypes must be "fail" or "envelope", got ${JSON.stringify(unknownTypes)}`,
    )
  }
  return { schemaDir: options.schemaDir ?? defaultSchemaDir, unknownTypes }
}

/** `details.notification_type` when `notification` is an object holding it as an own string property. */
function notificationTypeOf(notification: object): string | null {
  if (!Object.hasOwn(notification, 'details')) return null
  const details = (notification as { details?: unknown }).details
  if (typeof details !== 'object' || details === null || !Object.hasOwn(details, 'notification_type')) return null
  const type = (details as { notification_type?: unknown }).notification_type
  return typeof type === 'string' ? type : null
}

function schemaError(schemaDir: string, err: unknown): FakeFluentdError {
  return new FakeFluentdError(
    ErrorCodes.FF_ERR_SCHEMA,
    `the notification schemas in ${schemaDir} do not compile: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  )
}

/** True when a schema uses a keyword that needs ajv's evaluated-properties tracking. */
function usesUnevaluated(schema: object): boolean {
  const text = JSON.stringify(schema)
  return text.includes('"unevaluatedProperties"') || text.includes('"unevaluatedItems"')
}

/** One ajv as every validator uses it: draft 2020-12, strict, allErrors, ajv-formats. */
function newAjv(): Ajv2020 {
  return newAjv2020({ strict: true, allErrors: true, allowUnionTypes: true }, { formats: true })
}

/**
 * Checks every notification schema the way `npm test` must: each against the draft 2020-12
 * meta-schema, and each compiled in ajv strict mode. {@link createValidator} skips the meta-schema
 * check and compiles each schema on first use (start-up time), so this is where a broken schema
 * is caught early. Throws FF_ERR_SCHEMA.
 */
export function checkNotificationSchemas(schemaDir: string = defaultSchemaDir): void {
  const { all } = loadNotificationSchemas(schemaDir)
  const ajv = newAjv()
  try {
    for (const schema of all) ajv.addSchema(schema) // validates against the meta-schema
    for (const schema of all) ajv.getSchema(schema.$id as string) // compiles, strict
  } catch (err) {
    throw schemaError(schemaDir, err)
  }
}

/**
 * Creates a validator: one ajv (draft 2020-12, strict, allErrors, ajv-formats) holding every schema
 * of `schemas/notifications/`. Each schema is compiled once, on the first notification of its type
 * (1-30 ms), not here: compiling all ~34 took 200-400 ms of `serve`'s start-up (ajv itself is made
 * on the first one too). The files are read
 * and parsed here, so a missing folder or a file that does not parse throws FF_ERR_SCHEMA at once;
 * a schema that does not compile throws FF_ERR_SCHEMA from the first `validate()` that needs it
 * ({@link checkNotificationSchemas}, run by the tests, catches that before release).
 * `validate()` is synchronous and picks the schema by `details.notification_type` through a map
 * (never a `oneOf` over all types, whose errors are useless).
 * @see ../../schemas/notifications/ and test/fixtures/notifications/README.md
 */
export function createValidator(options: CreateValidatorOptions = {}): Validator {
  const { schemaDir, unknownTypes } = checkOptions(options)
  const { all, typeIds } = loadNotificationSchemas(schemaDir)
  let ajv: Ajv2020 | undefined
  /** The ajv holding every schema, made on first use: loading ajv is ~50 ms of `serve`'s start-up. */
  function schemas(): Ajv2020 {
    if (ajv === undefined) {
      const made = newAjv()
      // Draft 2020-12 makes ajv track which properties each subschema evaluated, for
      // `unevaluatedProperties`/`unevaluatedItems`. No schema of ours uses them, and the tracking
      // cost ~2 KB of garbage per valid hit (an object of every property name of the hit, built
      // anew in each validation). Off unless a schema in the folder needs it.
      if (!all.some(usesUnevaluated)) made.opts.unevaluated = false
      try {
        // No meta-schema validation here (compiling the 2020-12 meta-schema alone costs ~60 ms);
        // checkNotificationSchemas() does it in the tests.
        for (const schema of all) made.addSchema(schema, undefined, undefined, false)
      } catch (err) {
        throw schemaError(schemaDir, err)
      }
      ajv = made
    }
    return ajv
  }
  const compiled = new Map<string, ValidateFunction>()
  /** The compiled schema of `id`, compiling it on first use. */
  function schemaFor(id: string): ValidateFunction {
    let fn = compiled.get(id)
    if (fn === undefined) {
      try {
        fn = schemas().getSchema(id) as ValidateFunction
      } catch (err) {
        throw schemaError(schemaDir, err)
      }
      compiled.set(id, fn)
    }
    return fn
  }
  const types = Object.freeze([...typeIds.keys()].sort())
  const knownList = types.join(', ')
  if (options.eager) {
    schemaFor(ENVELOPE_SCHEMA_ID)
    for (const id of typeIds.values()) schemaFor(id)
  }

  function validate(notification: unknown, index = 0): Verdict {
    if (typeof notification !== 'object' || notification === null || Array.isArray(notification)) {
      return {
        index,
        type: null,
        valid: false,
        errors: [{ pointer: '', keyword: 'type', message: `must be an object (a notification), got ${jsonTypeOf(notification)}` }],
      }
    }
    const type = notificationTypeOf(notification)
    const typedId = type === null ? undefined : typeIds.get(type)
    const check = schemaFor(typedId ?? ENVELOPE_SCHEMA_ID)
    const errors: VerdictError[] = check(notification) ? [] : toVerdictErrors(check.errors, notification)
    if (type !== null && typedId === undefined && unknownTypes === 'fail') {
      errors.push({
        pointer: '/details/notification_type',
        keyword: 'notification_type',
        message: `unknown notification_type ${JSON.stringify(type)}; known: ${knownList}`,
      })
    }
    return { index, type, valid: errors.length === 0, errors }
  }

  return {
    validate,
    validateAll: (notifications) => notifications.map((n, i) => validate(n, i)),
    types,
  }
}
