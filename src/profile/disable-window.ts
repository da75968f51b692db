/**
 * The auto-disable rule as a sliding window of attempt outcomes on an injected clock: once at least
 * `minAttempts` attempts are in the window and failed/attempts >= `failureRatio`, the integration
 * should be disabled. An attempt recorded at time t counts while now - t < windowMs (at exactly
 * windowMs it has left the window).
 * @see docs/design.md "Delivery rules" (auto-disable)
 */
import type { Clock } from '../clock/index.js'
import type { AutoDisableRule } from './profile-types.js'

/** What the window holds now. */
export interface WindowStats {
  attempts: number
  failed: number
  /** failed / attempts (0 when empty). */
  failureRatio: number
}

/** The sliding failure window of one integration. */
export class DisableWindow {
  readonly rule: AutoDisableRule
  readonly #clock: Clock
  #entries: Array<{ atMs: number; ok: boolean }> = []
  #failed = 0

  /** `rule.windowMs` is used as given: scale it before (the sender does). */
  constructor(rule: AutoDisableRule, clock: Clock) {
    this.rule = rule
    this.#clock = clock
  }

  /** Records one attempt outcome at the clock's current time. */
  record(ok: boolean): void {
    this.#entries.push({ atMs: this.#clock.now(), ok })
    if (!ok) this.#failed++
  }

  #prune(): void {
    const cutoff = this.#clock.now() - this.rule.windowMs
    let drop = 0
    while (drop < this.#entries.length && this.#entries[drop]!.atMs <= cutoff) {
      if (!this.#entries[drop]!.ok) this.#failed--
      drop++
    }
    if (drop > 0) this.#entries.splice(0, drop)
  }

  /** The attempts in the window now. */
  stats(): WindowStats {
    this.#prune()
    const attempts = this.#entries.length
    return { attempts, failed: this.#failed, failureRatio: attempts === 0 ? 0 : this.#failed / attempts }
  }

  /** True when the window holds >= minAttempts attempts and the failed share reaches failureRatio. */
  shouldDisable(): boolean {
    const { attempts, failed } = this.stats()
    if (attempts < this.rule.minAttempts || attempts === 0) return false
    // Compare failed/attempts >= ratio without floating-point surprises (12/20 vs 0.6).
    return failed >= this.rule.failureRatio * attempts - 1e-9
  }
}
