import { describe, expect, it } from 'vitest'
import { createDemo } from '../../../src/demo/demo.js'
import type { DemoEvent } from '../../../src/demo/events.js'
import { isFakeFluentdError } from '../../../src/errors.js'

describe('createDemo', () => {
  it('recovery tells its story through events: ready, attempts compared with the schedule, delivered, done', async () => {
    const demo = createDemo({ scenario: 'recovery', timeScale: 0.05 })
    const events: DemoEvent[] = []
    demo.on((e) => events.push(e))
    await demo.start()
    try {
      const done = await demo.finished
      expect(done).toMatchObject({ type: 'done', ending: 'delivered', asExpected: true, attempts: 4 })
      expect(events[0]).toMatchObject({ type: 'ready', scenario: 'recovery', timeScale: 0.05, deliveries: 1, ending: 'delivered' })
      const attempts = events.filter((e) => e.type === 'attempt')
      expect(attempts.map((a) => [a.attempt, a.cycle, a.plannedMs, a.status])).toEqual([
        [1, 0, undefined, 500],
        [2, 1, 50, 500],
        [3, 1, 150, 500],
        [4, 1, 250, 200],
      ])
      for (const a of attempts.slice(1)) {
        // measured from the end of the previous attempt: never early, and not much late
        expect(a.actualMs!).toBeGreaterThanOrEqual(a.plannedMs! - 1)
        expect(a.actualMs!).toBeLessThan(a.plannedMs! + 500)
      }
      expect(events.filter((e) => e.type === 'waiting')).toHaveLength(3)
      expect(events.some((e) => e.type === 'delivered')).toBe(true)
      // The page is still up after the story.
      expect((await fetch(demo.pageUrl!)).status).toBe(200)
    } finally {
      await demo.close()
    }
    await expect(fetch(demo.pageUrl!)).rejects.toThrow()
  })

  it('close() right after start() leaves nothing open and ends the story as stopped', async () => {
    const demo = createDemo({ scenario: 'retry' })
    const starting = demo.start()
    await demo.close()
    await starting
    expect(await demo.finished).toMatchObject({ ending: 'stopped', asExpected: false })
    if (demo.pageUrl) await expect(fetch(demo.pageUrl)).rejects.toThrow()
  })

  it('refuses an unknown scenario and a bad time scale', () => {
    expect(() => createDemo({ scenario: 'nope' as never })).toThrow(/Unknown demo scenario "nope"/)
    try {
      createDemo({ timeScale: -1 })
      expect.unreachable()
    } catch (err) {
      expect(isFakeFluentdError(err, 'FF_ERR_OPTION')).toBe(true)
    }
  })
})
