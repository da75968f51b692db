/**
 * Sender adapters: how the runner drives a sender under test, one session per scenario.
 * @see docs/sender-contract.md
 */
import type { ConformanceSettings, SenderEnd, SenderEvent } from '../types.js'

/** One scenario's sender: deliveries go in over time; events come out. */
export interface SenderSession {
  /** Starts one delivery now: `notifications` make one request body (`batch`: handed as an array). */
  deliver(notifications: Array<Record<string, unknown>>, batch: boolean): void
  /** No more deliveries: resolves when the sender has ended every delivery (or died). */
  end(): Promise<SenderEnd>
  /** Resolves when the sender ends by itself or dies; never rejects. */
  readonly ended: Promise<SenderEnd>
  /** Stops the sender at once (deadline or scenario done); idempotent. */
  kill(): Promise<SenderEnd>
  /**
   * The process the runner started for this session (a command sender: the leader of its process
   * group), whose processes' wait for a CPU is measured (sender-wait.ts); absent when there is none.
   */
  readonly pid?: number
}

export interface SessionOptions {
  settings: ConformanceSettings
  scenarioId: string
  /** Called for every event the sender reports, stamped with the runner's monotonic time. */
  onEvent(event: SenderEvent): void
}

export interface SenderAdapter {
  /** For reports: `builtin`, `command: CMD`, `url: URL`. */
  readonly label: string
  /** Whether sessions always report events (builtin); command senders report them when they print any. */
  readonly reportsEvents: boolean
  /** The sender runs in the runner's process (builtin): its timers share the runner's event loop. */
  readonly inProcess?: boolean
  start(options: SessionOptions): Promise<SenderSession>
}

/** Parses one stdout line of a sender: a JSON object with an `event` field, else undefined. */
export function parseEventLine(line: string, mono: number): SenderEvent | undefined {
  const text = line.trim()
  if (!text.startsWith('{')) return undefined
  try {
    const value = JSON.parse(text) as unknown
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof (value as { event?: unknown }).event === 'string') {
      const data = value as Record<string, unknown>
      return { event: data.event as string, mono, data }
    }
  } catch {
    // not JSON: a human line, ignored
  }
  return undefined
}
