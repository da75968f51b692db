// `npm run bench`: every benchmark, one after the other (a few minutes in all; each is time-bounded).
// Speed is measured here, never asserted in tests. Figures and how to read them: bench/results.md.
// BENCH_ONLY=ingest,hot-path,startup,... runs a subset; arguments go to ingest.mjs (seconds per cell).
import { spawnSync } from 'node:child_process'

const all = ['ingest', 'hot-path', 'startup', 'validation', 'memory', 'conformance']
const only = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : all
for (const b of all.filter((x) => only.includes(x))) {
  console.log(`\n== ${b} ==`)
  const args = b === 'ingest' ? process.argv.slice(2) : []
  const r = spawnSync(process.execPath, [new URL(`./${b}.mjs`, import.meta.url).pathname, ...args], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
