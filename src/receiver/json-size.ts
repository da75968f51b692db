/**
 * How long a decoded msgpack value's JSON is, counted without making it, and only as far as a limit:
 * msgpack is compact where JSON is not (a 1 MB `bin` becomes 3-10 MB of `{"0":12,"1":255,...}`, a
 * string of control characters six times its length), and the journal, the printer and the admin
 * API all write records as JSON.
 * @see README.md "Limits"
 */

/** JSON characters of a string: quotes, and the escapes JSON.stringify writes. */
function stringChars(s: string): number {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f"\\\ud800-\udfff]/.test(s)) return s.length + 2
  let n = 2
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) n += 2
    else if (c < 0x20) n += 6
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2
      i++
    } else if (c >= 0xd800 && c <= 0xdfff) n += 6
    else n += 1
  }
  return n
}

/** Digits of a non-negative integer. */
const digits = (n: number): number => (n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : String(n).length)

/**
 * True when JSON.stringify(value) would be longer than `limit` characters (walks the value
 * iteratively and stops as soon as it is). Typed arrays count as JSON.stringify writes them.
 */
export function jsonLongerThan(value: unknown, limit: number): boolean {
  let n = 0
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'string') n += stringChars(v)
    else if (typeof v === 'number') n += Number.isFinite(v) ? String(v).length : 4
    else if (typeof v === 'boolean') n += v ? 4 : 5
    else if (typeof v === 'bigint') return true
    else if (v === null || v === undefined) n += 4
    else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const a = v as unknown as ArrayLike<number>
      n += 2
      for (let i = 0; i < a.length && n <= limit; i++) n += digits(i) + 4 + String(a[i]).length
    } else if (v instanceof Date) n += 26
    else if (Array.isArray(v)) {
      n += 2 + Math.max(0, v.length - 1)
      for (const x of v) stack.push(x)
    } else if (typeof v === 'object') {
      const keys = Object.keys(v)
      n += 2 + Math.max(0, keys.length - 1)
      for (const k of keys) {
        n += stringChars(k) + 1
        stack.push((v as Record<string, unknown>)[k])
      }
    }
    if (n > limit) return true
  }
  return false
}
