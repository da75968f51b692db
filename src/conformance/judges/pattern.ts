/**
 * Schedules in the sender's own terms: times at scale 1, in seconds, and the shape of a series of
 * intervals in words ("double from 1 s (exponential, x2.0)", "constant 2 s", or the list), so that a
 * report says what the sender did next to what the profile expects.
 */

/** Seconds at scale 1 of a real-time duration `ms` run at `scale`, in words: `1.5 s`, `30 s`, `2 min`. */
export function atScaleOne(ms: number, scale: number): string {
  const s = ms / scale / 1000
  if (s >= 60 && Math.abs(s / 60 - Math.round(s / 60)) < 0.05) return `${Math.round(s / 60)} min`
  return `${trim(s)} s`
}

function trim(x: number): string {
  const r = x >= 10 ? Math.round(x * 10) / 10 : Math.round(x * 100) / 100
  return String(r)
}

/** A list of intervals at scale 1: `1, 3, 5, 10, 10 s`. */
export function intervalList(msAtScaleOne: readonly number[]): string {
  if (msAtScaleOne.length === 0) return 'none'
  return `${msAtScaleOne.map((ms) => trim(ms / 1000)).join(', ')} s`
}

/** The shape of observed intervals (real ms at `scale`), in words. */
export function describePattern(observedMs: readonly number[], scale: number): string {
  const s = observedMs.map((ms) => ms / scale)
  if (s.length === 0) return 'no interval observed'
  const list = intervalList(s)
  if (s.length === 1) return `one interval of ${list}`
  const mean = s.reduce((a, b) => a + b, 0) / s.length
  if (mean > 0 && s.every((x) => Math.abs(x - mean) <= 0.1 * mean)) return `constant ${trim(mean / 1000)} s (${list})`
  const ratios = s.slice(1).map((x, i) => (s[i]! > 0 ? x / s[i]! : Number.NaN))
  const r = ratios.reduce((a, b) => a + b, 0) / ratios.length
  if (Number.isFinite(r) && r >= 1.3 && ratios.every((x) => Math.abs(x - r) <= 0.15 * r)) {
    const verb = Math.abs(r - 2) <= 0.15 ? 'double' : `grow x${r.toFixed(1)}`
    return `${verb} from ${trim(s[0]! / 1000)} s (exponential, x${r.toFixed(1)}: ${list})`
  }
  return list
}

/** "observed intervals ...; the profile expects ..." for a failed schedule. */
export function patternSentence(observedMs: readonly number[], expectedMsAtScaleOne: readonly number[], scale: number): string {
  const pairs = observedMs.map((ms, i) => [ms / scale, expectedMsAtScaleOne[i]] as const).filter((p): p is readonly [number, number] => p[1] !== undefined && p[1] > 0)
  const ratios = pairs.map(([o, e]) => o / e)
  const mean = ratios.length > 1 ? ratios.reduce((a, b) => a + b, 0) / ratios.length : Number.NaN
  const stretched = Number.isFinite(mean) && Math.abs(mean - 1) > 0.05 && ratios.every((r) => Math.abs(r - mean) <= 0.1 * mean) ? `, about ${mean.toFixed(2)} x the profile's` : ''
  return `observed intervals ${describePattern(observedMs, scale)}${stretched} at scale 1; the profile expects ${intervalList(expectedMsAtScaleOne)}`
}
