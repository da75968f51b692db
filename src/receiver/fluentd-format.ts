/**
 * Fluentd's `@type stdout` (output_type json) line: `%Y-%m-%d %H:%M:%S.%N %z tag: {json}` in the
 * process's local timezone (docs/design.md "Answering as Fluentd").
 */

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0')
}

/**
 * Formats an event time (float seconds) as Fluentd prints it. The fraction goes through a float as
 * in Fluentd's float time parser, so it is exact to 100 ns (`1603834606.123456789` → `.123456700`).
 */
export function formatFluentdTime(timeS: number): string {
  let sec = Math.floor(timeS)
  let frac = Math.round((timeS - sec) * 1e7) * 100
  if (frac >= 1e9) {
    sec += 1
    frac -= 1e9
  }
  const d = new Date(sec * 1000)
  const offsetMin = -d.getTimezoneOffset()
  const sign = offsetMin >= 0 ? '+' : '-'
  const abs = Math.abs(offsetMin)
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(frac, 9)} ` +
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
