/**
 * Certificate files the user brings (`serve --cert/--key/--ca`, `send --ca`): read and parsed now,
 * so that an error names the flag and the file at fault.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { FakeFluentdError } from '../errors.js'
import type { CertificateSet } from './index.js'

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
