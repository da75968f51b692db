/**
 * Issue 19 item 7b at full scale (`npm run test:soak`): 95,000 requests, each with its own 15 KB tag,
 * through a real `serve` (scripts/tag-state-rss.mjs). Before the delivery state had a byte budget its
 * RSS grew ~20 MB per 1,000 such requests, to 1.9 GB; now the memory that grows with requests is bounded
 * by the journal's budget (`--journal-max-bytes`, 64m) and the delivery state's (`--delivery-state-max`,
 * 16m). The bound allows each budget twice (estimates, garbage not yet collected) plus 64 MiB for the
 * rest (sockets, V8's own). Figures: test-results/tag-state-rss.json.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, it } from 'vitest'

const JOURNAL_BUDGET_MIB = 64
const DELIVERY_BUDGET_MIB = 16
const SLACK_MIB = 64

it('95,000 distinct 15 KB tags: every request answered, RSS growth within the documented budgets', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['scripts/tag-state-rss.mjs', '--requests', '95000', '--tag-bytes', '15360', '--max-seconds', '150'], { timeout: 175_000 })
  const r = JSON.parse(stdout) as { requests: number; statuses: Record<string, number>; rssMiB: { before: number; max: number; after: number } }
  mkdirSync('test-results', { recursive: true })
  writeFileSync(join('test-results', 'tag-state-rss.json'), JSON.stringify(r, null, 2))
  // At least 50,000 even on a slow machine: the delivery budget holds about 1,000 such tags.
  expect(r.requests).toBeGreaterThanOrEqual(50_000)
  expect(r.statuses).toEqual({ 200: r.requests })
  expect(r.rssMiB.max - r.rssMiB.before).toBeLessThan(2 * (JOURNAL_BUDGET_MIB + DELIVERY_BUDGET_MIB) + SLACK_MIB)
}, 180_000)
