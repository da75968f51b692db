/** The report as JSON (the ConformanceReport object, pretty-printed). */
import type { ConformanceReport } from '../types.js'

/** Renders the report as JSON text with a trailing newline. */
export function renderJson(report: ConformanceReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}
