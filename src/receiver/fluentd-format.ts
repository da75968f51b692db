/**
 * Fluentd's `@type stdout` (output_type json) line: `%Y-%m-%d %H:%M:%S.%N %z tag: {json}` in the
 * process's local timezone (docs/design.md "Answering as Fluentd").
 */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/** Most seconds from the epoch a JS Date holds (±8.64e12). */
const DATE_MAX_S = 8.64e12

/** Year, month, day, hours, minutes, seconds of `sec` (UTC plus `offsetMin`) without Date: for times past its range. */
function civil(sec: number, offsetMin: number): [number, number, number, number, number, number] {
  const local = sec + offsetMin * 60
  const days = Math.floor(local / 86400)
  const rest = local - days * 86400
  // Howard Hinnant's civil_from_days (exact in doubles far beyond any time a float second can hold to 1 s).
  const z = days + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1
  const m = mp < 10 ? mp + 3 : mp - 9
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0)
  return [y, m, d, Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60]
}

/**
 * Formats an event time (float seconds) as Fluentd prints it. The fraction goes through a float as
 * in Fluentd's float time parser, so it is exact to 100 ns (`1603834606.123456789` → `.123456700`).
 * Years past 9999 print their last four digits, as Fluentd's strftime does (8.7e12 s, the year
 * 277662, prints as `7662-01-09 10:40:00`); times past JS Date's range take the time zone offset of
 * the nearest time it holds.
 */
export function formatFluentdTime(timeS: number): string {
  let sec = Math.floor(timeS)
  let frac = Math.round((timeS - sec) * 1e7) * 100
  if (frac >= 1e9) {
    sec += 1
    frac -= 1e9
  }
  const offsetMin = -new Date(Math.max(-DATE_MAX_S, Math.min(DATE_MAX_S, sec)) * 1000).getTimezoneOffset()
  const [y, mo, d, h, mi, s] = civil(sec, offsetMin)
  const sign = offsetMin >= 0 ? '+' : '-'
  const abs = Math.abs(offsetMin)
  return (
    `${pad(y > 9999 ? y % 10000 : y, 4)}-${pad(mo)}-${pad(d)} ` +
    `${pad(h)}:${pad(mi)}:${pad(s)}.${pad(frac, 9)} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  )
}

/** Fluentd's own log time: `%Y-%m-%d %H:%M:%S %z` in local time, no fraction (wall ms in). */
export function formatFluentdLogTime(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000)
  const offsetMin = -d.getTimezoneOffset()
  const sign = offsetMin >= 0 ? '+' : '-'
  const abs = Math.abs(offsetMin)
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  )
}

/** One stdout line (with the trailing newline) for one event. */
export function formatFluentdLine(timeS: number, tag: string, record: unknown): string {
  return `${formatFluentdTime(timeS)} ${tag}: ${JSON.stringify(record)}\n`
}
