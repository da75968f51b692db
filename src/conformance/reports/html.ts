/**
 * The conformance report as one self-contained HTML file (`conformance --html FILE`): a summary, one
 * section per scenario with its checks (expected vs observed), the side-by-side timeline text and a
 * drawing of the attempts the receiver saw. No script at all; styles are inline and allowed by hash
 * in the file's own Content-Security-Policy. Every value from the report is HTML-escaped, because
 * journal data (tags, messages) can be attack strings.
 * @see docs/design.md "Conformance"
 */
import { createHash } from 'node:crypto'
import { describePrecision } from '../judges/precision.js'
import type { ConformanceReport, ScenarioResult } from '../types.js'
import { expectedSchedule, loadProfile, type RetryProfile } from '../../profile/index.js'
import { formatDuration } from '../../text/index.js'

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;')
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1f24;background:#f6f8fa;margin:0}
header{background:#1f4e79;color:#fff;padding:12px 20px}header h1{margin:0;font-size:18px}
header p{margin:4px 0 0;color:#dbe6f0}main{padding:14px 20px;display:grid;gap:12px}
.totals span{display:inline-block;margin-right:14px;font-weight:600}
.passed{color:#1a7f37}.failed,.error{color:#cf222e}.blocked{color:#bc4c00}.inconclusive{color:#9a6700}.skipped{color:#656d76}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{font-size:12px;color:#656d76}section,.summary{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px}
details>summary{cursor:pointer;font-weight:600}details>summary .id{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:8px;overflow:auto;font-size:12px;white-space:pre}
.msg{white-space:pre-wrap;color:#cf222e;background:#fff;border:0;padding:0}code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
svg .ok{fill:#1a7f37}svg .fail{fill:#cf222e}svg .axis{stroke:#8c959f}svg text{font-size:10px;fill:#656d76}
svg .exp{stroke:#0969da;stroke-width:1.5}.legend{margin:0;font-size:12px;color:#656d76}svg .exp.projected{stroke-dasharray:3 2;stroke-opacity:.6}
`

function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`
}

type ReportEntry = ScenarioResult['journal'][number]

/** Attempts the timeline text lists for the first delivery (its rows are `n | ...`), 0 without one. */
function timelineRowCount(timeline: string | undefined): number {
  let max = 0
  for (const m of (timeline ?? '').matchAll(/^\s*(\d+) \|/gm)) max = Math.max(max, Number(m[1]))
  return max
}

/**
 * The attempts the receiver saw, one row per delivery on a shared time axis from the first attempt
 * (green 2xx, red anything else), with the time the profile expects each retry (blue ticks: end of
 * the previous attempt + the planned interval; dashed where the attempt is missing, projected).
 */
function attemptsSvg(result: ScenarioResult, profile: RetryProfile | undefined): string {
  const journal = (result.journal ?? []).filter((e) => typeof e.receivedMono === 'number')
  if (journal.length === 0) return ''
  const deliveries: ReportEntry[][] = []
  for (const e of [...journal].sort((a, b) => a.id - b.id)) {
    const last = deliveries[deliveries.length - 1]
    if (!last || e.attempt === 1 || e.attempt === undefined) deliveries.push([e])
    else last.push(e)
  }
  const shown = deliveries.slice(0, 6)
  const intervals = profile ? expectedSchedule(profile).map((a) => (a.intervalMs ?? 0) * result.timeScale) : []
  const wanted = timelineRowCount(result.timeline)
  const t0 = Math.min(...journal.map((e) => e.receivedMono))
  let t1 = Math.max(...journal.map((e) => e.endedMono ?? e.receivedMono))
  // Expected starts per delivery: observed end of attempt n-1 + interval, or projected from the previous expectation.
  const expected = shown.map((attempts) => {
    const out: Array<{ n: number; at: number; projected: boolean }> = []
    if (!profile) return out
    const count = Math.min(Math.max(wanted, attempts.length), intervals.length)
    let prevAt = attempts[0]?.endedMono ?? attempts[0]?.receivedMono ?? t0
    for (let n = 2; n <= count; n++) {
      const prev = attempts[n - 2]
      const base = prev ? (prev.endedMono ?? prev.receivedMono) : prevAt
      const at = base + (intervals[n - 1] ?? 0)
      out.push({ n, at, projected: !attempts[n - 1] })
      prevAt = at
      t1 = Math.max(t1, at)
    }
    return out
  })
  const span = Math.max(1, t1 - t0) * 1.04
  const w = 900
  const left = 12
  const plotW = w - 2 * left
  const rowH = 26
  const axisY = shown.length * rowH + 8
  const x = (t: number): number => left + ((t - t0) / span) * plotW
  const parts: string[] = [`<line class="axis" x1="${left}" x2="${left + plotW}" y1="${axisY}" y2="${axisY}"/>`]
  for (let i = 0; i <= 4; i++) {
    const tx = left + (plotW * i) / 4
    const anchor = i === 0 ? 'start' : i === 4 ? 'end' : 'middle'
    parts.push(`<text x="${tx.toFixed(1)}" y="${axisY + 14}" text-anchor="${anchor}">${escapeHtml(i === 0 ? '0' : formatDuration((span * i) / 4, ''))}</text>`)
  }
  shown.forEach((attempts, row) => {
    const cy = row * rowH + 16
    for (const ex of expected[row] ?? []) {
      const ax = x(ex.at).toFixed(1)
      parts.push(
        `<line class="${ex.projected ? 'exp projected' : 'exp'}" x1="${ax}" x2="${ax}" y1="${cy - 9}" y2="${cy + 9}">` +
          `<title>${escapeHtml(`attempt ${ex.n} expected at +${formatDuration(ex.at - t0, '') || '0 ms'}${ex.projected ? ' (missing)' : ''}`)}</title></line>`,
      )
    }
    for (const e of attempts) {
      const ok = e.outcome === 'answered' && typeof e.status === 'number' && e.status >= 200 && e.status < 300
      const sx = x(e.receivedMono)
      const endX = x(e.endedMono ?? e.receivedMono)
      const label = `#${e.attempt ?? '?'} ${e.tag ?? e.kind}: ${e.status ?? ''} ${e.outcome} at +${formatDuration(e.receivedMono - t0, '') || '0 ms'}`
      parts.push(
        `<g class="${ok ? 'ok' : 'fail'}"><title>${escapeHtml(label)}</title>` +
          `<rect x="${sx.toFixed(1)}" y="${cy - 4}" width="${Math.max(1.5, endX - sx).toFixed(1)}" height="8" opacity="0.4"/>` +
          `<circle cx="${sx.toFixed(1)}" cy="${cy}" r="4.5"/></g>`,
      )
    }
  })
  const more = deliveries.length > shown.length ? `<p>${escapeHtml(`… and ${deliveries.length - shown.length} more deliveries`)}</p>` : ''
  const legend = `<p class="legend">● attempt seen by the receiver (green 2xx, red failed) · │ expected start of a retry${profile ? '' : ' (profile not available)'} · ┆ expected but missing</p>`
  return `<svg viewBox="0 0 ${w} ${axisY + 20}" width="100%" role="img" aria-label="attempts">${parts.join('')}</svg>${legend}${more}`
}

function scenarioSection(r: ScenarioResult, profile: RetryProfile | undefined): string {
  const checks = (r.checks ?? [])
    .map(
      (c) =>
        `<tr><td class="${c.passed ? 'passed' : 'failed'}">${c.passed ? 'pass' : 'FAIL'}</td><td>${escapeHtml(c.name)}</td>` +
        `<td>${escapeHtml(c.expected)}</td><td>${escapeHtml(c.observed)}</td><td>${escapeHtml((c.evidence ?? []).join(', '))}</td></tr>`,
    )
    .join('')
  const open = r.status === 'failed' || r.status === 'blocked' || r.status === 'error' || r.status === 'inconclusive' ? ' open' : ''
  return (
    `<section id="${escapeHtml(r.id)}"><details${open}><summary><span class="${escapeHtml(r.status)}">${escapeHtml(r.status.toUpperCase())}</span> ` +
    `<span class="id">${escapeHtml(r.id)}</span> — ${escapeHtml(r.title)} <small>(${escapeHtml(formatDuration(r.durationMs, ''))}, time scale ${escapeHtml(r.timeScale)}${r.startupMs !== undefined ? `, sender start-up ${escapeHtml(formatDuration(r.startupMs, '') || '0 ms')}` : ''})</small></summary>` +
    (message(r) ? `<pre class="msg">${escapeHtml(message(r))}</pre>` : '') +
    (r.precision ? `<p>precision: ${escapeHtml(describePrecision(r.precision))}</p>` : '') +
    (r.errorCode ? `<p>error code <code>${escapeHtml(r.errorCode)}</code></p>` : '') +
    (checks ? `<table><thead><tr><th></th><th>check</th><th>expected</th><th>observed</th><th>journal ids</th></tr></thead><tbody>${checks}</tbody></table>` : '') +
    attemptsSvg(r, profile) +
    (r.timeline ? `<h4>Expected vs observed</h4><pre>${escapeHtml(r.timeline)}</pre>` : '') +
    (r.senderEnd?.stderrTail ? `<h4>Sender stderr (tail)</h4><pre>${escapeHtml(r.senderEnd.stderrTail)}</pre>` : '') +
    `</details></section>`
  )
}

/** The scenario's message without the timeline table it may repeat (shown on its own below). */
function message(r: ScenarioResult): string {
  const text = r.message ?? ''
  return (r.timeline ? text.replace(r.timeline, '') : text).trim()
}

function profileOf(name: string): RetryProfile | undefined {
  try {
    return loadProfile(name)
  } catch {
    return undefined // a profile file not at hand here: the drawing shows observed attempts only
  }
}

/**
 * Renders a conformance JSON report as a standalone HTML page (UTF-8 text). Failed and errored
 * scenarios are expanded; passed ones are collapsed. `profile` draws the expected retries (default:
 * the report's profile by name, when it can be loaded).
 */
export function renderHtmlReport(report: ConformanceReport, options: { profile?: RetryProfile } = {}): string {
  const profile = options.profile ?? profileOf(report.profile)
  const t = report.totals
  const verdict = t.failed === 0 && (t.blocked ?? 0) === 0 && t.errors === 0 ? ((t.inconclusive ?? 0) > 0 ? 'inconclusive' : 'passed') : 'failed'
  const rows = report.results
    .map(
      (r) =>
        `<tr><td class="${escapeHtml(r.status)}">${escapeHtml(r.status)}</td><td><a href="#${escapeHtml(encodeURIComponent(r.id))}"><code>${escapeHtml(r.id)}</code></a></td>` +
        `<td>${escapeHtml(r.title)}</td><td>${escapeHtml(formatDuration(r.durationMs, ''))}</td></tr>`,
    )
    .join('')
  const csp = `default-src 'none'; style-src ${styleHash(STYLE)}; img-src data:; base-uri 'none'; form-action 'none'`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>fake-fluentd conformance: ${escapeHtml(verdict)}</title>
<style>${STYLE}</style></head>
<body><header><h1>fake-fluentd conformance — <span>${escapeHtml(verdict.toUpperCase())}</span></h1>
<p>sender ${escapeHtml(report.sender)} · profile ${escapeHtml(report.profile)} · started ${escapeHtml(report.startedAt)} · ${escapeHtml(formatDuration(report.durationMs, ''))} · precision: ${escapeHtml(report.precision ?? 'not stated')}</p></header>
<main><div class="summary"><p class="totals"><span>${escapeHtml(t.total)} scenarios</span><span class="passed">${escapeHtml(t.passed)} passed</span><span class="failed">${escapeHtml(t.failed)} failed</span><span class="blocked">${escapeHtml(t.blocked ?? 0)} blocked</span><span class="inconclusive">${escapeHtml(t.inconclusive ?? 0)} inconclusive</span><span class="error">${escapeHtml(t.errors)} errors</span><span class="skipped">${escapeHtml(t.skipped)} skipped</span></p>
<table><thead><tr><th>status</th><th>scenario</th><th>title</th><th>duration</th></tr></thead><tbody>${rows}</tbody></table></div>
${report.results.map((r) => scenarioSection(r, profile)).join('\n')}
</main></body></html>
`
}
