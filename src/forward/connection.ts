/**
 * One forward connection, as in_forward's handle_connection: with `<security>` it sends HELO and
 * waits for PING before anything else; then it reads msgpack messages one after the other (each
 * bounded by the frame scanner), journals each as one entry, emits its events and answers `ack`
 * for a `chunk`, unless a fault rule says otherwise. Bytes that are not msgpack, and events
 * in_forward cannot emit, are logged and the connection is closed, as Fluentd's server helper does.
 * @see README.md "Forward protocol"
 */
import { hash, randomBytes } from 'node:crypto'
import type { Socket } from 'node:net'
import { encode } from '@msgpack/msgpack'
import type { TimerHandle } from '../clock/index.js'
import type { JournalEntry, JournalEvent } from '../journal/index.js'
import type { ForwardFaultDecision, ForwardFaults } from './faults.js'
import { FrameError, type FrameLimits } from './frame-scanner.js'
import { checkPing, helo, newSession, pong, type HandshakeSession } from './handshake.js'
import type { ForwardLog } from './log.js'
import { interpretMessage, type ForwardEvent, type MessageSettings } from './message.js'
import { decodeRaw, decodeValue, forwardExtensionCodec } from './msgpack.js'
import { createReader } from './reader.js'
import type { ForwardOptions, ForwardParts } from './types.js'

export interface ConnectionContext extends ForwardParts {
  options: ForwardOptions
  settings: MessageSettings
  limits: FrameLimits
  faults: ForwardFaults
  log: ForwardLog
  messageTimeoutMs: number
  handshakeTimeoutMs: number
  /** Attempts per delivery key (shared by the connections of a listener). */
  attempts: Map<string, number>
  /** Resolves the client's host name for source_hostname_key (getnameinfo), else the address. */
  remoteHost(address: string, port: number): Promise<string>
}

const MAX_ATTEMPT_KEYS = 100_000

function toJournalEvents(events: ForwardEvent[]): JournalEvent[] {
  return events.map((e) => ({ time: e.time.sec + e.time.nsec / 1e9, eventTime: e.time, record: e.record as Record<string, unknown> }))
}

/** A JSON message as Yajl reads it; a parse failure is logged as Yajl's. */
function parseJson(frame: Buffer): unknown {
  try {
    const msg: unknown = JSON.parse(frame.toString('utf8'))
    // A string of entries is PackedForward to in_forward (a Ruby String either way).
    if (Array.isArray(msg) && typeof msg[1] === 'string') msg[1] = Buffer.from(msg[1], 'utf8')
    return msg
  } catch (err) {
    throw new FrameError(`not JSON: ${(err as Error).message}`, { errorClass: 'Yajl::ParseError', message: (err as Error).message })
  }
}

let nextConnectionId = 1

export function handleConnection(socket: Socket, ctx: ConnectionContext, tlsInfo?: () => JournalEntry['tls']): void {
  const { journal, clock, log } = ctx
  const connectionId = nextConnectionId++
  const connectedMono = clock.now()
  const remoteAddress = socket.remoteAddress ?? ''
  const remotePort = socket.remotePort ?? 0
  const security = ctx.options.security
  let state: 'pingpong' | 'established' | 'stalled' | 'done' = 'established'
  let session: HandshakeSession | undefined
  // JSON (first byte { or [) as in_forward's read_messages, except under a handshake (PING is msgpack).
  const reader = createReader(ctx.limits, !security)
  let messages = 0
  let messageTimer: TimerHandle | undefined
  let handshakeTimer: TimerHandle | undefined
  let hostName: string | undefined
  let refuseFault: ForwardFaultDecision | undefined
  /** Set when this side ends the connection: messages still queued are not handled. */
  let cut = false
  // Messages wait for the host name (source_hostname_key) and for each other (acks in order).
  let chain: Promise<void> = ctx.options.sourceHostnameKey !== undefined ? ctx.remoteHost(remoteAddress, remotePort).then((h) => void (hostName = h)) : Promise.resolve()

  const base = () => ({ connectionId, remoteAddress, remotePort, ...(tlsInfo ? { tls: tlsInfo() } : {}) })
  const connectionEntry = (outcome: 'refused' | 'stalled' | 'client-aborted' | 'reset' | 'closed', error: string, fault?: { explain: string; index: number }) => {
    const entry = journal.add({ kind: 'connection', ...base(), ...(fault ? { fault: { ruleIndex: fault.index, step: 'then' as const, explain: fault.explain } } : {}) })
    journal.complete(entry, { outcome, error })
  }
  /** An answer in the connection's format (in_forward's serializer: to_msgpack or to_json). */
  const write = (value: unknown): void => {
    if (socket.destroyed) return
    socket.write(reader.format === 'json' ? JSON.stringify(value) : encode(value, { extensionCodec: forwardExtensionCodec }))
  }
  const clearTimers = (): void => {
    if (messageTimer) clock.clearTimer(messageTimer)
    if (handshakeTimer) clock.clearTimer(handshakeTimer)
    messageTimer = handshakeTimer = undefined
  }
  const finish = (how: 'end' | 'reset'): void => {
    state = 'done'
    cut = true
    clearTimers()
    if (how === 'reset') socket.resetAndDestroy()
    else socket.end()
  }
  const logWarn = (text: string, level: 'warn' | 'error' = 'warn'): void => log.emit({ level, at: clock.wallNow(), text })
  /**
   * in_forward's server helper on an exception while reading: `unexpected error on reading data`
   * (then the connection is closed, with SO_LINGER 0: a reset). Fluentd's class and text where it
   * fails on the same input, else ours (limits Fluentd does not have).
   */
  const readError = (err: unknown): void => {
    const f = err instanceof FrameError ? err.fluentd : undefined
    const errorClass = f?.errorClass ?? (err instanceof FrameError ? 'FakeFluentd::LimitError' : 'RuntimeError')
    const message = f?.message ?? (err as Error).message
    logWarn(`unexpected error on reading data host="${remoteAddress}" port=${remotePort} error_class=${errorClass} error=${JSON.stringify(message)}`, 'error')
  }

  if (security) {
    const fault = ctx.faults.decide('handshake')
    session = newSession()
    state = 'pingpong'
    if (fault?.rule.action === 'stall-handshake') {
      // Nothing is sent and nothing read: the client waits for a HELO that never comes.
      state = 'stalled'
      const entry = journal.add({ kind: 'connection', ...base(), fault: { ruleIndex: fault.index, step: 'then', explain: fault.explain } })
      socket.once('close', () => journal.complete(entry, { outcome: 'stalled', error: 'handshake stalled by a fault: no HELO sent' }))
    } else {
      write(helo(session))
      handshakeTimer = clock.setTimer(() => {
        connectionEntry('reset', `no PING within ${ctx.handshakeTimeoutMs} ms of the HELO`)
        finish('reset')
      }, ctx.handshakeTimeoutMs)
      if (fault?.rule.action === 'refuse-key') refuseFault = fault
    }
  }

  const onPing = (frame: Buffer): void => {
    if (handshakeTimer) clock.clearTimer(handshakeTimer)
    handshakeTimer = undefined
    const s = session!
    let result = checkPing(decodeRaw(frame), security!, s, remoteAddress)
    if (refuseFault) result = { ok: false, reason: refuseFault.rule.reason ?? 'shared_key mismatch' }
    write(pong(result, security!, s))
    if (!result.ok) {
      if (result.warning) logWarn(result.warning)
      connectionEntry('refused', `handshake refused: ${result.reason}`, refuseFault)
      finish('end')
      return
    }
    state = 'established'
  }

  const onFrame = (frame: Buffer): void => {
    messages++
    const received = { receivedAt: clock.wallNow(), receivedMono: clock.now(), n: messages }
    chain = chain.then(() => onMessage(frame, received)).catch((err: unknown) => ctx.onError?.(err))
  }

  const onMessage = async (frame: Buffer, received: { receivedAt: number; receivedMono: number; n: number }): Promise<void> => {
    if (cut) return
    const entry = journal.add({ kind: 'request', protocol: 'forward', ...base(), connectedMono, receivedAt: received.receivedAt, receivedMono: received.receivedMono, requestOnConnection: received.n, bodySize: frame.length, forward: { eventCount: 0, ack: 'not-sent' } })
    let read
    try {
      const msg = reader.format === 'json' ? parseJson(frame) : decodeValue(frame, true)
      read = interpretMessage(msg, frame.length, ctx.settings, { remoteAddress, remoteHost: hostName ?? remoteAddress, now: clock.wallNow() })
    } catch (err) {
      readError(err)
      journal.complete(entry, { outcome: 'reset', error: (err as Error).message })
      finish('reset')
      return
    }
    if (read.kind === 'nothing' || read.kind === 'broken') {
      if (read.kind === 'broken') logWarn(read.warning)
      journal.complete(entry, { outcome: 'answered', forward: { eventCount: 0, ack: 'none' }, ...(read.kind === 'broken' ? { error: 'incoming chunk is broken' } : {}) })
      return
    }
    for (const w of read.warnings) logWarn(w)
    const deliveryKey = read.chunk !== undefined ? `forward:${read.chunk}` : `forward:${read.tag}#${hash('sha1', frame, 'base64url')}`
    const attempt = (ctx.attempts.get(deliveryKey) ?? 0) + 1
    if (ctx.attempts.size >= MAX_ATTEMPT_KEYS && attempt === 1) ctx.attempts.clear()
    ctx.attempts.set(deliveryKey, attempt)
    const info = { mode: read.mode, eventCount: read.events.length, ...(read.chunk !== undefined ? { chunk: read.chunk } : {}), ...(read.dropped ? { dropped: read.dropped } : {}) }
    journal.update(entry, { tag: read.tag, deliveryKey, attempt, forward: { ...info, ack: 'not-sent' } })
    const decision = ctx.faults.decide('message', { tag: read.tag, mode: read.mode, attempt })
    const fault = decision ? { fault: { ruleIndex: decision.index, step: 'then' as const, explain: decision.explain } } : {}
    const events = read.dropped ? [] : toJournalEvents(read.events)
    const chunk = read.chunk
    switch (decision?.rule.action) {
      case 'reset':
      case 'close':
        journal.complete(entry, { ...fault, outcome: decision.rule.action === 'reset' ? 'reset' : 'closed', forward: { ...info, ack: 'not-sent' }, error: `${decision.rule.action} after reading the message (fault)` })
        finish(decision.rule.action === 'reset' ? 'reset' : 'end')
        return
      case 'withhold-ack':
        journal.complete(entry, { ...fault, outcome: 'hung', forward: { ...info, ack: chunk === undefined ? 'none' : 'withheld' }, error: 'ack withheld (fault): events not emitted' })
        return
      case 'wrong-ack':
        if (chunk !== undefined) write({ ack: randomBytes(16).toString('base64') })
        journal.complete(entry, { ...fault, outcome: 'answered', forward: { ...info, ack: chunk === undefined ? 'none' : 'wrong' }, error: 'ack with a wrong chunk id (fault): events not emitted' })
        return
      case 'ack-late': {
        const delay = decision.rule.delayMs ?? 0
        journal.update(entry, fault)
        clock.setTimer(() => {
          journal.completeThen(entry, { outcome: socket.destroyed ? 'client-aborted' : 'answered', events, forward: { ...info, ack: chunk === undefined ? 'none' : socket.destroyed ? 'not-sent' : 'late' } }, (err) => {
            if (err === undefined && chunk !== undefined) write({ ack: chunk })
          })
        }, delay)
        return
      }
      case 'ack':
      case undefined:
      case 'stall-handshake':
      case 'refuse-key':
      case 'drop-heartbeat':
        break
    }
    // As in_forward: an ack for every chunk, even for a message it dropped (but not over chunk_size_limit or without a record).
    const ackable = chunk !== undefined && read.dropped !== 'chunk_size_limit' && read.dropped !== 'no record'
    await new Promise<void>((done) => {
      journal.completeThen(entry, { ...fault, outcome: 'answered', events, forward: { ...info, ack: ackable ? 'sent' : 'none' } }, (err) => {
        if (err === undefined && ackable) write({ ack: chunk })
        else if (err !== undefined) {
          // The journal file could not take the events: no ack (the client resends), as a failed emit.
          logWarn(`failed to emit data error="${(err as Error).message}"`, 'error')
          journal.complete(entry, { outcome: 'answered', forward: { ...info, ack: 'not-sent' }, error: (err as Error).message })
        }
        done()
      })
    })
  }

  socket.on('data', (data: Buffer) => {
    if (state === 'done' || state === 'stalled') return
    reader.push(data)
    for (;;) {
      let frame: Buffer | undefined
      try {
        frame = reader.next()
      } catch (err) {
        readError(err)
        connectionEntry('reset', `not read: ${(err as Error).message}`)
        finish('reset')
        return
      }
      if (!frame) {
        if (reader.held > 0 && !messageTimer && ctx.messageTimeoutMs > 0) {
          messageTimer = clock.setTimer(() => {
            connectionEntry('reset', `message not complete ${ctx.messageTimeoutMs} ms after its first byte (${reader.held} bytes read)`)
            finish('reset')
          }, ctx.messageTimeoutMs)
        }
        return
      }
      if (messageTimer) clock.clearTimer(messageTimer)
      messageTimer = undefined
      if (state === 'pingpong') {
        onPing(frame)
        if (cut) return
      } else onFrame(frame)
    }
  })
  socket.on('error', () => {
    // ECONNRESET and the like: the close below settles what is open.
  })
  socket.on('close', () => {
    if (state !== 'done' && reader.held > 0) connectionEntry('client-aborted', `connection closed mid-message (${reader.held} bytes of an incomplete message)`)
    state = 'done'
    clearTimers()
  })
}
