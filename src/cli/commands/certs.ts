import { resolve } from 'node:path'
import type { Command } from 'commander'
import { hostArg } from '../bind-arg.js'
import { pathArg } from '../flag-values.js'

interface CertsFlags {
  certDir: string
  host: string[]
  force: boolean
  json: boolean
}

/** Registers `fake-fluentd certs`: create (or reuse) and show the CA and server certificate. */
export function registerCerts(program: Command): void {
  program
    .command('certs')
    .description('create or show the CA and server certificate used by serve')
    .option('--cert-dir <dir>', 'certificate cache directory', pathArg, 'certs')
    .option('--host <name>', 'extra name or IP the server certificate must cover (repeatable)', hostArg, [])
    .option('--force', 'generate a new CA and server certificate even if the cached ones are fine (clients must trust the new CA)', false)
    .option('--json', 'print as JSON', false)
    .action(async (flags: CertsFlags) => {
      const { describeCertificate, ensureCertificates, wantedSans } = await import('../../certs/index.js')
      const set = await ensureCertificates({ certDir: resolve(flags.certDir), hosts: flags.host, force: flags.force })
      const ca = describeCertificate(set.ca!)
      const server = describeCertificate(set.cert)
      if (flags.json) {
        console.log(JSON.stringify({ created: set.created, reissued: set.reissued ?? null, caPath: set.caPath, certPath: set.certPath, keyPath: set.keyPath, ca, server }, null, 2))
        return
      }
      if (set.reissued) console.log(`kept the CA (clients that trust it keep working); issued a new server certificate${set.reissued.addedSans.length > 0 ? ` to add ${set.reissued.addedSans.join(', ')}` : ''}`)
      else console.log(set.created ? 'created new certificates' : 'reusing cached certificates')
      console.log(`CA certificate:     ${set.caPath}   (paste into the integration's "CA certificate" field)`)
      console.log(`  subject:          ${ca.subject}`)
      console.log(`  expires:          ${ca.validTo.toISOString()}`)
      console.log(`  SHA-256:          ${ca.fingerprint256}`)
      console.log(`server certificate: ${set.certPath}`)
      console.log(`server key:         ${set.keyPath}`)
      console.log(`  subject:          ${server.subject}`)
      console.log(`  SANs:             ${server.sans.join(', ')}`)
      console.log(`  expires:          ${server.validTo.toISOString()}`)
      console.log(`  SHA-256:          ${server.fingerprint256}`)
      const missing = wantedSans(flags.host).filter((s) => !server.sans.includes(s))
      if (missing.length > 0) console.log(`  missing SANs:     ${missing.join(', ')}`)
    })
}
