/**
 * Answering as Fluentd's in_http once the body is read: decode (gzip/deflate), parse and validate,
 * each bounded (README "Limits": 413 beyond the inflate limit, the record cap or the record size),
 * ONCE per exchange (bodyOf caches it), for both the normal path (answerAsFluentd) and a fault's
 * answer (faultEvents, recordVerdicts). The body pipeline is asynchronous: decoding, parsing and
 * validating may yield to the event loop.
 * @see docs/design.md "Answering as Fluentd"
 */
import type { Journal, JournalEvent } from '../journal/index.js'
import { VALIDATE_SLICE, validateAllSliced, verdictErrorText, type ValidationMode, type Validator, type Verdict } from '../validation/index.js'
import type { Clock } from '../clock/index.js'
import type { BodyOutcome, Exchange, Exchanges } from './exchange.js'
import { rubyErrorClass, type FluentdLog } from './fluentd-log.js'
import { decodeBody } from './decode.js'
import { parseRequestBody, recordsFromJsonBody } from './parse-body.js'
import { fluentdErrorBody, TOO_LARGE } from './responses.js'

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
  /** Most bytes a gzip/deflate body may inflate to (413 beyond). */
  inflateLimit: number
  /** Most records in one request (413 beyond). */
  maxRecords: number
  /** Largest single record, bytes (413 beyond). */
  maxRecordSize: number
  /** Most nesting levels of a record (deeper ones are dropped). */
  maxRecordDepth: number
  onError(err: unknown): void
}

/** The message Ruby's Zlib gives for a body that does not decode (`not in gzip format`, ...), for Fluentd's log line. */
function decodeErrorText(enc: string | undefined, raw: Buffer, message: string): string {
  if (enc === 'gzip' && !(raw[0] === 0x1f && raw[1] === 0x8b)) return 'not in gzip format'
  const prefix = `${enc} body does not decode: `
  return message.startsWith(prefix) ? message.slice(prefix.length) : message
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
      const enc = ex.req.headers['content-encoding']
      const decoded = await decodeBody(enc, raw, { inflateLimit: ctx.inflateLimit })
      if (!decoded.ok) return { decoded: false, status: decoded.status, error: decoded.message, logText: decodeErrorText(enc, raw, decoded.message) }
      const parsed = await parseRequestBody({
        contentType: ex.req.headers['content-type'],
        query: ex.query,
        body: decoded.body,
        // The journal's text of the body as sent (when not cut): the same UTF-8 decoding, done once.
        bodyText: decoded.body === raw && ex.entry.bodyTruncated !== true ? ex.entry.body : undefined,
        arrivalTime: ex.arrivalS,
        maxRecords: ctx.maxRecords,
        maxRecordSize: ctx.maxRecordSize,
        maxRecordDepth: ctx.maxRecordDepth,
      })
      return { decoded: true, ...parsed }
    })()
    return ex.parsed
  }

  /**
   * Verdicts of the parsed events, undefined when validation is off or fails internally. A batch
   * that needs no yield (at most VALIDATE_SLICE notifications, the common case) is judged at once,
   * without a promise.
   */
  const verdictsOf = (events: readonly JournalEvent[]): Verdict[] | undefined | Promise<Verdict[] | undefined> => {
    if (!ctx.validator || ctx.validate === 'off' || events.length === 0) return undefined
    const records = events.map((e) => e.record)
    const failed = (err: unknown): undefined => {
      ctx.onError(err)
      return undefined
    }
    if (records.length > VALIDATE_SLICE) return validateAllSliced(ctx.validator, records).catch(failed)
    try {
      return ctx.validator.validateAll(records)
    } catch (err) {
      return failed(err)
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
      if (!exchanges.isOpen(ex)) return
      // Over a limit (--inflate-limit, --max-records, --max-record-size): the same answer as a body over --body-limit.
      if ((!parsed.decoded || !parsed.ok) && parsed.status === 413) return exchanges.answer(ex, 413, TOO_LARGE, { close: true, error: parsed.decoded ? parsed.message : parsed.error })
      if (!parsed.decoded) {
        ctx.log.emit({ type: 'decode-failed', level: 'warn', at: ctx.clock.wallNow(), message: parsed.logText })
        return exchanges.answer(ex, 400, '', { close: true, error: parsed.error })
      }
      const head = method === 'HEAD'
      if (!parsed.ok) {
        ctx.log.emit({ type: 'process-failed', level: 'error', at: ctx.clock.wallNow(), errorClass: parsed.errorClass ?? rubyErrorClass(parsed.message), message: parsed.message })
        return exchanges.answer(ex, 400, fluentdErrorBody(400, parsed.message), { error: parsed.message, forceBody: head, processed: true })
      }
      if (ctx.strictParse && (parsed.dropped.length > 0 || parsed.events.length === 0)) {
        const why = parsed.dropped.length > 0 ? parsed.dropped.join('; ') : 'no records in the body'
        return exchanges.answer(ex, 400, fluentdErrorBody(400, why), { error: why, forceBody: head, processed: true })
      }
      const judged = verdictsOf(parsed.events)
      const verdicts = judged instanceof Promise ? await judged : judged
      if (!exchanges.isOpen(ex)) return
      if (verdicts) {
        journal.update(ex.entry, { verdicts })
        if (ctx.validate === 'strict' && verdicts.some((v) => !v.valid)) {
          const why = verdictErrorText(verdicts)
          return exchanges.answer(ex, 400, fluentdErrorBody(400, why), { error: why, processed: true })
        }
      }
      if (parsed.dropped.length > 0) {
        return exchanges.answer(ex, ctx.successStatus, '', { events: parsed.events, error: `ignored: ${parsed.dropped.join('; ')}`, processed: true })
      }
      // The body's records are all in the events: the journal file line need not hold the body twice.
      const enc = ex.req.headers['content-encoding']
      const bodyInEvents = ex.entry.bodyTruncated !== true && enc !== 'gzip' && enc !== 'deflate' && recordsFromJsonBody(ex.req.headers['content-type'], ex.query)
      exchanges.answer(ex, ctx.successStatus, '', { events: parsed.events, processed: true, bodyInEvents })
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
