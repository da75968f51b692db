/** Shared bits of the forward tests: a fake with a forward listener, raw msgpack sockets, journal waits. */
import { mkdtempSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeMulti, encode } from '@msgpack/msgpack'
import { onTestFinished } from 'vitest'
import { forwardExtensionCodec, type ForwardOptions } from '../../../src/forward/index.js'
import type { JournalEntry } from '../../../src/journal/index.js'
import { startReceiver } from '../../../src/server/index.js'

export type Fake = Awaited<ReturnType<typeof startReceiver>> & { forwardPort: number }

export async function startFake(forward: Partial<ForwardOptions> = {}, extra: Parameters<typeof startReceiver>[0] = {}): Promise<Fake> {
  const r = await startReceiver({ port: 0, tls: false, adminPort: false, certDir: mkdtempSync(join(tmpdir(), 'ff-fwd-')), ...extra, forward: { port: 0, ...forward } })
  onTestFinished(() => r.close())
  return Object.assign(r, { forwardPort: r.forward!.port })
}

export function pack(value: unknown): Uint8Array {
  return encode(value, { extensionCodec: forwardExtensionCodec })
}

/** A raw TCP client that collects what the server sends and how the connection ended. */
export interface RawClient {
  socket: Socket
  received: () => Buffer
  values: () => unknown[]
  ended: Promise<'end' | 'reset' | 'close'>
}

export async function rawClient(port: number): Promise<RawClient> {
  const socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  let data = Buffer.alloc(0)
  socket.on('data', (d: Buffer) => (data = Buffer.concat([data, d])))
  let how: 'end' | 'reset' | 'close' = 'close'
  socket.on('end', () => (how = 'end'))
  const ended = new Promise<'end' | 'reset' | 'close'>((resolve) => {
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') how = 'reset'
    })
    socket.on('close', () => resolve(how))
  })
  onTestFinished(() => void socket.destroy())
  return { socket, received: () => data, values: () => [...decodeMulti(data, { extensionCodec: forwardExtensionCodec })], ended }
}

/** Waits (bounded) until `pred` holds over the journal's entries. */
export async function waitFor<T>(fn: () => T | undefined | false, ms = 5000): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = fn()
    if (v) return v
    if (Date.now() - t0 > ms) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

export function forwardEntries(fake: Fake): JournalEntry[] {
  return fake.journal.entries().filter((e) => e.kind === 'request' && e.protocol === 'forward')
}

export function settled(fake: Fake, n: number, kind?: JournalEntry['kind']): Promise<JournalEntry[]> {
  return waitFor(() => {
    const es = fake.journal.entries().filter((e) => e.outcome !== 'pending' && (kind === undefined || e.kind === kind))
    return es.length >= n ? es : undefined
  })
}
