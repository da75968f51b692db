// Wall time of the default conformance suite against the built-in reference sender:
// `node dist/cli/main.js conformance --sender builtin` (every scenario, default concurrency).
// Usage: npm run build && node bench/conformance.mjs
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const work = mkdtempSync(join(tmpdir(), 'ff-bench-conf-'))
const json = join(work, 'report.json')
const t0 = performance.now()
const r = spawnSync(
  process.execPath,
  [new URL('../dist/cli/main.js', import.meta.url).pathname, 'conformance', '--sender', 'builtin', '--quiet', '--cert-dir', join(work, 'certs'), '--json', json],
  { encoding: 'utf8', timeout: 600_000 },
)
const s = (performance.now() - t0) / 1000
let summary = ''
try {
  const report = JSON.parse(readFileSync(json, 'utf8'))
  const list = report.scenarios ?? report.results ?? []
  const passed = list.filter((x) => x.passed === true || x.status === 'passed' || x.verdict === 'pass').length
  summary = `${list.length} scenarios, ${passed} passed`
} catch {
  summary = 'no JSON report'
}
console.log(`conformance --sender builtin: ${s.toFixed(1)} s wall, exit ${r.status}, ${summary}`)
if (r.status !== 0 && r.status !== 1) console.log(r.stderr.slice(-2000))
rmSync(work, { recursive: true, force: true })
