/**
 * Validation of a large batch without stalling the server: notifications are judged in slices with a
 * yield to the event loop between them, and the strict-mode error text is bounded.
 * @see README.md "Limits"
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import type { Validator, Verdict } from './types.js'

/** Notifications judged between two yields (about 1-5 ms of ajv work for real notifications on a loaded machine). */
export const VALIDATE_SLICE = 64

/** Same verdicts as `validator.validateAll(notifications)`, yielding to the event loop every `slice` notifications. */
export async function validateAllSliced(validator: Validator, notifications: readonly unknown[], slice = VALIDATE_SLICE): Promise<Verdict[]> {
  if (notifications.length <= slice) return validator.validateAll(notifications)
  const out: Verdict[] = []
  for (let i = 0; i < notifications.length; i++) {
    if (i > 0 && i % slice === 0) await yieldToLoop()
    out.push(validator.validate(notifications[i], i))
  }
  return out
}

/** Error lines listed in a strict-mode 400 answer; beyond, one line counts the rest. */
export const MAX_VERDICT_ERROR_LINES = 100

/**
 * The text of a strict-mode 400: one line per error of each invalid notification
 * (`notification <i> (<type>): <pointer> <message>`), at most `max` lines, then
 * `... and <n> more errors in <m> notifications`.
 */
export function verdictErrorText(verdicts: readonly Verdict[], max = MAX_VERDICT_ERROR_LINES): string {
  const lines: string[] = []
  let more = 0
  const moreIn = new Set<number>()
  for (const v of verdicts) {
    if (v.valid) continue
    for (const e of v.errors) {
      if (lines.length < max) lines.push(`notification ${v.index} (${v.type ?? 'unknown type'}): ${e.pointer || '/'} ${e.message}`)
      else {
        more++
        moreIn.add(v.index)
      }
    }
  }
  if (more > 0) lines.push(`... and ${more} more errors in ${moreIn.size} notifications`)
  return lines.join('\n')
}
