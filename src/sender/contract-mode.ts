/**
 * The reference sender as a sender-contract command (docs/sender-contract.md): settings from the
 * environment, deliveries as NDJSON lines (each line one delivery: a notification, or an array of
 * them sent as one body, started as soon as its line arrives), events out as JSON lines. Ends when
 * the input has ended and every delivery has ended. I/O is injected; src/cli wires stdin/stdout.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import type { Clock } from '../clock/index.js'
import type { DeliveryResult } from './events.js'
import type { RetryProfile } from '../profile/index.js'
import { createSender, type SenderOptions } from './sender.js'
import { settingsFromEnv } from './settings.js'

/** Inputs of a contract run. */
export interface ContractRunOptions {
  /** NDJSON deliveries. */
  input: Readable
  /** Receives one JSON text per event (no newline). */
  write: (line: string) => void
  /** Sender-contract variables (FLUENTD_URL, WEBHOOK_*). */
  env: Record<string, string | undefined>
  profile?: RetryProfile
  clock?: Clock
  seed?: number
  attempt?: SenderOptions['attempt']
  /** Run the delivery path once against a throwaway loopback server first (default true). */
  warmUp?: boolean
}

/** What a contract run did. */
export interface ContractRunSummary {
  results: DeliveryResult[]
  /** Input lines that were not a notification or an array of them. */
  badLines: number
  disabled: boolean
}

/**
 * Runs the sender contract. Events written: `attempt` (one per finished attempt, with its outcome
 * and the next retry), `delivered`, `dropped`, `cancelled`, `disabled` (once, with the system
 * notification), `error` (an input line that is not a delivery). Throws FF_ERR_OPTION on bad env.
 */
export async function runContractSender(options: ContractRunOptions): Promise<ContractRunSummary> {
  const settings = settingsFromEnv(options.env)
  if (options.warmUp !== false && !options.attempt) await warmUp(options.profile)
  const sender = createSender(settings, {
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.attempt ? { attempt: options.attempt } : {}),
  })
  const out = (event: string, data: Record<string, unknown>): void => options.write(JSON.stringify({ event, ...data }))
  sender.on('attempt-end', ({ deliveryId, record, nextRetry }) =>
    out('attempt', {
      delivery: deliveryId,
      attempt: record.attempt,
      cycle: record.cycle,
      indexInCycle: record.indexInCycle,
      startedAt: record.startedAt,
      endedAt: record.endedAt,
      outcome: record.outcome,
      ok: record.ok,
      nextRetryMs: nextRetry?.intervalMs ?? null,
    }),
  )
  sender.on('ended', ({ deliveryId, result }) => {
    if (result.outcome !== 'disabled') out(result.outcome, { delivery: deliveryId, attempts: result.attempts.length })
  })
  sender.on('disabled', ({ stats, notification }) => out('disabled', { stats, notification }))

  const deliveries: Array<Promise<DeliveryResult>> = []
  let badLines = 0
  let lineNo = 0
  const lines = createInterface({ input: options.input, crlfDelay: Infinity })
  for await (const line of lines) {
    lineNo++
    if (line.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(line)
    } catch {
      value = undefined
    }
    const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v)
    if (!(isObject(value) || (Array.isArray(value) && value.every(isObject)))) {
      badLines++
      out('error', { line: lineNo, message: 'not a notification object or an array of them' })
      continue
    }
    deliveries.push(sender.deliver(value as Record<string, unknown>))
  }
  const results = await Promise.all(deliveries)
  return { results, badLines, disabled: sender.disabled }
}

/**
 * Runs one delivery (a 500, then a 200) through the whole sender path against a throwaway plain-HTTP
 * server on 127.0.0.1 in this process, so that the first real answer does not run through cold code
 * (module loading, undici's parser, the sender loop, the event formatting): a fresh process otherwise
 * starts its first retry some 25-30 ms late. It contacts nothing but itself.
 */
async function warmUp(profile: RetryProfile | undefined): Promise<void> {
  let answered = 0
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.statusCode = answered++ === 0 ? 500 : 200
      res.end('warm-up')
    })
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', resolve)
    })
    const { port } = server.address() as AddressInfo
    const sender = createSender(
      { url: `http://127.0.0.1:${port}/warm.up`, requestTimeoutMs: 5_000_000, connectTimeoutMs: 5_000_000 },
      { ...(profile ? { profile } : {}), timeScale: 1e-6 },
    )
    sender.on('attempt-end', ({ record, nextRetry }) => void JSON.stringify({ event: 'attempt', ...record, nextRetryMs: nextRetry?.intervalMs ?? null }))
    await sender.deliver({ warmUp: true })
    await sender.close()
  } catch {
    // A warm-up that cannot run (no loopback) only costs the first retry a few ms.
  } finally {
    server.closeAllConnections()
    server.close()
  }
}
