/**
 * The hostile mix at the scale of issue 15 (`npm run test:soak`): a 382 KB gzip bomb (262 MB
 * inflated), 10^6-object and 2.5-million-`{}` arrays, a 32 MB `[1,1,...]`, a 10,000-hit batch, 20
 * SSE subscribers that never read (with replay from id 0), 2,000 slowloris connections, junk
 * connections and the ReDoS glob, against one `serve` with the default limits (the connection cap
 * raised above the slowloris count) while a steady client
 * posts 10/s for 60 s. Figures: test-results/hostile-mix-full.json. The RSS bound holds once the admin
 * event stream drops subscribers that do not read (issue 15 item 4): without it, 20 of them held
 * about 1.1 GiB of buffered changes and stalled the server 1-1.5 s after each 10,000-hit batch.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { falseEntries, journalProblems, runHostileMix, steadyCuts, type MixResult } from '../integration/robustness/hostile-mix.js'

/** Bound on the server's RSS under the full mix. */
const RSS_BOUND_MIB = 1024

let r: MixResult

beforeAll(async () => {
  r = await runHostileMix({
    name: 'full',
    steadyMs: 60_000,
    bodyLimit: '32m',
    bombMiB: 250,
    bigObjects: 1_000_000,
    empties: 2_500_000,
    ones: 16_000_000,
    batch: 10_000,
    sseSubscribers: 20,
    lorisConnections: 2000,
    lorisByteMs: 5000,
    junkConnections: 40,
    rounds: 4,
    // 2,000 slowloris connections are more than the default connection cap (1,000): with it, every
    // connection beyond the cap is reset at once, the first round of attacks included (the first run
    // after the cap merged saw exactly that: ECONNRESET for round 1, 413/200 for rounds 2-4). The cap
    // has its own test (issue-15-connections); here the loris hold their connections until the
    // header deadline cuts them, and every round of attacks must get its answer.
    serveArgs: ['--max-connections', '2500'],
  })
}, 170_000)

describe('soak: hostile mix at full scale', () => {
  it('the steady client sees no error', () => {
    expect(r.steady.errors).toEqual([])
    expect(r.steady.sent).toBeGreaterThanOrEqual(590)
  })

  it('413 for the bomb and the arrays over the cap, 2xx for the batch and the deep record (dropped), 503 only for the matching glob', () => {
    for (const name of ['gzip-bomb', 'big-objects', 'empties', 'ones', 'one-record']) expect(r.attacks[name]).toEqual([413, 413, 413, 413])
    expect(r.attacks['batch']).toEqual([200, 200, 200, 200])
    expect(r.attacks['redos-62']).toEqual([200])
    expect(r.attacks['redos-match']).toEqual([503])
  })

  it(`alive at the end with RSS under ${RSS_BOUND_MIB} MiB; exits on SIGTERM`, () => {
    expect(r.aliveAtEnd).toBe(true)
    expect(r.rssMiB.max).toBeLessThan(RSS_BOUND_MIB)
    expect(r.exit.code).toBe(0)
  })

  it('every 2xx is in the journal file with its events, once', () => {
    expect(journalProblems(r)).toEqual({ lost: [], duplicated: [], non2xxWithEvents: 0, badLines: [] })
  })

  it('issue 19: pipelined TLS requests all answered, linear-time matchers, bad plans refused, the big page served', () => {
    expect(r.attacks['pipelined']).toEqual([1500])
    expect(r.attacks['regex-miss']).toEqual([200])
    expect(r.attacks['regex-match']).toEqual([503])
    expect(r.attacks['bad-plans']).toEqual([400, 400, 400, 400])
    expect(r.attacks['requests-page']).toEqual([200, 200, 200])
  })

  it('the steady keep-alive client and the pipelining one are never cut, and no false parser entry', () => {
    expect(steadyCuts(r)).toEqual([])
  })

  it('no false or duplicate connection entries', () => {
    expect(falseEntries(r)).toEqual([])
  })
})
