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
import { generateCa, issueServerCertificate, type CaMaterial } from './generate.js'
import { withDirLock, writeFileAtomic } from './lock.js'

// Where a listener can be reached, and so which names its certificate needs (addresses.ts).
export { certificateHostsForBind, listenerUrls, urlFor } from './addresses.js'
// Certificates the user brings (--cert, --key, --ca): read and checked, each error naming its flag.
export { loadCertificateFiles, readPem } from './user-files.js'

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
  /**
   * Set when the cached CA was kept and only the server certificate was issued again (a new name
   * or an expiring certificate): the names it now covers beyond the old certificate's.
   */
  reissued?: { addedSans: string[] }
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

/**
 * The cached CA when it can sign a new server certificate (CA, its key, valid), else undefined.
 * Kept when only the server certificate must change, so a CA pasted into a sender keeps working.
 */
function cachedCa(paths: Record<keyof typeof CERT_FILES, string>, nowMs: number): CaMaterial | undefined {
  try {
    const cert = readFileSync(paths.ca, 'utf8')
    const key = readFileSync(paths.caKey, 'utf8')
    const x = new X509Certificate(cert)
    if (!x.ca || Date.parse(x.validTo) - 24 * 3600 * 1000 < nowMs) return undefined
    if (!x.checkPrivateKey(createPrivateKey(key))) return undefined
    return { cert, key }
  } catch {
    return undefined
  }
}

/** The names the cached server certificate covers (none when unreadable). */
function cachedSans(path: string): string[] {
  try {
    return parseSans(new X509Certificate(readFileSync(path, 'utf8')).subjectAltName)
  } catch {
    return []
  }
}

/** Generates what is missing under `paths`: the server certificate only when the CA can be kept. */
async function generatePair(paths: Record<keyof typeof CERT_FILES, string>, sans: readonly string[], keepCa: boolean): Promise<{ pair: { ca: string; cert: string; key: string }; addedSans?: string[] }> {
  const ca = keepCa ? cachedCa(paths, Date.now()) : undefined
  if (ca !== undefined) {
    const before = cachedSans(paths.cert)
    // The old names stay covered: a sender that reached the server under one keeps reaching it.
    const merged = [...new Set([...before, ...sans])]
    const server = await issueServerCertificate(ca, merged)
    writeFileAtomic(paths.key, server.key, 0o600)
    writeFileAtomic(paths.cert, server.cert)
    return { pair: { ca: ca.cert, ...server }, addedSans: sans.filter((s) => !before.includes(s)) }
  }
  const fresh = await generateCa()
  const server = await issueServerCertificate(fresh, sans)
  writeFileAtomic(paths.caKey, fresh.key, 0o600)
  writeFileAtomic(paths.ca, fresh.cert)
  writeFileAtomic(paths.key, server.key, 0o600)
  writeFileAtomic(paths.cert, server.cert)
  return { pair: { ca: fresh.cert, ...server } }
}

/**
 * Returns the cached CA + server certificate under `certDir`, generating them when missing,
 * expired, not matching each other, or lacking one of the wanted SANs. A usable cached CA is kept
 * (unless `force`): then only the server certificate is issued again, for the old and new names.
 * Throws FakeFluentdError FF_ERR_CERT when the directory cannot be written.
 */
export async function ensureCertificates(options: EnsureCertificatesOptions = {}): Promise<CertificateSet> {
  const dir = resolve(options.certDir ?? defaultCertDir())
  const sans = wantedSans(options.hosts)
  const paths = certPaths(dir)
  // The cached files are read once: the usable pair is what is returned.
  let pair = options.force ? undefined : cachedPair(paths, sans, Date.now())
  let created = false
  let reissued: CertificateSet['reissued']
  if (pair === undefined) {
    try {
      makeDir(dir)
      const made = await withDirLock(dir, async () => {
        // Another process may have generated them while this one waited for the lock.
        const fresh = options.force ? undefined : cachedPair(paths, sans, Date.now())
        return fresh ? { pair: fresh, created: false } : { ...(await generatePair(paths, sans, !options.force)), created: true }
      })
      pair = made.pair
      created = made.created
      if ('addedSans' in made && made.addedSans !== undefined) reissued = { addedSans: made.addedSans }
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
    ...(reissued !== undefined ? { reissued } : {}),
  }
}
