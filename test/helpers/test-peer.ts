/**
 * A minimal HTTPS test peer for sender tests (its own self-signed CA), a TCP peer that never answers
 * the ClientHello, and a refused port. Bound to 127.0.0.1 port 0; every socket destroyed on close.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import { createServer as createNetServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { generate } from 'selfsigned'
import { onTestFinished } from 'vitest'

/** A CA and a server certificate it signed (SANs 127.0.0.1, localhost). */
export interface TestPki {
  caPem: string
  caFile: string
  key: string
  cert: string
}

let pki: Promise<TestPki> | undefined

/** The test CA and server certificate, created once per test file. */
export function testPki(): Promise<TestPki> {
  pki ??= (async () => {
    const ca = await generate([{ name: 'commonName', value: 'fake-fluentd test CA' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    })
    const server = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ],
    })
    const dir = mkdtempSync(join(tmpdir(), 'ff-sender-'))
    const caFile = join(dir, 'ca.pem')
    writeFileSync(caFile, ca.cert)
    return { caPem: ca.cert, caFile, key: server.private, cert: server.cert }
  })()
  return pki
}

/** What the peer does with one request. */
export type PeerAction =
  | { status: number; delayMs?: number; headers?: Record<string, string>; body?: string }
  | { action: 'hang' }
  | { action: 'reset' }
  | { action: 'close' }

/** A request as the peer saw it. */
export interface PeerRequest {
  method: string
  url: string
  headers: IncomingMessage['headers']
  body: string
  /** performance.now() when the request head arrived and when the body was complete. */
  arrivedAt: number
  /** performance.now() when the response was finished (or the connection cut). */
  answeredAt?: number
  /** Remote port: a new connection per attempt shows a new port. */
  remotePort: number | undefined
}

/** A running peer. */
export interface TestPeer {
  url: string
  port: number
  caPem: string
  caFile: string
  requests: PeerRequest[]
  /** Number of TCP connections accepted. */
  connections: () => number
  close(): Promise<void>
}

/**
 * Starts an HTTPS peer answering requests with `plan` in order, then with `fallback` (200 by default).
 * `plan` may also be a function of the 0-based request index.
 */
export async function startTestPeer(
  plan: PeerAction[] | ((index: number) => PeerAction) = [],
  fallback: PeerAction = { status: 200 },
): Promise<TestPeer> {
  const { key, cert, caPem, caFile } = await testPki()
  const requests: PeerRequest[] = []
  const sockets = new Set<Socket>()
  const rawByPort = new Map<number, Socket>()
  let connections = 0
  const pick = (i: number): PeerAction => (typeof plan === 'function' ? plan(i) : (plan[i] ?? fallback))
  const server: HttpsServer = createHttpsServer({ key, cert }, (req: IncomingMessage, res: ServerResponse) => {
    const arrivedAt = performance.now()
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const entry: PeerRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        arrivedAt,
        remotePort: req.socket.remotePort,
      }
      const action = pick(requests.length)
      requests.push(entry)
      if ('action' in action) {
        if (action.action === 'hang') return
        // RST must go out on the raw TCP socket, not the TLS wrapper.
        const raw = rawByPort.get(req.socket.remotePort ?? -1)
        if (action.action === 'reset' && raw) raw.resetAndDestroy()
        else req.socket.destroy()
        entry.answeredAt = performance.now()
        return
      }
      const respond = (): void => {
        res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers })
        res.end(action.body ?? '')
        entry.answeredAt = performance.now()
      }
      if (action.delayMs) setTimeout(respond, action.delayMs)
      else respond()
    })
  })
  server.on('connection', (s: Socket) => {
    connections++
    sockets.add(s)
    if (s.remotePort !== undefined) rawByPort.set(s.remotePort, s)
    s.on('close', () => sockets.delete(s))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  return {
    url: `https://127.0.0.1:${port}/wallarm`,
    port,
    caPem,
    caFile,
    requests,
    connections: () => connections,
    async close() {
      for (const s of sockets) s.destroy()
      server.close()
      await once(server, 'close').catch(() => {})
    },
  }
}

/** A TCP peer that accepts connections and never says a word (a stalled TLS handshake). */
export async function startStallPeer(): Promise<{ url: string; accepted: Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  let onAccept = (): void => {}
  const accepted = new Promise<void>((resolve) => (onAccept = resolve))
  const server = createNetServer((s) => {
    onAccept()
    sockets.add(s)
    s.on('error', () => {})
    s.on('close', () => sockets.delete(s))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  return {
    url: `https://127.0.0.1:${port}/wallarm`,
    accepted,
    async close() {
      for (const s of sockets) s.destroy()
      server.close()
      await once(server, 'close').catch(() => {})
    },
  }
}

/** A test peer that is closed when the current test ends (call it inside a test). */
export async function peerForTest(plan: PeerAction[] = [], fallback?: PeerAction): Promise<TestPeer> {
  const p = await startTestPeer(plan, fallback)
  onTestFinished(() => p.close())
  return p
}

/** A URL on a port nothing listens on (connections refused). */
export async function refusedUrl(): Promise<string> {
  const server = createNetServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = (server.address() as { port: number }).port
  server.close()
  await once(server, 'close')
  return `https://127.0.0.1:${port}/wallarm`
}
