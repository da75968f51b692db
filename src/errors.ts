/**
 * One error base class with a stable `code`. Messages say what failed, why, and what to do.
 * Only `src/cli/` maps codes to exit statuses and prints them.
 */
export const ErrorCodes = {
  /** A `--fault` shorthand or a fault plan that does not parse or validate. */
  FF_ERR_FAULT_SPEC: 'FF_ERR_FAULT_SPEC',
  /** A certificate or key that cannot be created, read or used. */
  FF_ERR_CERT: 'FF_ERR_CERT',
  /** A command-line or library option with a bad value. */
  FF_ERR_OPTION: 'FF_ERR_OPTION',
  /** A retry profile file that does not parse or validate. */
  FF_ERR_PROFILE: 'FF_ERR_PROFILE',
  /** Input that cannot be read (missing file, unreadable stdin). */
  FF_ERR_INPUT: 'FF_ERR_INPUT',
  /** A listener that cannot bind (port in use, permission). */
  FF_ERR_LISTEN: 'FF_ERR_LISTEN',
  /** A sender under test that exited early or could not be started. */
  FF_ERR_SENDER_EXITED: 'FF_ERR_SENDER_EXITED',
  /** A conformance scenario name or pattern that matches nothing. */
  FF_ERR_SCENARIO: 'FF_ERR_SCENARIO',
  /** Requests a test expected (verifyRequests, waitForRequests) that did not arrive as expected. */
  FF_ERR_VERIFY: 'FF_ERR_VERIFY',
  /** A notification schema that fails to compile (a bug in schemas/). */
  FF_ERR_SCHEMA: 'FF_ERR_SCHEMA',
} as const

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes]

/** The base of every error fake-fluentd throws on purpose. */
export class FakeFluentdError extends Error {
  override name = 'FakeFluentdError'
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** True when `err` is a FakeFluentdError (optionally with the given code). */
export function isFakeFluentdError(err: unknown, code?: ErrorCode): err is FakeFluentdError {
  return err instanceof FakeFluentdError && (code === undefined || err.code === code)
}
