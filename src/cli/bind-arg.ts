/**
 * Address flags checked before anything listens or is generated: `--bind ADDRESS` (serve, demo) and
 * `--host NAME` (serve, certs: a name the server certificate must cover).
 */
import { isIP } from 'node:net'
import { domainToASCII } from 'node:url'
import { InvalidArgumentError } from 'commander'

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

/** A DNS name (not all digits and dots, which would be a broken IPv4 address). */
function isHostName(name: string): boolean {
  return HOST_NAME.test(name) && !/^[\d.]+$/.test(name)
}

/** `--bind`: an IP address or a host name (IPv6 brackets removed). */
export function bindArg(text: string): string {
  const address = text.trim().replace(/^\[(.*)\]$/, '$1')
  if (isIP(address) !== 0 || isHostName(address)) return address
  throw new InvalidArgumentError('use an IP address (127.0.0.1, 0.0.0.0 for every interface, ::1, ::) or a host name.')
}

/**
 * One `--host`, collected: an IP address, a DNS name or a wildcard `*.name`; an international name
 * goes into the certificate in its ASCII (punycode) form, as clients compare it.
 */
export function hostArg(text: string, previous: string[] = []): string[] {
  const raw = text.trim().replace(/^\[(.*)\]$/, '$1')
  if (isIP(raw) !== 0) return [...previous, raw]
  const wildcard = raw.startsWith('*.')
  const ascii = domainToASCII(wildcard ? raw.slice(2) : raw)
  if (ascii !== '' && isHostName(ascii)) return [...previous, wildcard ? `*.${ascii}` : ascii]
  throw new InvalidArgumentError('use an IP address, a host name (fluentd.example.com) or a wildcard (*.example.com).')
}
