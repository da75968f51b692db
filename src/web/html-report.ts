/**
 * The conformance report as one self-contained HTML file (`conformance --html FILE`): a summary, one
 * section per scenario with its checks (expected vs observed), the side-by-side timeline text and a
 * drawing of the attempts the receiver saw. No script at all; styles are inline and allowed by hash
 * in the file's own Content-Security-Policy. Every value from the report is HTML-escaped, because
 * journal data (tags, messages) can be attack strings.
 * @see ../../../shared/SPEC.md "Conformance scenarios"
 */
import { createHash } from 'node:crypto'
import type { ConformanceReport, ScenarioResult } from '../conformance/types.js'

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
.passed{color:#1a7f37}.failed,.error{color:#cf222e}.skipped{color:#656d76}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}
th{font-size:12px;color:#656d76}section,.summary{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:10px 14px}
details>summary{cursor:pointer;font-weight:600}details>summary .id{font-family:ui-monospace,"DejaVu Sans Mono",monospace}
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:4px;padding:8px;overflow:auto;font-size:12px;white-space:pre}
.msg{white-space:pre-wrap;color:#cf222e}code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px}
svg .ok{fill:#1a7f37}svg .fail{fill:#cf222e}svg .axis{stroke:#8c959f}svg text{font-size:10px;fill:#656d76}
`

function styleHash(css: string): string {
  return `'sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}'`
}

function fmtDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return ''
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** The attempts the receiver saw, on a time axis from the first one (green 2xx, red anything else). */
function attemptsSvg(result: ScenarioResult): string {
  const journal = (result.journal ?? []).filter((e) => typeof e.receivedMono === 'number')
  if (journal.length === 0) return ''
  const t0 = Math.min(...journal.map((e) => e.receivedMono))
  const t1 = Math.max(...journal.map((e) => e.endedMono ?? e.receivedMono))
  const span = Math.max(1, t1 - t0) * 1.04
  const w = 900
  const left = 10
  const plotW = w - 2 * left
  const x = (t: number): number => left + ((t - t0) / span) * plotW
  const parts: string[] = [`<line class="axis" x1="${left}" x2="${left + plotW}" y1="34" y2="34"/>`]
  for (let i = 0; i <= 4; i++) {
    const tx = left + (plotW * i) / 4
    parts.push(`<text x="${tx.toFixed(1)}" y="48" text-anchor="middle">${escapeHtml(fmtDuration((span * i) / 4) || '0')}</text>`)
  }
  for (const e of journal) {
    const ok = e.outcome === 'answered' && typeof e.status === 'number' && e.status >= 200 && e.status < 300
    const sx = x(e.receivedMono)
    const ex = x(e.endedMono ?? e.receivedMono)
    const label = `#${e.attempt ?? '?'} ${e.tag ?? e.kind}: ${e.status ?? ''} ${e.outcome} at +${fmtDuration(e.receivedMono - t0) || '0 ms'}`
    parts.push(
      `<g class="${ok ? 'ok' : 'fail'}"><title>${escapeHtml(label)}</title>` +
        `<rect x="${sx.toFixed(1)}" y="20" width="${Math.max(1.5, ex - sx).toFixed(1)}" height="8" opacity="0.4"/>` +
        `<circle cx="${sx.toFixed(1)}" cy="24" r="4"/></g>`,
    )
  }
  return `<svg viewBox="0 0 ${w} 54" width="100%" role="img" aria-label="attempts">${parts.join('')}</svg>`
}

function scenarioSection(r: ScenarioResult): string {
  const checks = (r.checks ?? [])
    .map(
      (c) =>
        `<tr><td class="${c.passed ? 'passed' : 'failed'}">${c.passed ? 'pass' : 'FAIL'}</td><td>${escapeHtml(c.name)}</td>` +
        `<td>${escapeHtml(c.expected)}</td><td>${escapeHtml(c.observed)}</td><td>${escapeHtml((c.evidence ?? []).join(', '))}</td></tr>`,
    )
    .join('')
  const open = r.status === 'failed' || r.status === 'error' ? ' open' : ''
  return (
    `<section id="${escapeHtml(r.id)}"><details${open}><summary><span class="${escapeHtml(r.status)}">${escapeHtml(r.status.toUpperCase())}</span> ` +
    `<span class="id">${escapeHtml(r.id)}</span> — ${escapeHtml(r.title)} <small>(${escapeHtml(fmtDuration(r.durationMs))}, time scale ${escapeHtml(r.timeScale)})</small></summary>` +
    (r.message ? `<p class="msg">${escapeHtml(r.message)}</p>` : '') +
    (r.errorCode ? `<p>error code <code>${escapeHtml(r.errorCode)}</code></p>` : '') +
    (checks ? `<table><thead><tr><th></th><th>check</th><th>expected</th><th>observed</th><th>journal ids</th></tr></thead><tbody>${checks}</tbody></table>` : '') +
    attemptsSvg(r) +
    (r.timeline ? `<h4>Expected vs observed</h4><pre>${escapeHtml(r.timeline)}</pre>` : '') +
    (r.senderEnd?.stderrTail ? `<h4>Sender stderr (tail)</h4><pre>${escapeHtml(r.senderEnd.stderrTail)}</pre>` : '') +
    `</details></section>`
  )
}

/**
 * Renders a conformance JSON report as a standalone HTML page (UTF-8 text). Failed and errored
 * scenarios are expanded; passed ones are collapsed.
 */
export function renderHtmlReport(report: ConformanceReport): string {
  const t = report.totals
  const verdict = t.failed === 0 && t.errors === 0 ? 'passed' : 'failed'
  const rows = report.results
    .map(
      (r) =>
        `<tr><td class="${escapeHtml(r.status)}">${escapeHtml(r.status)}</td><td><a href="#${escapeHtml(encodeURIComponent(r.id))}"><code>${escapeHtml(r.id)}</code></a></td>` +
        `<td>${escapeHtml(r.title)}</td><td>${escapeHtml(fmtDuration(r.durationMs))}</td></tr>`,
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
<p>sender ${escapeHtml(report.sender)} · profile ${escapeHtml(report.profile)} · started ${escapeHtml(report.startedAt)} · ${escapeHtml(fmtDuration(report.durationMs))} · tolerance ±${escapeHtml(report.tolerance?.absMs)} ms + ${escapeHtml(Math.round((report.tolerance?.rel ?? 0) * 100))} %</p></header>
<main><div class="summary"><p class="totals"><span>${escapeHtml(t.total)} scenarios</span><span class="passed">${escapeHtml(t.passed)} passed</span><span class="failed">${escapeHtml(t.failed)} failed</span><span class="error">${escapeHtml(t.errors)} errors</span><span class="skipped">${escapeHtml(t.skipped)} skipped</span></p>
<table><thead><tr><th>status</th><th>scenario</th><th>title</th><th>duration</th></tr></thead><tbody>${rows}</tbody></table></div>
${report.results.map(scenarioSection).join('\n')}
</main></body></html>
`
}
