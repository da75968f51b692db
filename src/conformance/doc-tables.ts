/**
 * The scenario table of docs/sender-contract.md, generated from the catalogue (a test keeps the
 * document equal to it): each scenario's time scale, the time it takes, the profile rules it pins,
 * the rules it relies on (pinned elsewhere) and what it expects.
 */
import { listScenarios } from './runner.js'

/** The scenario catalogue as a Markdown table (wallarm profile, default scales). */
export function renderScenarioTable(): string {
  const rows = listScenarios().map((s) => {
    const time = s.estimateMs === null ? 'n/a' : `${(s.estimateMs / 1000).toFixed(1)} s`
    const pins = s.pins.length ? s.pins.join(', ') : '— (not a profile field: format, TLS or kind of failure)'
    const premises = s.premises?.length ? s.premises.join(', ') : '—'
    return `| \`${s.id}\` | ${Number(s.defaultTimeScale.toPrecision(4))} | ${time} | ${pins} | ${premises} | ${s.description.replaceAll('|', '\\|')} |`
  })
  return ['| scenario | scale | takes | pins (profile rule) | relies on (blocked when it fails elsewhere) | what it expects |', '| --- | --- | --- | --- | --- | --- |', ...rows].join('\n')
}
