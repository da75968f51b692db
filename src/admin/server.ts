/**
 * The admin HTTP server: the admin app on its own port, loopback by default, with every socket
 * tracked so close() is quick even with open SSE streams.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import type { Response } from 'express'
import { urlFor } from '../certs/index.js'
import { FakeFluentdError } from '../errors.js'
import type { AdminAppOptions } from './app.js'
import { adminTokenFor } from './security.js'

export interface AdminServerOptions extends Omit<AdminAppOptions, 'streams' | 'bind'> {
  /** 0 = any free port. */
  port: number
  /** Default 127.0.0.1; anything else exposes the API deliberately. */
  host?: string
}

export interface AdminServer {
  url: string
  port: number
  server: Server
  /** The token API requests must carry (given, or generated for a non-loopback address); undefined: none. */
  token?: string
  /** The page's URL, with the token in its fragment when there is one. */
  pageUrl: string
  close(): Promise<void>
}

/** Starts the admin API. Throws FakeFluentdError FF_ERR_LISTEN when the port cannot be bound. */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const streams = new Set<Response>()
  const host = options.host ?? '127.0.0.1'
  const token = adminTokenFor(host, options.security?.token)
  const security = { ...options.security, ...(token !== undefined ? { token } : {}) }
  // express and the page are loaded on the first admin request, not at start-up (docs/design.md "Admin API").
  let app: Promise<(req: IncomingMessage, res: ServerResponse) => void> | undefined
  const server = createServer((req, res) => {
    app ??= import('./app.js').then((m) => m.createAdminApp({ ...options, streams, bind: host, security }))
    app.then(
      (handle) => handle(req, res),
      (err: unknown) => res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`admin API failed to load: ${err instanceof Error ? err.message : String(err)}\n`),
    )
  })
  const sockets = new Set<Socket>()
  server.on('connection', (s: Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new FakeFluentdError('FF_ERR_LISTEN', `Cannot listen on ${host}:${options.port} for the admin API: ${err.message}. Pick another --admin-port (0 = off).`, { cause: err })),
    )
    server.listen({ port: options.port, host, exclusive: true }, () => resolve())
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : options.port
  const url = urlFor('http', host, port)
  return {
    url,
    port,
    server,
    ...(token !== undefined ? { token } : {}),
    pageUrl: `${url}/${token !== undefined ? `#token=${encodeURIComponent(token)}` : ''}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of streams) r.end()
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      }),
  }
}
