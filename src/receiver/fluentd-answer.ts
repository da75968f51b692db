/**
 * Answering as Fluentd's in_http once the body is read: decode (gzip/deflate), parse and validate
 * ONCE per exchange (bodyOf caches it), for both the normal path (answerAsFluentd) and a fault's
 * answer (faultEvents, recordVerdicts). The body pipeline is asynchronous: decoding, parsing and
 * validating may yield to the event loop.
 * @see docs/design.md "Answering as Fluentd"
 */
import { inflateSync, gunzipSync } from 'node:zlib'
import type { Journal } from '../journal/journal.js'
import type { JournalEvent } from '../journal/types.js'
import type { ValidationMode, Validator, Verdict } from '../validation/types.js'
import type { Clock } from '../clock/index.js'
import type { BodyOutcome, Exchange, Exchanges } from './exchange.js'
import { rubyErrorClass, type FluentdLog } from './fluentd-log.js'
import { parseRequestBody } from './parse-body.js'
import { fluentdErrorBody } from './responses.js'

/** Gzip/deflate output limit (Fluentd v1.19's decompression_size_limit default). */
const MAX_DECOMPRESSED = 256 * 1024 * 1024

/** A header the request must carry (`--require-header`), name in lower case. */
export interface RequiredHeader {
  name: string
  value: string
}

export interface AnswerContext {
  journal: Journal
  clock: Clock
  /** Fluentd's own log lines. */
  log: FluentdLog
  exchanges: Exchanges
  validator?: Validator
  validate: ValidationMode
  strictParse: boolean
  successStatus: 200 | 204
  requireHeaders: readonly RequiredHeader[]
  onError(err: unknown): void
}

/** Gzip/deflate bodies decoded (rejects when they do not decode); any other encoding as it is. */
async function decompress(enc: string | undefined, body: Buffer): Promise<Buffer> {
  if (enc === 'gzip') return await Promise.resolve(gunzipSync(body, { maxOutputLength: MAX_DECOMPRESSED }))
  if (enc === 'deflate') return await Promise.resolve(inflateSync(body, { maxOutputLength: MAX_DECOMPRESSED }))
  return body
}

/** The message Ruby's Zlib gives for a body that does not decode (`not in gzip format`, ...). */
function decodeErrorText(enc: string | undefined, raw: Buffer, err: unknown): string {
  if (enc === 'gzip' && !(raw[0] === 0x1f && raw[1] === 0x8b)) return 'not in gzip format'
  return (err as Error).message
}

function verdictErrorText(verdicts: readonly Verdict[]): string {
  const lines: string[] = []
  for (const v of verdicts) {
    if (v.valid) continue
    for (const e of v.errors) lines.push(`notification ${v.index} (${v.type ?? 'unknown type'}): ${e.pointer || '/'} ${e.message}`)
  }
  return lines.join('\n')
}

export interface FluentdAnswer {
  /** Fluentd's own behaviour for a fully read request (the answer goes through the exchange). */
  answerAsFluentd(ex: Exchange, body: Buffer): Promise<void>
  /** Events a 2xx fault answer emits (parsed as Fluentd would; none when Fluentd would reject). */
  faultEvents(ex: Exchange, body: Buffer): Promise<JournalEvent[] | undefined>
  /** Schema verdicts of a faulted request's notifications, into the journal only (never answers). */
  recordVerdicts(ex: Exchange, body: Buffer): Promise<void>
}

export function createFluentdAnswer(ctx: AnswerContext): FluentdAnswer {
  const { journal, exchanges } = ctx

  /** The body decoded and parsed, once per exchange. */
  const bodyOf = (ex: Exchange, raw: Buffer): Promise<BodyOutcome> => {
    ex.parsed ??= (async (): Promise<BodyOutcome> => {
      let decoded: Buffer
      try {
        decoded = await decompress(ex.req.headers['content-encoding'], raw)
      } catch (err) {
        return { decoded: false, error: decodeErrorText(ex.req.headers['content-encoding'], raw, err) }
      }
      const parsed = await Promise.resolve(parseRequestBody({ contentType: ex.req.headers['content-type'], query: ex.query, body: decoded, arrivalTime: ex.arrivalS }))
      return { decoded: true, ...parsed }
    })()
    return ex.parsed
  }

  /** Verdicts of the parsed events, undefined when validation is off or fails internally. */
  const verdictsOf = async (events: readonly JournalEvent[]): Promise<Verdict[] | undefined> => {
    if (!ctx.validator || ctx.validate === 'off' || events.length === 0) return undefined
    try {
      return await Promise.resolve(ctx.validator.validateAll(events.map((e) => e.record)))
    } catch (err) {
      ctx.onError(err)
      return undefined
    }
  }

  /** The first required header missing or wrong, as the 401's reason. */
  const missingHeader = (ex: Exchange): string | undefined => {
    for (const h of ctx.requireHeaders) {
      const got = ex.req.headers[h.name]
      const value = Array.isArray(got) ? got.join(', ') : got
      if (value !== h.value) return value === undefined ? `missing header ${h.name}` : `wrong value of header ${h.name}`
    }
    return undefined
  }

  return {
    async answerAsFluentd(ex, raw) {
      const method = ex.req.method
      if (method === 'GET') return exchanges.answer(ex, 200, '', { close: true })
      if (method === 'OPTIONS') return exchanges.answer(ex, 403, '', { close: true })
      const why401 = missingHeader(ex)
      if (why401 !== undefined) return exchanges.answer(ex, 401, fluentdErrorBody(401, why401), { error: why401, processed: true })
      const parsed = await bodyOf(ex, raw)
      if (!parsed.decoded) {
        const enc = ex.req.headers['content-encoding'] ?? ''
        ctx.log.emit({ type: 'decode-failed', level: 'warn', at: ctx.clock.wallNow(), message: parsed.error })
        return exchanges.answer(ex, 400, '', { close: true, error: `${enc} body does not decode: ${parsed.error}` })
      }
      const head = method === 'HEAD'
      if (!parsed.ok) {
        ctx.log.emit({ type: 'process-failed', level: 'error', at: ctx.clock.wallNow(), errorClass: rubyErrorClass(parsed.message), message: parsed.message })
        return exchanges.answer(ex, 400, fluentdErrorBody(400, parsed.message), { error: parsed.message, forceBody: head, processed: true })
      }
      if (ctx.strictParse && (parsed.dropped.length > 0 || parsed.events.length === 0)) {
        const why = parsed.dropped.length > 0 ? parsed.dropped.join('; ') : 'no records in the body'
        return exchanges.answer(ex, 400, fluentdErrorBody(400, why), { error: why, forceBody: head, processed: true })
      }
      const verdicts = await verdictsOf(parsed.events)
      if (verdicts) {
        journal.update(ex.entry, { verdicts })
        if (ctx.validate === 'strict' && verdicts.some((v) => !v.valid)) {
          const why = verdictErrorText(verdicts)
          return exchanges.answer(ex, 400, fluentdErrorBody(400, why), { error: why, processed: true })
        }
      }
      const opts = parsed.dropped.length > 0 ? { events: parsed.events, error: `ignored: ${parsed.dropped.join('; ')}`, processed: true } : { events: parsed.events, processed: true }
      exchanges.answer(ex, ctx.successStatus, '', opts)
    },
    async faultEvents(ex, raw) {
      const parsed = await bodyOf(ex, raw)
      return parsed.decoded && parsed.ok ? parsed.events : undefined
    },
    async recordVerdicts(ex, raw) {
      if (!ctx.validator || ctx.validate === 'off') return
      try {
        const parsed = await bodyOf(ex, raw)
        if (!parsed.decoded || !parsed.ok) return
        const verdicts = await verdictsOf(parsed.events)
        if (verdicts) journal.update(ex.entry, { verdicts })
      } catch {
        // A body that does not parse has no verdicts; the fault's answer is unaffected.
      }
    },
  }
}
