// Long robustness runs (issue 8): `npm run test:soak` (needs `npm run build`). Not part of `npm test`.
// Re-runs the no-loss tests for 20 s each and the fuzz tests with 20x the runs, plus test/soak/.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts', 'test/integration/robustness/no-loss.test.ts', 'test/unit/fuzz-parsers.test.ts'],
    env: { FF_NO_LOSS_MS: '20000', FF_FUZZ_RUNS: '6000' },
    pool: 'forks',
    // One at a time: these saturate the 2-core machine on purpose.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest-soak.json' }]],
  },
})
