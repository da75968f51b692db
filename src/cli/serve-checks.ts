/**
 * Flag combinations `serve` refuses before anything starts: each one would otherwise be ignored
 * in silence (a --ca without --cert, --cert with --no-tls, --host with --cert, admin flags with
 * the admin API off). One line, naming the flags, exit 2.
 */
import { lookup } from 'node:dns/promises'
import type { Command } from 'commander'
import { FakeFluentdError } from '../errors.js'

/** The parsed flags these checks look at. */
export interface ServeCheckFlags {
  tls: boolean
  cert?: string
  key?: string
  ca?: string
  adminPort: number | false
  workers: number
}

/** True when the user set this option (command line, config file or environment), not its default. */
export function given(command: Command, key: string): boolean {
  const source = command.getOptionValueSource(key)
  return source === 'cli' || source === 'config' || source === 'env'
}

function refuse(message: string): never {
  throw new FakeFluentdError('FF_ERR_OPTION', message)
}

/** Throws FF_ERR_OPTION for the first conflicting or incomplete combination of serve's flags. */
export function checkServeFlags(flags: ServeCheckFlags, command: Command): void {
  if ((flags.cert === undefined) !== (flags.key === undefined)) refuse('--cert and --key go together: give both, or neither to use generated certificates.')
  if (flags.ca !== undefined && flags.cert === undefined) refuse('--ca goes with --cert/--key (it names the CA of your own certificate); without them the generated CA is printed.')
  if (!flags.tls) {
    const tlsOnly = ['cert', 'key', 'ca', 'tlsVersion', 'host'].filter((k) => given(command, k))
    if (tlsOnly.length > 0) refuse(`--no-tls serves plain HTTP, so ${tlsOnly.map(flagName).join(', ')} would be ignored: drop --no-tls or ${tlsOnly.length > 1 ? 'them' : 'it'}.`)
  }
  if (flags.workers > 1) {
    // in_http's fault plans need one place that counts their steps. (The forward listener runs in the primary, faults and all.)
    const faultFlags = ['fault', 'faults', 'seed'].filter((k) => given(command, k))
    if (faultFlags.length > 0) refuse(`--workers ${flags.workers} runs no fault engine (a plan's steps are counted in one process), so ${faultFlags.map(flagName).join(', ')} would be ignored: drop ${faultFlags.length > 1 ? 'them' : 'it'} or --workers.`)
  }
  if (flags.cert !== undefined && given(command, 'host')) refuse('--host names go into the generated certificate; with --cert/--key your certificate is used as it is: drop --host or --cert/--key.')
  if (flags.adminPort === false) {
    const adminOnly = ['adminBind', 'adminAllowedHost', 'adminStreamBuffer', 'adminMaxStreams', 'adminStreamReplay'].filter((k) => given(command, k))
    if (command.getOptionValueSource('adminToken') === 'cli') adminOnly.push('adminToken')
    if (adminOnly.length > 0) refuse(`--admin-port off turns the admin API off, so ${adminOnly.map(flagName).join(', ')} would be ignored: drop ${adminOnly.length > 1 ? 'them' : 'it'} or give --admin-port a port.`)
  }
}

/** `--flag-name` of a commander key (`tlsVersion` → `--tls-version`). */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
}

/**
 * A --bind host name must resolve now, so that the error names the flag (the listener's own error
 * would suggest another --port). IP addresses pass without a lookup.
 */
export async function checkResolves(flag: string, address: string): Promise<void> {
  try {
    await lookup(address)
  } catch (err) {
    refuse(`${flag} ${address}: this machine cannot resolve it (${(err as NodeJS.ErrnoException).code ?? 'error'}); give an IP address (127.0.0.1, 0.0.0.0) or a name it resolves.`)
  }
}
