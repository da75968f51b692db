/**
 * The hints' wording (src/text/hints.ts), shared by serve's stderr and the web page: where it
 * points a client that does not trust the CA, depending on what the one saying it knows.
 */
import { describe, expect, it } from 'vitest'
import { hintFor } from '../../../src/text/hints.js'

const untrusted = { kind: 'tls-error', tls: { code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', error: 'error:0A000418:SSL routines::tlsv1 alert unknown ca' } }
const plainHttp = { kind: 'tls-error', tls: { code: 'ERR_SSL_HTTP_REQUEST', error: 'error:0A00009C:SSL routines::http request' } }

describe('hintFor', () => {
  it('names the CA file when it is known, the --cert when there is none, serve\'s banner when the page does not know', () => {
    expect(hintFor(untrusted, { caPath: '/c/ca.pem' })?.text).toBe(
      'a client rejected the server certificate (ERR_SSL_TLSV1_ALERT_UNKNOWN_CA): give it the CA file /c/ca.pem (Wallarm: the integration\'s "CA certificate" field; curl: --cacert)')
    expect(hintFor(untrusted, { caPath: null })?.text).toMatch(/: give it the CA of your --cert$/)
    expect(hintFor(untrusted, {})?.text).toMatch(/: give it the CA file serve printed when it started \(ca= on its ready line\)/)
  })

  it('points plain HTTP at the ingest URL when known', () => {
    expect(hintFor(plainHttp, { ingestUrl: 'https://127.0.0.1:9880' })).toEqual({ kind: 'http-to-https', text: 'a client sent plain HTTP to the HTTPS port: use https://127.0.0.1:9880/<tag>, or start serve with --no-tls' })
    expect(hintFor(plainHttp, {})?.text).toContain('use the https:// ingest URL')
  })

  it('says nothing about other TLS failures or answered requests', () => {
    expect(hintFor({ kind: 'tls-error', tls: { code: 'ECONNRESET' } }, {})).toBeUndefined()
    expect(hintFor({ kind: 'request', status: 200 }, {})).toBeUndefined()
  })
})
