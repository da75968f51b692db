/**
 * The one way durations are written for people (terminal, reports, messages): `0.5 ms` (a decimal only below 1 ms), `250 ms`,
 * `1.5 s`, `36 s`, `1 min 30 s`, `720 min`. Numbers carry no trailing zeros. Parsing is
 * `parseDuration` (src/clock).
 */

/** `ms` as text; `missing` (default `—`) for undefined, NaN or an infinity. */
export function formatDuration(ms: number | undefined, missing = '—'): string {
  if (ms === undefined || !Number.isFinite(ms)) return missing
  const text = magnitude(Math.abs(ms))
  return ms < 0 && !text.startsWith('0 ') ? `-${text}` : text
}

function magnitude(a: number): string {
  if (a < 1000) return `${trim(a, a < 1 ? 1 : 0)} ms`
  if (a < 60_000) return `${trim(a / 1000, a < 10_000 ? 2 : 1)} s`
  const totalSeconds = Math.round(a / 1000)
  const minutes = Math.floor(totalSeconds / 60)
  const seconds = totalSeconds % 60
  return `${minutes} min${seconds ? ` ${seconds} s` : ''}`
}

/** `value` (>= 0) with at most `digits` decimals and no trailing zeros. */
function trim(value: number, digits: number): string {
  return String(Number(value.toFixed(digits)))
}
