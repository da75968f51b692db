/**
 * Certificates for the HTTPS receiver: a self-signed CA plus a server certificate signed by it
 * (package `selfsigned` v5, async), cached under a directory and reused while still valid and
 * covering every wanted name. User-supplied cert/key files are accepted as they are.
 * @see docs/design.md "Parts" (certs)
 */
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { homedir, tmpdir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { FakeFluentdError } from '../errors.js'
import { withDirLock, writeFileAtomic } from './lock.js'

// Where a listener can be reached, and so which names its certificate needs (addresses.ts).
export { certificateHostsForBind, listenerUrls } from './addresses.js'

/** Names every generated server certificate covers. */
export const DEFAULT_SANS: readonly string[] = ['localhost', '127.0.0.1', '::1']

/** `serve`'s cache directory, relative to the working directory (the CA path is printed to paste). */
export const DEFAULT_CERT_DIR = 'certs'

/**
 * The cache directory for commands that need certificates only for themselves (conformance, the
 * demo, ensureCertificates without certDir): `fake-fluentd/certs` under $XDG_CACHE_HOME, else
 * ~/.cache, else the temporary directory. Never the working directory, so that a run in a
 * repository leaves no CA key there to be committed.
 */
export function defaultCertDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME
  if (xdg && isAbsolute(xdg)) return join(xdg, 'fake-fluentd', 'certs')
  let home = ''
  try {
    home = homedir()
  } catch {
    // No home directory (some containers): the temporary directory below.
  }
  if (home) return join(home, '.cache', 'fake-fluentd', 'certs')
  return join(tmpdir(), `fake-fluentd-${userInfoName()}`, 'certs')
}

function userInfoName(): string {
  try {
    return String(process.getuid?.() ?? 'user')
  } catch {
    return 'user'
  }
}

/** File names inside the cert directory. */
export const CERT_FILES = {
  ca: 'ca.pem',
  caKey: 'ca-key.pem',
  cert: 'server.pem',
  key: 'server-key.pem',
} as const

/** Certificate material ready for `https.createServer`. */
export interface CertificateSet {
  /** Server certificate (PEM). */
  cert: string
  /** Server private key (PEM). */
  key: string
  /** CA certificate (PEM) clients should trust; undefined for user-supplied certs without a CA. */
  ca?: string
  /** Absolute path of the CA file (for the integration's "CA certificate" field). */
  caPath?: string
  certPath?: string
  keyPath?: string
  /** True when this call generated new files. */
  created: boolean
}

export interface EnsureCertificatesOptions {
  /** Cache directory; default defaultCertDir() (a per-user cache, never the working directory). */
  certDir?: string
  /** Extra SANs (DNS names or IPs) on top of localhost, 127.0.0.1 and ::1. */
  hosts?: readonly string[]
  /** Regenerate even when a valid cached pair exists. */
  force?: boolean
}

/** What `fake-fluentd certs` shows about a certificate. */
export interface CertificateInfo {
  subject: string
  issuer: string
  /** SAN entries as plain names/IPs. */
  sans: string[]
  validFrom: Date
  validTo: Date
  /** SHA-256 fingerprint, colon-separated hex. */
  fingerprint256: string
}

/** Reads subject, SANs, validity and fingerprint of a PEM certificate. */
export function describeCertificate(pem: string): CertificateInfo {
  const x = new X509Certificate(pem)
  return {
    subject: x.subject.replace(/\n/g, ', '),
    issuer: x.issuer.replace(/\n/g, ', '),
    sans: parseSans(x.subjectAltName),
    validFrom: new Date(x.validFrom),
    validTo: new Date(x.validTo),
    fingerprint256: x.fingerprint256,
  }
}

function parseSans(text: string | undefined): string[] {
  if (!text) return []
  return text
    .split(/,\s*/)
    .map((part) => part.replace(/^(DNS|IP Address):/, '').trim())
    .map((name) => normaliseName(name))
}

function normaliseName(name: string): string {
  // X509Certificate prints ::1 as 0:0:0:0:0:0:0:1; compare in a canonical form.
  if (isIP(name) === 6) {
    try {
      return new URL(`http://[${name}]/`).hostname.replace(/^\[|\]$/g, '')
    } catch {
      return name.toLowerCase()
    }
  }
  return name.toLowerCase()
}

/** All SANs wanted for the given extra hosts, de-duplicated, canonical. */
export function wantedSans(hosts: readonly string[] = []): string[] {
  return [...new Set([...DEFAULT_SANS, ...hosts].map((h) => normaliseName(h.trim())).filter((h) => h.length > 0))]
}

/** Paths of the cached files under `dir`. */
function certPaths(dir: string): Record<keyof typeof CERT_FILES, string> {
  return { ca: join(dir, CERT_FILES.ca), caKey: join(dir, CERT_FILES.caKey), cert: join(dir, CERT_FILES.cert), key: join(dir, CERT_FILES.key) }
}

/** The cached CA, certificate and key when usable (valid, matching, covering `sans`), else undefined. */
function cachedPair(paths: Record<keyof typeof CERT_FILES, string>, sans: readonly string[], nowMs: number): { ca: string; cert: string; key: string } | undefined {
  if (!Object.values(paths).every((p) => existsSync(p))) return undefined
  try {
    const ca = readFileSync(paths.ca, 'utf8')
    const cert = readFileSync(paths.cert, 'utf8')
    const key = readFileSync(paths.key, 'utf8')
    const caX = new X509Certificate(ca)
    const certX = new X509Certificate(cert)
    // Renew a day before expiry so a long-running serve does not cross it.
    const margin = 24 * 3600 * 1000
    if (Date.parse(certX.validTo) - margin < nowMs || Date.parse(caX.validTo) - margin < nowMs) return undefined
    if (!certX.verify(caX.publicKey)) return undefined
    if (!certX.checkPrivateKey(createPrivateKey(key))) return undefined
    const have = new Set(parseSans(certX.subjectAltName))
    return sans.every((s) => have.has(s)) ? { ca, cert, key } : undefined
  } catch {
    // Unreadable or corrupt files: regenerate.
    return undefined
  }
}

/**
 * mkdir -p without `recursive: true`, which on Node 20 loops for ever when a parent exists but
 * refuses children (e.g. under /proc): each level is tried once, and the error surfaces.
 */
function makeDir(dir: string): void {
  if (existsSync(dir)) return
  const parent = dirname(dir)
  if (parent !== dir) makeDir(parent)
  try {
    mkdirSync(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
}

/** Generates a CA and a server certificate for `sans` and writes them (each file whole). */
async function generatePair(paths: Record<keyof typeof CERT_FILES, string>, sans: readonly string[]): Promise<{ ca: string; cert: string; key: string }> {
  // Loaded only to generate: selfsigned and its x509 stack take ~300 ms to import, which every
  // start with cached certificates used to pay (bench/results.md, start to ready).
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
  const oneYear = new Date(now.getTime() + 397 * 24 * 3600 * 1000)
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    algorithm: 'sha256',
    keySize: 2048,
    notBeforeDate: now,
    notAfterDate: oneYear,
    ca: { key: ca.private, cert: ca.cert },
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
  writeFileAtomic(paths.caKey, ca.private, 0o600)
  writeFileAtomic(paths.ca, ca.cert)
  writeFileAtomic(paths.key, server.private, 0o600)
  writeFileAtomic(paths.cert, server.cert)
  return { ca: ca.cert, cert: server.cert, key: server.private }
}

/**
 * Returns the cached CA + server certificate under `certDir`, generating them when missing,
 * expired, not matching each other, or lacking one of the wanted SANs.
 * Throws FakeFluentdError FF_ERR_CERT when the directory cannot be written.
 */
export async function ensureCertificates(options: EnsureCertificatesOptions = {}): Promise<CertificateSet> {
  const dir = resolve(options.certDir ?? defaultCertDir())
  const sans = wantedSans(options.hosts)
  const paths = certPaths(dir)
  // The cached files are read once: the usable pair is what is returned.
  let pair = options.force ? undefined : cachedPair(paths, sans, Date.now())
  let created = false
  if (pair === undefined) {
    try {
      makeDir(dir)
      const made = await withDirLock(dir, async () => {
        // Another process may have generated them while this one waited for the lock.
        const fresh = options.force ? undefined : cachedPair(paths, sans, Date.now())
        return fresh ? { pair: fresh, created: false } : { pair: await generatePair(paths, sans), created: true }
      })
      pair = made.pair
      created = made.created
    } catch (err) {
      throw new FakeFluentdError(
        'FF_ERR_CERT',
        `Failed to create certificates in ${dir} (--cert-dir): ${(err as Error).message}. Give a writable --cert-dir.`,
        { cause: err },
      )
    }
  }
  return {
    cert: pair.cert,
    key: pair.key,
    ca: pair.ca,
    caPath: paths.ca,
    certPath: paths.cert,
    keyPath: paths.key,
    created,
  }
}

/**
 * Loads a user-supplied certificate and key (PEM files). The certificate file may hold a chain;
 * it is not used as a CA. Throws FF_ERR_CERT naming the file (and its flag) that is unreadable,
 * not PEM, or when the key does not match.
 */
export function loadCertificateFiles(certPath: string, keyPath: string, caPath?: string): CertificateSet {
  const cert = readPem('--cert', certPath, (text) => new X509Certificate(text), 'a PEM certificate')
  const key = readPem('--key', keyPath, (text) => createPrivateKey(text), 'a PEM private key')
  if (!new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) {
    throw new FakeFluentdError('FF_ERR_CERT', `--key ${keyPath} does not belong to --cert ${certPath}; give the key the certificate was issued for.`)
  }
  const ca = caPath !== undefined ? readPem('--ca', caPath, (text) => new X509Certificate(text), 'a PEM certificate') : undefined
  return {
    cert,
    key,
    ca,
    caPath: caPath ? resolve(caPath) : undefined,
    certPath: resolve(certPath),
    keyPath: resolve(keyPath),
    created: false,
  }
}

/** Reads `file` (given as `flag`) and checks it parses; one-line FF_ERR_CERT otherwise. */
export function readPem(flag: string, file: string, parse: (text: string) => unknown, what: string): string {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    throw new FakeFluentdError('FF_ERR_CERT', `${flag} ${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { cause: err })
  }
  try {
    parse(text)
  } catch (err) {
    throw new FakeFluentdError('FF_ERR_CERT', `${flag} ${file}: not ${what} (${(err as Error).message}).`, { cause: err })
  }
  return text
}
