/**
 * Pipelined requests (issue 19 item 1): 1,500 POSTs written 100 at a time on one connection, by a
 * client that reads no answer until it has written everything (so the answers back up and node
 * pauses the parser). Every request is answered, in order, over TLS and plain HTTP, and the journal
 * says exactly that (the real Fluentd answers pipelined requests in order too; it refuses none).
 */
import { connect as netConnect, type Socket } from 'node:net'
import { connect as tlsConnect } from 'node:tls'
import { describe, expect, it } from 'vitest'
import type { Receiver } from '../../../src/receiver/types.js'
import { startTestReceiver, waitFor } from '../../helpers/receiver.js'

const N = 1500
const post = (i: number): string => {
  const body = `{"i":${i}}`
  return `POST /pipe.${i} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`
}

async function pipeline(r: Receiver, tls: boolean): Promise<{ statuses: string[]; ended: string }> {
  const sock: Socket = tls ? tlsConnect({ port: r.port, host: '127.0.0.1', ca: r.ca, servername: 'localhost' }) : netConnect(r.port, '127.0.0.1')
  let text = ''
  let ended = 'open'
  sock.on('error', (e: NodeJS.ErrnoException) => (ended = e.code ?? 'error'))
  sock.on('close', () => (ended = ended === 'open' ? 'closed' : ended))
  await new Promise((resolve) => sock.once(tls ? 'secureConnect' : 'connect', resolve))
  sock.on('data', (d: Buffer) => (text += d.toString('latin1')))
  // Read nothing until every request is written: the answers back up on the server.
  sock.pause()
  // 15 writes in one go (each a TLS record of 100 requests): one server read then holds many records.
  let written: Promise<unknown> = Promise.resolve()
  for (let i = 0; i < N; i += 100) {
    let chunk = ''
    for (let j = i; j < i + 100; j++) chunk += post(j)
    written = new Promise((resolve) => sock.write(chunk, resolve))
  }
  await written
  await new Promise((resolve) => setTimeout(resolve, 300))
  sock.resume()
  const statuses = await waitFor(() => {
    const s = [...text.matchAll(/HTTP\/1\.1 (\d+)/g)].map((m) => m[1]!)
    return s.length >= N || ended !== 'open' ? s : undefined
  }, 20_000)
  sock.destroy()
  return { statuses, ended }
}

describe.each([
  ['HTTPS', true],
  ['plain HTTP', false],
])('%s: 1,500 pipelined requests on one connection', (_name, tls) => {
  it('are all answered 200, in order, and journaled as answered', async () => {
    const r = await startTestReceiver(tls ? {} : { tls: false })
    const { statuses, ended } = await pipeline(r, tls)
    expect({ answers: statuses.length, ended }).toEqual({ answers: N, ended: 'open' })
    expect(new Set(statuses)).toEqual(new Set(['200']))
    const entries = await waitFor(() => {
      const e = r.journal.entries()
      return e.length >= N && e.every((x) => x.outcome !== 'pending') ? e : undefined
    })
    expect(entries.filter((e) => e.outcome !== 'answered').map((e) => e.error)).toEqual([])
    expect(entries.map((e) => e.path)).toEqual(Array.from({ length: N }, (_, i) => `/pipe.${i}`))
    expect(entries.map((e) => e.requestOnConnection)).toEqual(Array.from({ length: N }, (_, i) => i + 1))
  })
})
