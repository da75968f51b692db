/**
 * in_forward's `<security>` handshake: the server sends HELO (nonce, user-auth salt, keepalive), the
 * client answers PING (hostname, shared-key salt, SHA-512 digest, username, password digest) and the
 * server answers PONG: `[PONG, true, '', self_hostname, digest]`, or `[PONG, false, reason, '', '']`
 * and closes once written. Reasons are Fluentd's own texts.
 */
import { createHash, randomBytes } from 'node:crypto'

export interface ForwardUser {
  username: string
  password: string
}

export interface SecuritySettings {
  sharedKey: string
  selfHostname: string
  /** When given, `user_auth` is on: PING must carry one of these users. */
  users?: readonly ForwardUser[]
}

export interface HandshakeSession {
  nonce: Uint8Array
  authSalt: Uint8Array
}

function sha512hex(...parts: (string | Uint8Array)[]): string {
  const h = createHash('sha512')
  for (const p of parts) h.update(p)
  return h.digest('hex')
}

export function newSession(): HandshakeSession {
  return { nonce: randomBytes(16), authSalt: randomBytes(16) }
}

/** `['HELO', {nonce, auth, keepalive}]`. */
export function helo(session: HandshakeSession, keepalive = true): unknown[] {
  return ['HELO', { nonce: session.nonce, auth: session.authSalt, keepalive }]
}

export type PingResult = { ok: true; sharedKeySalt: Uint8Array | string } | { ok: false; reason: string; warning?: string }

function bytesOf(v: unknown): Uint8Array | string | undefined {
  return typeof v === 'string' || v instanceof Uint8Array ? v : undefined
}

/** Checks a PING as check_ping does (anonymous sources allowed, one shared key). */
function text(v: unknown): string {
  return v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : typeof v === 'string' ? v : ''
}

/** Checks a PING (decoded with raw strings) as check_ping does (anonymous sources allowed, one shared key). */
export function checkPing(message: unknown, security: SecuritySettings, session: HandshakeSession, remoteAddress: string): PingResult {
  if (!Array.isArray(message) || message.length !== 6 || text(message[0]) !== 'PING') return { ok: false, reason: 'invalid ping message' }
  const [, hostname, salt, digest, rawUsername, passwordDigest] = message as unknown[]
  const host = bytesOf(hostname) ?? ''
  const sharedKeySalt = bytesOf(salt) ?? ''
  const serverside = sha512hex(sharedKeySalt, host, session.nonce, security.sharedKey)
  if (text(digest) !== serverside) {
    return { ok: false, reason: 'shared_key mismatch', warning: `Shared key mismatch address="${remoteAddress}" hostname=${JSON.stringify(Buffer.from(host).toString('utf8'))}` }
  }
  if (security.users && security.users.length > 0) {
    const name = Buffer.from(bytesOf(rawUsername) ?? '').toString('utf8')
    const ok = security.users.some((u) => u.username === name && sha512hex(session.authSalt, name, u.password) === text(passwordDigest))
    if (!ok) {
      return { ok: false, reason: 'username/password mismatch', warning: `Authentication failed address="${remoteAddress}" hostname=${JSON.stringify(Buffer.from(host).toString('utf8'))} username=${JSON.stringify(name)}` }
    }
  }
  return { ok: true, sharedKeySalt }
}

export function pong(result: PingResult, security: SecuritySettings, session: HandshakeSession): unknown[] {
  if (!result.ok) return ['PONG', false, result.reason, '', '']
  const digest = sha512hex(result.sharedKeySalt, security.selfHostname, session.nonce, security.sharedKey)
  return ['PONG', true, '', security.selfHostname, digest]
}

/** What a client computes (for tests and the conformance client): a PING for a HELO. */
export function ping(heloOptions: { nonce: Uint8Array | string; auth?: Uint8Array | string }, sharedKey: string, hostname: string, user?: ForwardUser): unknown[] {
  const salt = randomBytes(16).toString('hex')
  const digest = sha512hex(salt, hostname, heloOptions.nonce, sharedKey)
  const passwordDigest = user ? sha512hex(heloOptions.auth ?? '', user.username, user.password) : ''
  return ['PING', hostname, salt, digest, user?.username ?? '', passwordDigest]
}
