/**
 * Content-Encoding of a request body, bounded: gzip/deflate are inflated off the main thread (zlib's
 * thread pool) and stopped as soon as the output passes the inflate limit, so a small compressed
 * body can neither allocate more than the limit nor stall other clients while it inflates.
 * @see README.md "Limits"
 */
import { constants as bufferConstants } from 'node:buffer'
import { gunzip, inflate } from 'node:zlib'

/**
 * Default inflate limit: the body limit itself (`--inflate-limit` raises or lowers it). One number
 * then bounds what the parser sees whether a client compresses or not: a gzip body may decode to as
 * much as an uncompressed one may be sent (32 MiB by default, so a 2-3 MiB gzip of JSON is fine),
 * and a 942-byte gzip that decodes to 900 KiB is refused with `--body-limit 1k`. Fluentd v1.19 allows
 * 256 MiB, which is how a 382 KB bomb could exhaust the heap here.
 */
export const DEFAULT_INFLATE_LIMIT_FACTOR = 1

/** The inflate limit in bytes: `inflateLimit` (the flag) when given, else the body limit times the default factor. */
export function inflateLimitFor(bodyLimit: number, inflateLimit?: number): number {
  return inflateLimit ?? bodyLimit * DEFAULT_INFLATE_LIMIT_FACTOR
}

/** What the receiver needs to decode a body. */
export interface DecodeLimits {
  /** Most bytes a gzip/deflate body may inflate to (see inflateLimitFor). */
  inflateLimit: number
}

export type DecodeResult =
  | { ok: true; /** The decoded body (the same Buffer for identity and unknown encodings). */ body: Buffer }
  /** Answer 413 `Too large` and close, as for a body over the body limit. */
  | { ok: false; reason: 'too-large'; status: 413; /** For the journal's `error`. */ message: string }
  /** Answer as Fluentd does for a body that does not decode: 400, empty body, close. */
  | { ok: false; reason: 'invalid'; status: 400; message: string }

/**
 * Decodes a request body by its Content-Encoding: `gzip` and `deflate` are inflated (bounded by
 * `limits.inflateLimit`); any other value (or none) leaves the body as it is, as Fluentd does.
 * Never throws.
 */
export function decodeBody(encoding: string | undefined, body: Buffer, limits: DecodeLimits): Promise<DecodeResult> {
  if (encoding !== 'gzip' && encoding !== 'deflate') return Promise.resolve({ ok: true, body })
  const limit = limits.inflateLimit
  const run = encoding === 'gzip' ? gunzip : inflate
  return new Promise((resolve) => {
    // zlib refuses maxOutputLength < 1 (a limit of 0 is checked on the result instead) and above the
    // largest Buffer (a larger limit cannot be reached anyway).
    run(body, { maxOutputLength: Math.min(bufferConstants.MAX_LENGTH, Math.max(1, limit)) }, (err, out) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ERR_BUFFER_TOO_LARGE') resolve(tooLarge(encoding, limit))
        else resolve({ ok: false, reason: 'invalid', status: 400, message: `${encoding} body does not decode: ${err.message}` })
        return
      }
      if (out.length > limit) resolve(tooLarge(encoding, limit))
      else resolve({ ok: true, body: out })
    })
  })
}

function tooLarge(encoding: string, limit: number): DecodeResult {
  return { ok: false, reason: 'too-large', status: 413, message: `${encoding} body inflates to more than ${limit} bytes (--inflate-limit)` }
}
