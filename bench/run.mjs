// `npm run bench`: every benchmark, one after the other. Time-bounded; speed is measured here, never asserted in tests.
import { spawnSync } from 'node:child_process'

const benches = ['ingest.mjs']
for (const b of benches) {
  const r = spawnSync(process.execPath, [new URL(`./${b}`, import.meta.url).pathname, ...process.argv.slice(2)], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
