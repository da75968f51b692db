/** One schema violation, addressed by a JSON pointer into the notification. */
export interface VerdictError {
  /** JSON pointer (RFC 6901) of the offending value inside the notification, '' for the root. */
  pointer: string
  /** The JSON Schema keyword that failed (`required`, `type`, `enum`, ... or `notification_type`). */
  keyword: string
  /** A readable message, e.g. `must have required property 'summary'`. */
  message: string
}

/** The judgement of one notification. */
export interface Verdict {
  /** Position in the batch (0 for a single object). */
  index: number
  /** `details.notification_type` when present and a string, else null. */
  type: string | null
  valid: boolean
  errors: VerdictError[]
}

/** Schemas compiled once; validate is synchronous and safe to call on the hot path. */
export interface Validator {
  validate(notification: unknown, index?: number): Verdict
  validateAll(notifications: readonly unknown[]): Verdict[]
  /** The notification types this validator knows. */
  readonly types: readonly string[]
}

/** How the receiver uses verdicts: `off` skips, `warn` records and prints, `strict` also answers 400. */
export type ValidationMode = 'off' | 'warn' | 'strict'
