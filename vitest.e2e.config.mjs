// Browser tests (test/e2e): playwright-core driving Debian's Chromium. Not part of `npm test`;
// run with `npm run test:e2e` (needs `npm run build` for the CLI tests and /usr/bin/chromium).
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    // One browser at a time: the machine has 2 cores shared with the other suites.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest-e2e.json' }]],
  },
})
