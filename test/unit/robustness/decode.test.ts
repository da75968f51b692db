import { deflateSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { turnsWhile } from '../../helpers/event-loop.js'
import { DEFAULT_INFLATE_LIMIT_FACTOR, decodeBody, inflateLimitFor } from '../../../src/receiver/decode.js'

describe('decodeBody (bounded gzip/deflate)', () => {
  const json = Buffer.from('[' + Array.from({ length: 100 }, (_, i) => `{"a":${i}}`).join(',') + ']')

  it('leaves identity and unknown encodings as they are (the same buffer)', async () => {
    for (const enc of [undefined, 'identity', 'br', 'GZIP']) {
      const r = await decodeBody(enc, json, { inflateLimit: 10 })
      expect(r).toEqual({ ok: true, body: json })
      if (r.ok) expect(r.body).toBe(json)
    }
  })

  it('inflates gzip and deflate within the limit', async () => {
    expect(await decodeBody('gzip', gzipSync(json), { inflateLimit: json.length })).toEqual({ ok: true, body: json })
    expect(await decodeBody('deflate', deflateSync(json), { inflateLimit: json.length })).toEqual({ ok: true, body: json })
  })

  it('refuses one byte over the limit with 413 (the 942-byte gzip of 900 KiB against a 1 KiB limit)', async () => {
    const inflated = Buffer.from('{"a":1},'.repeat((900 * 1024) / 8))
    const gz = gzipSync(inflated, { level: 9 })
    expect(gz.length).toBeLessThan(2000)
    const r = await decodeBody('gzip', gz, { inflateLimit: inflateLimitFor(1024) })
    expect(r).toMatchObject({ ok: false, reason: 'too-large', status: 413 })
    expect(await decodeBody('gzip', gzipSync(json), { inflateLimit: json.length - 1 })).toMatchObject({ ok: false, status: 413 })
    expect(await decodeBody('deflate', deflateSync(json), { inflateLimit: 0 })).toMatchObject({ ok: false, status: 413 })
  })

  it('a gzip bomb (300 KB → 300 MB) is refused without blocking the event loop', async () => {
    const gz = gzipSync(Buffer.alloc(300 * 1024 * 1024, 0x61), { level: 9 })
    expect(gz.length).toBeLessThan(400 * 1024)
    const { value, turns } = await turnsWhile(decodeBody('gzip', gz, { inflateLimit: 32 * 1024 * 1024 }))
    expect(value).toMatchObject({ ok: false, reason: 'too-large', status: 413 })
    expect(value.ok ? '' : value.message).toContain('--inflate-limit')
    expect(turns).toBeGreaterThan(0)
  })

  it('a body that does not decode is "invalid" (Fluentd: 400)', async () => {
    expect(await decodeBody('gzip', Buffer.from('not gzip'), { inflateLimit: 100 })).toMatchObject({ ok: false, reason: 'invalid', status: 400 })
    expect(await decodeBody('deflate', Buffer.alloc(0), { inflateLimit: 100 })).toMatchObject({ ok: false, reason: 'invalid', status: 400 })
    const truncated = gzipSync(json).subarray(0, 30)
    expect(await decodeBody('gzip', truncated, { inflateLimit: 1e6 })).toMatchObject({ ok: false, reason: 'invalid' })
  })

  it('the default inflate limit is the body limit; the flag value wins', () => {
    expect(DEFAULT_INFLATE_LIMIT_FACTOR).toBe(1)
    expect(inflateLimitFor(1024)).toBe(1024)
    expect(inflateLimitFor(1024, 5000)).toBe(5000)
  })
})
