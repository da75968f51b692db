/**
 * Byte sizes as Fluentd's config (`32m`): a whole number with an optional k/m/g suffix (1024-based).
 */

/** Parses `1024`, `64k`, `32m`, `1g` (case-insensitive); undefined when not a size. */
export function parseByteSize(text: string): number | undefined {
  const m = /^\s*(\d+)\s*([kmg])?i?b?\s*$/i.exec(text)
  if (!m) return undefined
  const n = Number(m[1])
  const unit = (m[2] ?? '').toLowerCase()
  const factor = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1
  const v = n * factor
  return Number.isSafeInteger(v) ? v : undefined
}
