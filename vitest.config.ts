import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { defineConfig } from 'vitest/config'

/**
 * `npm test` runs its files in three groups, one after the other.
 *
 * 1. `judged`: the suites whose verdicts come from measured time: the reference senders against the
 *    whole conformance suite, the mutation subset, the broken senders, the URL adapter. They wait on
 *    timers with little CPU, so two run side by side, and nothing CPU-hungry runs beside them: a
 *    judge that sees its event loop held up says `inconclusive`, and such a scenario is measured
 *    again at most twice (judged-run.ts, as `--retry-inconclusive 2`). Three side by side (2026-12-08,
 *    on a fresh 2-core machine) made a correct out-of-process sender late by 80 ms once in four
 *    runs, which its runner cannot see: a false `failed`, which no re-measurement may undo. Command
 *    senders start a process per scenario, and a process start is a burst of CPU: the order below
 *    starts one suite of them with the in-process one. (Four side by side, or three suites of
 *    command senders starting together, ended a correct sender's scenario inconclusive in most runs
 *    on this 2-core machine: runner lag of 60-200 ms while the suites started their processes.)
 * 2. `rest` and `unit`: everything else, which spawns processes, parses and floods sockets. It uses
 *    the CPU more but still waits on sockets and child processes much of the time, so it runs on four
 *    workers.
 *
 * A whole `npm test` uses about 2.5 CPU-minutes; on one worker (vitest's default on 2 cores) it took
 * 5.5 minutes.
 */
const JUDGED = [
  // Two at a time, in this order: at the start a suite of command senders (a process per scenario)
  // and the in-process one; each later file starts as one ends, when the first suites are down to
  // their long, quiet scenarios.
  'test/integration/conformance/reference-contract.test.ts',
  'test/integration/conformance/reference-builtin.test.ts',
  'test/integration/conformance/broken-window.test.ts',
  'test/integration/conformance/reference-example.test.ts',
  'test/integration/conformance/mutation.test.ts',
  'test/integration/conformance/broken-senders.test.ts',
  'test/integration/conformance/url-adapter.test.ts',
  'test/integration/conformance/slow-start.test.ts',
  'test/integration/conformance/attribution.test.ts',
  // Real senders from npm, judged on time like the reference suites.
  'test/integration/conformance/real-senders-got.test.ts',
  'test/integration/conformance/real-senders-undici.test.ts',
  'test/integration/conformance/real-senders-two-failing.test.ts',
  // Runs the README's conformance line (a judged run) besides the other examples.
  'test/cli/examples.test.ts',
]

/**
 * 3. `alone`: tests that hold a core on purpose (a real-time busy loop that starves everything on its
 *    core for 1.2 s, to show the sender's side of the lag): after both groups, with nothing beside
 *    them, so that no other test's timing feels it.
 */
const ALONE = ['test/integration/conformance/sender-lag.test.ts']

/**
 * Within a group, the longest files start first so that they run beside the short ones instead of
 * being left for the end (without a results cache, as on a clean CI checkout, vitest starts the
 * largest files first, and these are small).
 */
const LONG_FIRST = [
  ...JUDGED,
  'test/cli/demo.test.ts',
  'test/integration/receiver/parity.test.ts',
  'test/cli/flags.property.test.ts',
  'test/integration/robustness/no-loss.test.ts',
  'test/cli/package.test.ts',
  'test/cli/send.test.ts',
  'test/cli/serve.test.ts',
  'test/integration/robustness/issue-15-connections.test.ts',
  'test/integration/admin/stream-bounds.test.ts',
]

class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const rank = (f: TestSpecification): number => {
      const i = LONG_FIRST.findIndex((name) => f.moduleId.endsWith(name))
      return i === -1 ? LONG_FIRST.length : i
    }
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f)
  }
}

export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    sequence: { sequencer: LongFirstSequencer },
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        extends: true,
        // maxConcurrency: the broken senders run two at a time (each an out-of-process sender).
        test: { name: 'judged', include: JUDGED, maxWorkers: 2, maxConcurrency: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'rest',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/soak/**', 'test/unit/**', 'node_modules/**', ...JUDGED, ...ALONE],
          maxWorkers: 4,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          // Unit tests share their worker processes (isolate: false): a fresh process per file cost
          // more than most of these files take. They start no servers and leave no global state.
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          isolate: false,
          maxWorkers: 4,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 2 } },
      },
    ],
  },
})
