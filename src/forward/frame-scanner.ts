/**
 * Finds where one msgpack value ends in a byte stream without decoding it, so the forward listener
 * buffers at most one message and refuses hostile input before it allocates for it: a declared
 * string, binary, array or map larger than the message limit, or nesting deeper than the depth
 * limit, is an error as soon as its header arrives. The scan is resumable: a message that arrives
 * byte by byte is walked once, not once per arrival.
 * @see README.md "Forward protocol"
 */

export class FrameError extends Error {
  override name = 'FrameError'
  /** What in_forward logs for the same input (`error_class=... error="..."`), when it fails on it too. */
  readonly fluentd?: { errorClass: string; message: string }
  constructor(message: string, fluentd?: { errorClass: string; message: string }) {
    super(message)
    this.fluentd = fluentd
  }
}

export interface FrameLimits {
  /** Most bytes one value may span (its headers and payloads). */
  maxBytes: number
  /** Most levels of arrays and maps. */
  maxDepth: number
}

/** A resumable scan of one value that starts at `start` of the caller's buffer. */
export interface FrameScan {
  /** Where the next header to read starts (relative to the buffer). */
  pos: number
  /** Values still to read in each open array/map (innermost last). */
  stack: number[]
}

export function newScan(start = 0): FrameScan {
  return { pos: start, stack: [] }
}

/** Bytes of a fixed-size value by its first byte, or -1 for a header that declares a length. */
function fixedSize(b: number): number {
  if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) return 1
  switch (b) {
    case 0xcc:
    case 0xd0:
      return 2
    case 0xcd:
    case 0xd1:
      return 3
    case 0xca:
    case 0xce:
    case 0xd2:
      return 5
    case 0xcb:
    case 0xcf:
    case 0xd3:
      return 9
    case 0xd4:
      return 3
    case 0xd5:
      return 4
    case 0xd6:
      return 6
    case 0xd7:
      return 10
    case 0xd8:
      return 18
  }
  return -1
}

/** Reads an unsigned big-endian length of `n` bytes at `at`. */
function readLength(buf: Uint8Array, at: number, n: number): number {
  let v = 0
  for (let i = 0; i < n; i++) v = v * 256 + buf[at + i]!
  return v
}

/**
 * Advances the scan over `buf` (which starts with the value's first byte at the scan's origin).
 * Returns the end offset of the value once it is complete, or -1 when more bytes are needed.
 * @throws FrameError for a byte msgpack never uses, a declared size over `maxBytes` or nesting over `maxDepth`.
 */
export function scanFrame(buf: Uint8Array, scan: FrameScan, origin: number, limits: FrameLimits): number {
  const end = buf.length
  for (;;) {
    const at = scan.pos
    if (at >= end) return -1
    const b = buf[at]!
    let size = fixedSize(b)
    let children = 0
    if (size < 0) {
      let lenBytes = 0
      let extra = 0
      let container = false
      if (b >= 0xa0 && b <= 0xbf) {
        size = 1 + (b & 0x1f)
      } else if (b >= 0x90 && b <= 0x9f) {
        size = 1
        children = b & 0x0f
        container = true
      } else if (b >= 0x80 && b <= 0x8f) {
        size = 1
        children = 2 * (b & 0x0f)
        container = true
      } else {
        switch (b) {
          case 0xc4:
          case 0xd9:
            lenBytes = 1
            break
          case 0xc5:
          case 0xda:
            lenBytes = 2
            break
          case 0xc6:
          case 0xdb:
            lenBytes = 4
            break
          case 0xc7:
            lenBytes = 1
            extra = 1
            break
          case 0xc8:
            lenBytes = 2
            extra = 1
            break
          case 0xc9:
            lenBytes = 4
            extra = 1
            break
          case 0xdc:
            lenBytes = 2
            container = true
            break
          case 0xdd:
            lenBytes = 4
            container = true
            break
          case 0xde:
            lenBytes = 2
            container = true
            children = 2
            break
          case 0xdf:
            lenBytes = 4
            container = true
            children = 2
            break
          default:
            throw new FrameError(`byte 0x${b.toString(16)} at offset ${at - origin} is not msgpack`, { errorClass: 'MessagePack::MalformedFormatError', message: 'invalid byte' })
        }
        if (at + 1 + lenBytes > end) return -1
        const declared = readLength(buf, at + 1, lenBytes)
        if (container) {
          // Each element takes at least one byte: a count beyond the limit can never fit.
          children = (children === 2 ? 2 : 1) * declared
          if (declared > limits.maxBytes) throw new FrameError(`declared ${declared} elements at offset ${at - origin}, more than the ${limits.maxBytes}-byte message limit`)
          size = 1 + lenBytes
        } else {
          if (declared > limits.maxBytes) throw new FrameError(`declared ${declared} bytes at offset ${at - origin}, more than the ${limits.maxBytes}-byte message limit`)
          size = 1 + lenBytes + extra + declared
        }
      }
      if (container && scan.stack.length + 1 > limits.maxDepth && children > 0) {
        throw new FrameError(`nested deeper than ${limits.maxDepth} levels`)
      }
    }
    if (at + size - origin > limits.maxBytes) throw new FrameError(`message longer than the ${limits.maxBytes}-byte limit`)
    if (at + size > end) return -1
    scan.pos = at + size
    if (children > 0) {
      scan.stack.push(children)
      continue
    }
    // A complete value: count it off its containers.
    for (;;) {
      const top = scan.stack.length - 1
      if (top < 0) return scan.pos
      const left = scan.stack[top]! - 1
      if (left > 0) {
        scan.stack[top] = left
        break
      }
      scan.stack.pop()
    }
  }
}
