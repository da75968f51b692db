/**
 * Where a listener bound to an address can be reached from, for the banner and for the names a
 * generated certificate must carry. Bound to loopback, nothing beyond it; bound to 0.0.0.0 (or ::),
 * every address of the host's interfaces; bound to one address, that address.
 * @see docs/design.md "Parts" (certs)
 */
import { hostname as osHostname, networkInterfaces, type NetworkInterfaceInfo } from 'node:os'
import { isIP } from 'node:net'

/** What os.networkInterfaces() returns. */
export type InterfaceMap = NodeJS.Dict<NetworkInterfaceInfo[]>

/** True for an address that means every interface (0.0.0.0, ::, or empty). */
export function isWildcardAddress(bind: string): boolean {
  const b = bind.trim()
  return b === '' || b === '0.0.0.0' || b === '::' || b === '[::]' || b === '0:0:0:0:0:0:0:0'
}

/** True for localhost, 127.0.0.0/8 and ::1. */
export function isLoopbackAddress(bind: string): boolean {
  const b = bind.trim().replace(/^\[|\]$/g, '').toLowerCase()
  return b === 'localhost' || b === '::1' || b === '0:0:0:0:0:0:0:1' || /^127\.\d+\.\d+\.\d+$/.test(b)
}

/**
 * Addresses other machines can use for a listener bound to `bind`: for a wildcard, every external
 * interface address (IPv4 for 0.0.0.0; IPv4 and IPv6 for ::), without IPv6 link-local ones, which
 * need a zone to be used; for one non-loopback address, that address; for loopback, none.
 */
export function reachableAddresses(bind: string, interfaces: InterfaceMap = networkInterfaces()): string[] {
  if (isLoopbackAddress(bind)) return []
  if (!isWildcardAddress(bind)) return [bind.trim().replace(/^\[|\]$/g, '')]
  const withV6 = bind.includes(':')
  const out: string[] = []
  for (const list of Object.values(interfaces)) {
    for (const info of list ?? []) {
      if (info.internal) continue
      if (info.family === 'IPv6' && (!withV6 || /^fe80:/i.test(info.address))) continue
      out.push(info.address)
    }
  }
  return [...new Set(out)]
}

/** A host name fit for a certificate's DNS SAN (letters, digits, hyphens and dots), else undefined. */
function dnsName(name: string): string | undefined {
  const n = name.trim().toLowerCase()
  return /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(n) && n !== 'localhost' ? n : undefined
}

/**
 * Extra names the generated server certificate needs when the listener is bound beyond loopback:
 * the reachable addresses and the machine's host name. Empty for loopback.
 */
export function certificateHostsForBind(bind: string, interfaces: InterfaceMap = networkInterfaces(), hostname: string = osHostname()): string[] {
  if (isLoopbackAddress(bind)) return []
  const name = dnsName(hostname)
  return [...reachableAddresses(bind, interfaces), ...(name ? [name] : [])]
}

/** `https://1.2.3.4:9880` or `https://[fd00::2]:9880`. */
export function urlFor(protocol: string, address: string, port: number): string {
  return `${protocol}://${isIP(address) === 6 ? `[${address}]` : address}:${port}`
}

/**
 * The ingest URLs to print for a listener bound to `bind`: the reachable ones first, then the local
 * one (127.0.0.1 or [::1] for a wildcard; the address itself otherwise).
 */
export function listenerUrls(protocol: string, bind: string, port: number, interfaces: InterfaceMap = networkInterfaces()): { local: string; reachable: string[] } {
  const b = bind.trim().replace(/^\[|\]$/g, '')
  const local = isWildcardAddress(bind) ? (bind.includes(':') ? '::1' : '127.0.0.1') : b
  return { local: urlFor(protocol, local, port), reachable: reachableAddresses(bind, interfaces).map((a) => urlFor(protocol, a, port)) }
}
