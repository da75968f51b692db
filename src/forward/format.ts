/**
 * Fluentd's stdout line for an event that came over the forward protocol: the same format as
 * in_http's (`%Y-%m-%d %H:%M:%S.%N %z tag: {json}`, local time), with the time's nanoseconds exact
 * (an EventTime keeps all nine digits; a float time prints as Ruby's Time.at(float)).
 */
import { formatFluentdLine, formatFluentdTime } from '../receiver/index.js'

/** `%Y-%m-%d %H:%M:%S.%N %z` of whole seconds and nanoseconds. */
export function formatEventTime(sec: number, nsec: number): string {
  // formatFluentdTime of the whole second gives date, time and zone; the fraction is put in exactly.
  const whole = formatFluentdTime(sec)
  return whole.replace(/\.\d{9} /, `.${String(nsec).padStart(9, '0')} `)
}

/** One stdout line (with its newline) for one journal event of any protocol. */
export function formatForwardLine(event: { time: number; eventTime?: { sec: number; nsec: number }; record: unknown }, tag: string): string {
  if (!event.eventTime) return formatFluentdLine(event.time, tag, event.record)
  return `${formatEventTime(event.eventTime.sec, event.eventTime.nsec)} ${tag}: ${JSON.stringify(event.record)}\n`
}
