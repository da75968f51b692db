/**
 * Who may talk to the admin API. A web page the developer opens can make the browser send requests
 * to the admin port: directly (cross-origin; the browser hides the answers, but a PUT may still
 * reach the server) or, after rebinding its own name to 127.0.0.1, as if same-origin. So:
 * - the Host header must be a name the server was started for (DNS rebinding carries the
 *   attacker's name there): localhost, 127.0.0.1, [::1], the bind address (every local address
 *   when it is a wildcard), the certificate's `--host` names and every `--admin-allowed-host`;
 * - a PUT, POST or DELETE that carries an `Origin` must come from the admin server's own origin;
 * - with a token (required when the admin API is bound beyond loopback), every `/api/` request must
 *   carry it: `Authorization: Bearer TOKEN`, or `?token=TOKEN` on the SSE stream (EventSource cannot
 *   set headers). The page takes it from its URL fragment, which is never sent to any server.
 * @see docs/design.md "Admin API"
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'
import { networkInterfaces } from 'node:os'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { sendProblem } from './problem.js'

/** How the admin API is protected (all optional: the defaults protect). */
export interface AdminSecurityOptions {
  /** Extra Host names accepted (`--admin-allowed-host`, repeatable); `any` turns the Host check off. */
  allowedHosts?: readonly string[]
  /** Names the server was started for beyond the defaults (the receiver's `--host` list). */
  hosts?: readonly string[]
  /**
   * Token every API request must carry. Without one, none is needed on a loopback address; on any
   * other address startAdminServer generates one (see adminTokenFor).
   */
  token?: string
}

/** Names every admin server accepts as Host. */
export const DEFAULT_ADMIN_HOSTS: readonly string[] = ['localhost', '127.0.0.1', '::1']

/** Methods that change something, checked for a cross-origin `Origin`. */
const UNSAFE_METHODS = new Set(['PUT', 'POST', 'DELETE', 'PATCH'])

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and `localhost`. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '')
  return a === 'localhost' || a === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a)
}

/** A fresh random token (128 bits, URL-safe). */
export function generateAdminToken(): string {
  return randomBytes(16).toString('base64url')
}

/**
 * The token an admin server bound to `bind` uses: the one given, else a generated one when `bind`
 * is not loopback, else none.
 */
export function adminTokenFor(bind: string, token?: string): string | undefined {
  if (token !== undefined && token !== '') return token
  return isLoopbackAddress(bind) ? undefined : generateAdminToken()
}

/** Checks a token given by a user: visible ASCII without spaces, 16 to 256 characters. Returns an error text. */
export function checkAdminToken(token: string): string | undefined {
  if (!/^[\x21-\x7e]{16,256}$/.test(token)) return 'use 16 to 256 visible ASCII characters without spaces (e.g. from `openssl rand -hex 16`).'
  return undefined
}

/** Lower-case host name of a Host header value, without port, brackets or a trailing dot. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase()
  const name = h.startsWith('[') ? h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']')) : h.replace(/:\d*$/, '')
  return name.replace(/\.$/, '')
}

function localAddresses(): string[] {
  const out: string[] = []
  for (const list of Object.values(networkInterfaces())) for (const i of list ?? []) out.push(i.address.toLowerCase())
  return out
}

/** The Host names an admin server bound to `bind` accepts. */
export function allowedHostNames(bind: string, security: AdminSecurityOptions = {}): Set<string> {
  const names = new Set<string>(DEFAULT_ADMIN_HOSTS)
  // Addresses and names as given (no port): an IPv6 address keeps its last group.
  const add = (n: string): void => void names.add(n.trim().toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, ''))
  add(bind)
  // A wildcard bind is every local address.
  if (bind === '0.0.0.0' || bind === '::' || bind === '[::]') for (const a of localAddresses()) add(a)
  for (const h of security.hosts ?? []) add(h)
  for (const h of security.allowedHosts ?? []) add(h)
  return names
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

/** The token a request carries: `Authorization: Bearer`, or `?token=` on the SSE stream. */
function tokenOf(req: Request): string | undefined {
  const auth = req.header('authorization')
  const m = auth === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(auth)
  if (m) return m[1]
  if (req.path === '/api/stream' && typeof req.query.token === 'string') return req.query.token
  return undefined
}

/**
 * The express middleware that enforces AdminSecurityOptions for a server bound to `bind`
 * (install it before every route).
 */
export function adminGuard(bind: string, security: AdminSecurityOptions = {}): RequestHandler {
  const anyHost = (security.allowedHosts ?? []).some((h) => h.toLowerCase() === 'any')
  const names = allowedHostNames(bind, security)
  const shown = [...names].map((n) => (isIP(n) === 6 ? `[${n}]` : n)).join(', ')
  const tokenDigest = security.token === undefined ? undefined : digest(security.token)
  return (req: Request, res: Response, next: NextFunction): void => {
    const host = req.header('host')
    // No Host at all (HTTP/1.0) cannot come from a browser; a name must be one we were started for.
    if (!anyHost && host !== undefined && !names.has(hostName(host))) {
      sendProblem(
        res,
        403,
        'Host not allowed',
        `The admin API answers only to the names it was started for (${shown}), not to "${host}". ` +
          `If you reach it under this name on purpose, start it with --admin-allowed-host ${hostName(host) || 'NAME'} ` +
          '(repeatable), or --admin-allowed-host any to turn this check off.',
        { flag: '--admin-allowed-host' },
      )
      return
    }
    const origin = req.header('origin')
    if (origin !== undefined && UNSAFE_METHODS.has(req.method) && !sameOrigin(origin, host)) {
      sendProblem(
        res,
        403,
        'Cross-origin request refused',
        `A ${req.method} from the page at "${origin}" may not change this admin server; only its own page (or a client that sends no Origin, such as curl) may.`,
      )
      return
    }
    if (tokenDigest !== undefined && req.path.startsWith('/api/')) {
      const given = tokenOf(req)
      if (given === undefined || !timingSafeEqual(digest(given), tokenDigest)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="fake-fluentd admin"')
        sendProblem(
          res,
          401,
          'Admin token required',
          'This admin API needs its token (--admin-token, or the one printed at start-up): send "Authorization: Bearer TOKEN", ' +
            'or open the page with the URL printed at start-up (…/#token=TOKEN).',
        )
        return
      }
    }
    next()
  }
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false
  try {
    const u = new URL(origin)
    return u.protocol === 'http:' && u.host.toLowerCase() === host.trim().toLowerCase()
  } catch {
    // "null" (sandboxed frames, file:) or garbage: not our page.
    return false
  }
}
