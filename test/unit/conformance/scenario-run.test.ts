/**
 * runScenario on the injected Clock (issue 18 items 1 and 3), driven by a ManualClock and the
 * receiver's observations: start-up does not count, later deliveries and the deadline count from
 * the first attempt (or the ready event), and the deadline follows a sender still at work.
 */
import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import type { SenderAdapter, SenderSession } from '../../../src/conformance/adapters/types.js'
import type { ReceiverFactory } from '../../../src/conformance/receivers.js'
import { runScenario } from '../../../src/conformance/scenario-run.js'
import type { ScenarioDefinition, ScenarioResult, SenderEnd } from '../../../src/conformance/types.js'
import type { ReceiverObservation } from '../../../src/receiver/index.js'
import { wallarmProfile } from '../../../src/profile/index.js'

function harness(clock: ManualClock) {
  const handed: Array<{ at: number; n: unknown }> = []
  let publish: (o: ReceiverObservation) => void = () => {}
  let onEvent: (e: { event: string; mono: number; data: Record<string, unknown> }) => void = () => {}
  const factory: ReceiverFactory = () =>
    Promise.resolve({
      url: 'https://127.0.0.1:1',
      caFile: '',
      connections: () => [],
      entries: () => [],
      observe: (fn) => {
        publish = fn
        return () => {}
      },
      close: () => Promise.resolve(),
    })
  const adapter: SenderAdapter = {
    label: 'fake',
    reportsEvents: false,
    start: (s) => {
      onEvent = s.onEvent
      const session: SenderSession = {
        deliver: (notifications) => handed.push({ at: clock.now(), n: notifications[0]!.n }),
        end: () => new Promise<SenderEnd>(() => {}),
        ended: new Promise<SenderEnd>(() => {}),
        kill: () => Promise.resolve({ how: 'killed' }),
      }
      return Promise.resolve(session)
    },
  }
  const def: ScenarioDefinition = {
    id: 'test.clock',
    family: 'delivery',
    title: 'clock',
    description: '',
    defaultTimeScale: 1,
    pins: [],
    build: () => ({
      settings: {},
      deliveries: [{ atMs: 0, notifications: [{ n: 1 }], batch: false }, { atMs: 500, notifications: [{ n: 2 }], batch: false }],
      deadlineMs: 1000,
      settleMs: 0,
      estimateMs: 0,
      judge: () => ({ checks: [] }),
    }),
  }
  const probe = { samples: () => [], worstSince: () => 0, stop: () => {} }
  const run = (startupTimeoutMs?: number): Promise<ScenarioResult> =>
    runScenario(def, { ctx: { profile: wallarmProfile, timeScale: 1, tolerance: { absMs: 6, rel: 0 } }, adapter, factory, emit: () => {}, probe, clock, startupTimeoutMs })
  const accept = (): void => publish({ type: 'accepted', port: 1, mono: clock.now(), connectionId: 1 })
  return { handed, run, accept, ready: () => onEvent({ event: 'ready', mono: clock.now(), data: {} }) }
}

describe('runScenario on the Clock', () => {
  it('start-up is not counted: the later delivery and the deadline count from the first attempt', async () => {
    const clock = new ManualClock(1000)
    const h = harness(clock)
    const done = h.run()
    await clock.advance(0)
    expect(h.handed).toEqual([{ at: 1000, n: 1 }])
    await clock.advance(5000) // a sender that takes 5 s to start
    expect(h.handed).toHaveLength(1)
    h.accept()
    await clock.advance(499)
    expect(h.handed).toHaveLength(1)
    await clock.advance(1)
    expect(h.handed).toEqual([{ at: 1000, n: 1 }, { at: 6500, n: 2 }])
    await clock.advance(1000 + 500 + 200) // the deadline, its patience for a quiet sender, the settle time
    const r = await done
    expect(r.startupMs).toBe(5000)
    expect(r.senderEnd?.how).toBe('killed')
    expect(r.message ?? '').toMatch(/stopped at the deadline \(1000 ms after the sender's start-up/)
  })

  it('the ready event starts the clock; a sender still at work gets more time, up to 4 x the deadline', async () => {
    const clock = new ManualClock(0)
    const h = harness(clock)
    const done = h.run()
    await clock.advance(2000)
    h.ready()
    await clock.advance(500)
    expect(h.handed.map((x) => x.at)).toEqual([0, 2500])
    // Attempts every 300 ms: the run goes on past the 1000 ms deadline, and ends at 4 x it.
    let settled = false
    void done.then(() => (settled = true))
    for (let t = 0; t < 5000 && !settled; t += 300) {
      h.accept()
      await clock.advance(300)
    }
    const r = await done
    expect(r.startupMs).toBe(2000)
    expect(clock.now()).toBeGreaterThanOrEqual(2000 + 4000)
    expect(clock.now()).toBeLessThan(2000 + 4000 + 600)
  })
})
