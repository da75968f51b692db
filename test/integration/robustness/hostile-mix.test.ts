/**
 * The hostile mix, small scale (issue 15): gzip bomb, arrays over the record cap, `[1,1,...]`, deep
 * nesting, an in-limit batch, SSE subscribers that never read, slowloris connections, junk
 * connections, the ReDoS glob and header regex, plans that are too big or deep, a pipelined TLS
 * burst and full `GET /api/requests` pages (issue 19), all against one `serve` while a steady client
 * posts 10/s. The p99
 * is reported in test-results/hostile-mix-small.json, never asserted. Full scale: test/soak/.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { falseEntries, journalProblems, runHostileMix, steadyCuts, type MixResult } from './hostile-mix.js'

/** Bound on the server's RSS during the small mix (it stays near 150-250 MiB; without the limits it took GBs). */
const RSS_BOUND_MIB = 600

let r: MixResult

beforeAll(async () => {
  r = await runHostileMix({
    name: 'small',
    steadyMs: 10_000,
    bodyLimit: '8m',
    bombMiB: 64,
    bigObjects: 1_000_000,
    empties: 2_500_000,
    ones: 4_000_000,
    batch: 2000,
    sseSubscribers: 5,
    lorisConnections: 100,
    lorisByteMs: 1000,
    junkConnections: 8,
    rounds: 2,
  })
}, 60_000)

describe('hostile mix (small): one server, every attack, a steady client', () => {
  it('the steady client sees no error', () => {
    expect(r.steady.errors).toEqual([])
    expect(r.steady.sent).toBeGreaterThanOrEqual(90)
  })

  it('each attack gets its clear answer: 413 for the bomb and the arrays over the cap, 2xx for the in-limit batch', () => {
    expect(r.attacks['gzip-bomb']).toEqual([413, 413])
    expect(r.attacks['big-objects']).toEqual([413, 413])
    expect(r.attacks['empties']).toEqual([413, 413])
    expect(r.attacks['ones']).toEqual([413, 413])
    expect(r.attacks['one-record']).toEqual([413, 413])
    expect(r.attacks['deep']).toEqual([200, 200])
    expect(r.attacks['batch']).toEqual([200, 200])
    expect(r.attacks['redos-plan']).toEqual([200])
    expect(r.attacks['redos-62']).toEqual([200])
    expect(r.attacks['redos-match']).toEqual([503])
  })

  it(`the server is alive at the end, its RSS stayed under ${RSS_BOUND_MIB} MiB, and it exits on SIGTERM`, () => {
    expect(r.aliveAtEnd).toBe(true)
    expect(r.rssMiB.max).toBeLessThan(RSS_BOUND_MIB)
    expect(r.exit.code).toBe(0)
  })

  it('the journal file holds every 2xx with its events, once, and no events of a non-2xx', () => {
    expect(journalProblems(r)).toEqual({ lost: [], duplicated: [], non2xxWithEvents: 0, badLines: [] })
    expect(r.answered2xx.length).toBeGreaterThanOrEqual(90 + 2 * 2000)
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
