/**
 * Key and certificate generation (package `selfsigned` v5, async): a local CA, and server
 * certificates it signs. Loaded only to generate: selfsigned and its x509 stack take ~300 ms to
 * import, which every start with cached certificates used to pay (bench/results.md, start to ready).
 */
import { isIP } from 'node:net'

/** A CA able to sign: its certificate and private key (PEM). */
export interface CaMaterial {
  cert: string
  key: string
}

/** A new self-signed CA, valid ten years. */
export async function generateCa(): Promise<CaMaterial> {
  const { generate } = await import('selfsigned')
  const now = new Date(Date.now() - 60_000)
  const tenYears = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000)
  const ca = await generate([{ name: 'commonName', value: 'fake-fluentd local CA' }], {
    algorithm: 'sha256',
    keySize: 2048,
    notBeforeDate: now,
    notAfterDate: tenYears,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  })
  return { cert: ca.cert, key: ca.private }
}

/** A server certificate for `sans` signed by `ca`, valid 397 days (what browsers accept). */
export async function issueServerCertificate(ca: CaMaterial, sans: readonly string[]): Promise<{ cert: string; key: string }> {
  const { generate } = await import('selfsigned')
  const now = new Date(Date.now() - 60_000)
  const oneYear = new Date(now.getTime() + 397 * 24 * 3600 * 1000)
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    algorithm: 'sha256',
    keySize: 2048,
    notBeforeDate: now,
    notAfterDate: oneYear,
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: sans.map((s) => (isIP(s) ? { type: 7 as const, ip: s } : { type: 2 as const, value: s })),
      },
    ],
  })
  return { cert: server.cert, key: server.private }
}
