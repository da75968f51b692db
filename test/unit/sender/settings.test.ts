import { describe, expect, it } from 'vitest'
import { isFakeFluentdError } from '../../../src/errors.js'
import { settingsFromEnv, settingsToEnv, type IntegrationSettings } from '../../../src/sender/settings.js'

describe('sender-contract environment', () => {
  it('round-trips every setting', () => {
    const s: IntegrationSettings = {
      url: 'https://127.0.0.1:9880/wallarm',
      method: 'PUT',
      headers: { 'X-Auth-Token': 'abc', Authorization: 'Basic x' },
      caFile: '/tmp/ca.pem',
      verifyTls: false,
      format: 'ndjson',
      requestTimeoutMs: 1500,
      connectTimeoutMs: 2000,
      timeScale: 0.01,
    }
    const env = settingsToEnv(s)
    expect(env).toEqual({
      FLUENTD_URL: 'https://127.0.0.1:9880/wallarm',
      WEBHOOK_METHOD: 'PUT',
      WEBHOOK_HEADERS: '{"X-Auth-Token":"abc","Authorization":"Basic x"}',
      WEBHOOK_CA_FILE: '/tmp/ca.pem',
      WEBHOOK_VERIFY_TLS: 'false',
      WEBHOOK_FORMAT: 'ndjson',
      WEBHOOK_REQUEST_TIMEOUT_MS: '1500',
      WEBHOOK_CONNECT_TIMEOUT_MS: '2000',
      WEBHOOK_TIME_SCALE: '0.01',
    })
    expect(settingsFromEnv({ ...env })).toEqual(s)
  })

  it('fills Wallarm defaults in the environment and leaves them out when reading', () => {
    const env = settingsToEnv({ url: 'https://x/' })
    expect(env).toMatchObject({ WEBHOOK_METHOD: 'POST', WEBHOOK_HEADERS: '{}', WEBHOOK_CA_FILE: '', WEBHOOK_VERIFY_TLS: 'true', WEBHOOK_FORMAT: 'json', WEBHOOK_REQUEST_TIMEOUT_MS: '15000', WEBHOOK_CONNECT_TIMEOUT_MS: '20000', WEBHOOK_TIME_SCALE: '1' })
    expect(settingsFromEnv({ FLUENTD_URL: 'https://x/' })).toEqual({ url: 'https://x/' })
  })

  it('names the variable when a value is bad', () => {
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'FLUENTD_URL'],
      [{ FLUENTD_URL: 'https://x', WEBHOOK_METHOD: 'GET' }, 'WEBHOOK_METHOD'],
      [{ FLUENTD_URL: 'https://x', WEBHOOK_HEADERS: '[1]' }, 'WEBHOOK_HEADERS'],
      [{ FLUENTD_URL: 'https://x', WEBHOOK_HEADERS: '{"a":1}' }, 'WEBHOOK_HEADERS'],
      [{ FLUENTD_URL: 'https://x', WEBHOOK_VERIFY_TLS: 'yes' }, 'WEBHOOK_VERIFY_TLS'],
      [{ FLUENTD_URL: 'https://x', WEBHOOK_FORMAT: 'xml' }, 'WEBHOOK_FORMAT'],
      [{ FLUENTD_URL: 'https://x', WEBHOOK_REQUEST_TIMEOUT_MS: '-5' }, 'WEBHOOK_REQUEST_TIMEOUT_MS'],
      [{ FLUENTD_URL: 'https://x', WEBHOOK_TIME_SCALE: 'fast' }, 'WEBHOOK_TIME_SCALE'],
    ]
    for (const [env, name] of cases) {
      try {
        settingsFromEnv(env)
        throw new Error(`expected an error for ${name}`)
      } catch (err) {
        expect(isFakeFluentdError(err, 'FF_ERR_OPTION')).toBe(true)
        expect((err as Error).message).toContain(name)
      }
    }
  })
})
