/** `--bind ADDRESS` of serve and demo: an IP address or a host name, checked before anything listens. */
import { isIP } from 'node:net'
import { InvalidArgumentError } from 'commander'

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i

/** Returns the address (IPv6 brackets removed); throws commander's InvalidArgumentError otherwise. */
export function bindArg(text: string): string {
  const address = text.trim().replace(/^\[(.*)\]$/, '$1')
  if (isIP(address) !== 0 || HOST_NAME.test(address)) return address
  throw new InvalidArgumentError('use an IP address (127.0.0.1, 0.0.0.0 for every interface, ::1, ::) or a host name.')
}
