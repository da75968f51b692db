/**
 * Carrying out a fault's response action: one executor per action type, in a lookup table (the way
 * mockttp keeps one implementation per handler step). Each executor ends the exchange through the
 * exchange's guard, so an exchange the client already left is never answered.
 * @see docs/design.md "Fault plans"
 */
import type { Clock } from '../clock/index.js'
import type { ResponseAction } from '../faults/index.js'
import type { Journal } from '../journal/index.js'
import type { Exchange, Exchanges } from './exchange.js'
import type { FluentdAnswer } from './fluentd-answer.js'
import { resetSocket, statusText } from './responses.js'

export interface ActionContext {
  journal: Journal
  clock: Clock
  exchanges: Exchanges
  fluentd: FluentdAnswer
  /** Schedules on the receiver's clock (cancelled when the receiver closes). */
  setTimer(fn: () => void, ms: number): void
  /** Stops accepting connections for `durationMs`. */
  refuse(durationMs: number): void
  onError(err: unknown): void
}

type Executor<T extends ResponseAction['type']> = (ctx: ActionContext, ex: Exchange, body: Buffer, action: Extract<ResponseAction, { type: T }>) => void | Promise<void>

const isConnectionClose = (headers: Record<string, string> | undefined): boolean =>
  Object.entries(headers ?? {}).some(([n, v]) => n.toLowerCase() === 'connection' && /close/i.test(v))

const is2xx = (status: number): boolean => status >= 200 && status < 300

/** Status and headers at once, then the body in up to 20 pieces over the action's duration. */
const slowBody: Executor<'slow-body'> = async (ctx, ex, body, action) => {
  const events = is2xx(action.status) ? await ctx.fluentd.faultEvents(ex, body) : undefined
  if (!ctx.exchanges.claim(ex)) return
  const { entry, conn } = ex
  // An empty body cannot be dribbled; send 16 spaces so the client really waits.
  const payload = Buffer.from(action.body && action.body.length > 0 ? action.body : ' '.repeat(16))
  // As every answer: its line is in the journal file before the first byte goes out, and a failed
  // write (or an event that cannot be written) sends nothing: the connection is reset instead.
  ctx.journal.completeThen(entry, { status: action.status, outcome: 'answered', events, responseBody: payload.toString('utf8') }, (err) => {
    if (err === undefined) return dribble(ctx, ex, action, payload)
    ctx.onError(err)
    ctx.journal.complete(entry, { outcome: 'reset', error: `journal write failed: ${(err as Error).message}` })
    resetSocket(conn.raw)
  })
}

function dribble(ctx: ActionContext, ex: Exchange, action: Extract<ResponseAction, { type: 'slow-body' }>, payload: Buffer): void {
  const { conn, res } = ex
  const headers: string[] = []
  let hasCt = false
  for (const [n, v] of Object.entries(action.headers ?? {})) {
    const lower = n.toLowerCase()
    if (lower === 'content-length' || lower === 'connection') continue
    if (lower === 'content-type') hasCt = true
    headers.push(n, v)
  }
  if (!hasCt) headers.push('Content-Type', 'text/plain')
  headers.push('Connection', 'Keep-Alive', 'Content-Length', String(payload.length))
  try {
    res.sendDate = false
    res.writeHead(action.status, statusText(action.status), headers)
    res.flushHeaders()
  } catch (err) {
    ctx.onError(err)
    resetSocket(conn.raw)
    return
  }
  const pieces = Math.min(payload.length, 20)
  const step = Math.max(1, Math.ceil(payload.length / pieces))
  const intervalMs = action.durationMs / pieces
  let sent = 0
  const sendNext = (): void => {
    if (conn.raw.destroyed) return
    const next = payload.subarray(sent, sent + step)
    sent += next.length
    if (sent >= payload.length) {
      res.end(next, () => ctx.exchanges.ended(ex))
    } else {
      res.write(next)
      ctx.setTimer(sendNext, intervalMs)
    }
  }
  ctx.setTimer(sendNext, intervalMs)
}

const executors: { [T in ResponseAction['type']]: Executor<T> } = {
  pass: (ctx, ex, body) => ctx.fluentd.answerAsFluentd(ex, body),
  respond: async (ctx, ex, body, action) => {
    const events = is2xx(action.status) ? await ctx.fluentd.faultEvents(ex, body) : undefined
    // `Connection: close` from the plan (the engine adds it before a stall-tls step) ends the connection.
    ctx.exchanges.answer(ex, action.status, action.body ?? '', { headers: action.headers, events, close: isConnectionClose(action.headers) })
  },
  hang: (_ctx, ex) => {
    // Never answer; settled as 'hung' when the connection ends (client gave up, or shutdown).
    if (ex.conn.open.has(ex.entry)) ex.conn.open.set(ex.entry, 'hung')
  },
  reset: (ctx, ex) => ctx.exchanges.cut(ex, 'reset', 'reset'),
  close: (ctx, ex) => ctx.exchanges.cut(ex, 'closed', 'close'),
  'slow-body': slowBody,
  refuse: (ctx, ex, _body, action) => {
    ctx.exchanges.cut(ex, 'refused', 'reset')
    ctx.refuse(action.durationMs)
  },
}

/** Carries out a fault's action (after its delay); nothing when the exchange already ended. */
export async function executeAction(ctx: ActionContext, ex: Exchange, body: Buffer, action: ResponseAction): Promise<void> {
  if (!ctx.exchanges.isOpen(ex) || ex.conn.raw.destroyed) return
  const run = executors[action.type] as Executor<ResponseAction['type']> | undefined
  if (!run) {
    ctx.onError(new Error(`unknown response action ${JSON.stringify(action)}`))
    await ctx.fluentd.answerAsFluentd(ex, body)
    return
  }
  await run(ctx, ex, body, action)
}
