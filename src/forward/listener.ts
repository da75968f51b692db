/**
 * The forward listener: a TCP (or TLS) server and a UDP heartbeat socket on the same port, as
 * in_forward's server_create_connection and its `:in_forward_server_udp_heartbeat` (each UDP
 * datagram is answered with one NUL byte). Connections beyond the limit are reset at once.
 * @see README.md "Forward protocol"
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { lookupService } from 'node:dns/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TLSSocket } from 'node:tls'
import { FakeFluentdError } from '../errors.js'
import { handleConnection, type ConnectionContext } from './connection.js'
import { createForwardFaults } from './faults.js'
import { createForwardLog } from './log.js'
import {
  DEFAULT_FORWARD_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_FORWARD_MAX_CONNECTIONS,
  DEFAULT_FORWARD_MAX_DEPTH,
  DEFAULT_FORWARD_MAX_MESSAGE,
  DEFAULT_FORWARD_MESSAGE_TIMEOUT_MS,
  type ForwardOptions,
  type ForwardParts,
  type ForwardServer,
} from './types.js'

const HEARTBEAT_REPLY = Buffer.from([0])

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      const addr = server.address()
      resolve(typeof addr === 'object' && addr ? addr.port : port)
    })
  })
}

function bindUdp(sock: UdpSocket, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    sock.once('error', reject)
    sock.bind(port, host, () => {
      sock.off('error', reject)
      resolve()
    })
  })
}

/**
 * Starts the forward listener. @throws FakeFluentdError FF_ERR_LISTEN when the TCP or UDP port
 * cannot be bound (with port 0 the UDP socket must get the TCP port's number: tried a few times).
 */
export async function startForwardServer(options: ForwardOptions, parts: ForwardParts): Promise<ForwardServer> {
  const host = options.host ?? '127.0.0.1'
  const log = createForwardLog()
  const faults = createForwardFaults(options.faults ?? [], options.tagPatternMax)
  const maxBytes = options.maxMessageBytes ?? DEFAULT_FORWARD_MAX_MESSAGE
  const limits = { maxBytes, maxDepth: options.maxDepth ?? DEFAULT_FORWARD_MAX_DEPTH }
  const maxConnections = options.maxConnections ?? DEFAULT_FORWARD_MAX_CONNECTIONS
  const ctx: ConnectionContext = {
    ...parts,
    options,
    limits,
    faults,
    log,
    settings: {
      skipInvalidEvent: options.skipInvalidEvent ?? false,
      chunkSizeLimit: options.chunkSizeLimit,
      chunkSizeWarnLimit: options.chunkSizeWarnLimit,
      sourceAddressKey: options.sourceAddressKey,
      sourceHostnameKey: options.sourceHostnameKey,
      limits,
      inflateLimit: options.inflateLimit ?? maxBytes,
    },
    messageTimeoutMs: options.messageTimeoutMs ?? DEFAULT_FORWARD_MESSAGE_TIMEOUT_MS,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? DEFAULT_FORWARD_HANDSHAKE_TIMEOUT_MS,
    attempts: new Map(),
    remoteHost: async (address, port) => {
      try {
        return (await lookupService(address, port)).hostname
      } catch {
        return address
      }
    },
  }
  const sockets = new Set<Socket>()
  const admit = (socket: Socket): boolean => {
    if (sockets.size >= maxConnections) {
      const entry = parts.journal.add({ kind: 'connection', connectionId: 0, remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 })
      parts.journal.complete(entry, { outcome: 'reset', error: `more than ${maxConnections} forward connections open: reset` })
      socket.resetAndDestroy()
      return false
    }
    // Acks are small answers a client waits for: no Nagle delay.
    socket.setNoDelay(true)
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    return true
  }
  const tls = options.tls === true ? undefined : options.tls
  if (options.tls === true) throw new FakeFluentdError('FF_ERR_OPTION', 'forward tls: give the certificate and key (startReceiver fills them in for `true`).')
  const server: Server = tls
    ? createTlsServer({ cert: tls.cert, key: tls.key }, (socket: TLSSocket) => {
        if (!admit(socket)) return
        handleConnection(socket, ctx, () => ({ protocol: socket.getProtocol() ?? undefined, cipher: socket.getCipher()?.name }))
      })
    : createServer((socket) => {
        if (!admit(socket)) return
        handleConnection(socket, ctx)
      })
  server.on('tlsClientError', () => {
    // A failed TLS handshake: the socket is gone; in_forward logs it at warn level only with OpenSSL's text.
  })

  let port = 0
  let udp: UdpSocket | undefined
  const family = host.includes(':') ? 'udp6' : 'udp4'
  for (let tries = 0; ; tries++) {
    try {
      port = await listen(server, options.port, host)
    } catch (err) {
      throw new FakeFluentdError('FF_ERR_LISTEN', `Cannot listen on ${host}:${options.port} for forward: ${(err as Error).message}. Pick another --forward-port (0 = any free port).`, { cause: err })
    }
    udp = createSocket(family)
    try {
      await bindUdp(udp, port, host)
      break
    } catch (err) {
      udp.close()
      await new Promise<void>((r) => server.close(() => r()))
      if (options.port !== 0 || tries >= 5) {
        throw new FakeFluentdError('FF_ERR_LISTEN', `Cannot bind the forward heartbeat (UDP) on ${host}:${port}: ${(err as Error).message}. Pick another --forward-port.`, { cause: err })
      }
    }
  }
  const heartbeat = udp
  heartbeat.on('message', (_data, rinfo) => {
    if (faults.decide('heartbeat')) return
    heartbeat.send(HEARTBEAT_REPLY, rinfo.port, rinfo.address)
  })
  heartbeat.on('error', (err) => parts.onError?.(err))

  let closed: Promise<void> | undefined
  return {
    port,
    host,
    tls: tls !== undefined,
    log,
    get connections() {
      return sockets.size
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        heartbeat.close()
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
      return closed
    },
  }
}
