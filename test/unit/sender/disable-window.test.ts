import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../../src/clock/index.js'
import { DisableWindow } from '../../../src/profile/index.js'

const rule = { windowMs: 12 * 3_600_000, failureRatio: 0.6, minAttempts: 20 }

function fill(w: DisableWindow, failed: number, ok: number): void {
  for (let i = 0; i < failed; i++) w.record(false)
  for (let i = 0; i < ok; i++) w.record(true)
}

describe('DisableWindow', () => {
  it('disables at exactly 60 % of 20 attempts (inclusive)', () => {
    const w = new DisableWindow(rule, new ManualClock())
    fill(w, 12, 8)
    expect(w.stats()).toEqual({ attempts: 20, failed: 12, failureRatio: 0.6 })
    expect(w.shouldDisable()).toBe(true)
  })

  it('does not disable just below 60 %', () => {
    const w = new DisableWindow(rule, new ManualClock())
    fill(w, 599, 401) // 59.9 %
    expect(w.shouldDisable()).toBe(false)
    w.record(false) // 600 / 1001 = 59.94 %
    expect(w.shouldDisable()).toBe(false)
    const x = new DisableWindow(rule, new ManualClock())
    fill(x, 600, 400) // 60.0 %
    expect(x.shouldDisable()).toBe(true)
    const y = new DisableWindow(rule, new ManualClock())
    fill(y, 11, 9) // 55 %
    expect(y.shouldDisable()).toBe(false)
  })

  it('does not judge before 20 attempts, even when all failed', () => {
    const w = new DisableWindow(rule, new ManualClock())
    fill(w, 19, 0)
    expect(w.shouldDisable()).toBe(false)
    w.record(false)
    expect(w.shouldDisable()).toBe(true)
  })

  it('is empty and never disables at the start', () => {
    const w = new DisableWindow({ ...rule, minAttempts: 1 }, new ManualClock())
    expect(w.stats()).toEqual({ attempts: 0, failed: 0, failureRatio: 0 })
    expect(w.shouldDisable()).toBe(false)
  })

  it('lets an attempt leave the window at exactly windowMs after it was recorded', async () => {
    const clock = new ManualClock()
    const w = new DisableWindow(rule, clock)
    fill(w, 12, 0)
    await clock.advance(1000)
    fill(w, 0, 8)
    expect(w.shouldDisable()).toBe(true)
    await clock.advance(rule.windowMs - 1000 - 1) // 1 ms before the failures expire
    expect(w.stats().attempts).toBe(20)
    await clock.advance(1) // exactly windowMs after the failures
    expect(w.stats()).toEqual({ attempts: 8, failed: 0, failureRatio: 0 })
    expect(w.shouldDisable()).toBe(false)
    await clock.advance(1000)
    expect(w.stats().attempts).toBe(0)
  })

  it('counts only what is inside the sliding window', async () => {
    const clock = new ManualClock()
    const w = new DisableWindow(rule, clock)
    fill(w, 20, 0) // old failures
    await clock.advance(rule.windowMs)
    fill(w, 11, 9) // 55 % now
    expect(w.stats()).toMatchObject({ attempts: 20, failed: 11 })
    expect(w.shouldDisable()).toBe(false)
    w.record(false)
    w.record(false) // 13/22 = 59.1 %
    expect(w.shouldDisable()).toBe(false)
    w.record(false) // 14/23 = 60.9 %
    expect(w.shouldDisable()).toBe(true)
  })

  it('works at a time scale (a scaled window)', async () => {
    const clock = new ManualClock()
    const w = new DisableWindow({ ...rule, windowMs: rule.windowMs * 0.001 }, clock)
    fill(w, 20, 0)
    expect(w.shouldDisable()).toBe(true)
    await clock.advance(43_200)
    expect(w.shouldDisable()).toBe(false)
  })
})
