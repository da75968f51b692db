/**
 * The figure for the linear tag glob matcher (issue 15 item 6): the pattern that once blocked the
 * server for more than 80 s against a 62-character tag. Timing is recorded in
 * test-results/tag-glob-timing.json, never asserted; the answers are.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { compileTagGlob } from '../../src/faults/tag-glob.js'

it('a.*x*x*x*x*x*x*x*x*y against 62-character tags: right answers, time per match recorded', () => {
  const re = compileTagGlob('a.*x*x*x*x*x*x*x*x*y')
  const miss = 'a.' + 'x'.repeat(60)
  const hit = 'a.' + 'x'.repeat(59) + 'y'
  const runs = 10_000
  const t0 = performance.now()
  let matched = 0
  for (let i = 0; i < runs; i++) if (re.test(i % 2 === 0 ? miss : hit)) matched++
  const perMatchMs = (performance.now() - t0) / runs
  expect(matched).toBe(runs / 2)
  mkdirSync('test-results', { recursive: true })
  writeFileSync(join('test-results', 'tag-glob-timing.json'), JSON.stringify({ pattern: 'a.*x*x*x*x*x*x*x*x*y', tagLength: miss.length, runs, perMatchMs }, null, 2))
})
