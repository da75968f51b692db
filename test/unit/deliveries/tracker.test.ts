/**
 * The receiver's delivery tracker (src/deliveries/tracker.ts): numbering, what ends a delivery, what
 * is ambiguous, and its memory bound in bytes (issue 18 item 1, issue 19 item 7).
 */
import { describe, expect, it } from 'vitest'
import { createDeliveryTracker, ticketOf } from '../../../src/deliveries/index.js'

describe('delivery tracker', () => {
  it('a failure continues a delivery, a success ends it', () => {
    const t = createDeliveryTracker()
    const a1 = t.begin('k')
    t.end(a1, false)
    const a2 = t.begin('k')
    expect([a1.attempt, a2.attempt, a2.deliveryKey]).toEqual([1, 2, a1.deliveryKey])
    t.end(a2, true)
    const b1 = t.begin('k')
    expect(b1.attempt).toBe(1)
    expect(b1.deliveryKey).not.toBe(a1.deliveryKey)
  })

  it('in flight at once: two deliveries; a retry continues the oldest failed one', () => {
    const t = createDeliveryTracker()
    const a = t.begin('k')
    const b = t.begin('k')
    expect([a.attempt, b.attempt]).toEqual([1, 1])
    expect(a.deliveryKey).not.toBe(b.deliveryKey)
    t.end(b, false)
    t.end(a, false)
    const next = t.begin('k')
    expect([next.deliveryKey, next.attempt]).toEqual([a.deliveryKey, 2])
    const other = t.begin('k')
    expect([other.deliveryKey, other.attempt]).toEqual([b.deliveryKey, 2])
  })

  it('bounded by bytes: 30,000 distinct 15 KB tags stay under the budget (issue 19: 95,000 grew RSS to 2 GB)', () => {
    const budget = 4 * 1024 * 1024
    const t = createDeliveryTracker({ maxBytes: budget })
    const tag = 'x'.repeat(15_000)
    for (let i = 0; i < 30_000; i++) {
      const ticket = t.begin(`${tag}${i}#h`)
      if (i % 2 === 0) t.end(ticket, false)
    }
    expect(t.bytes).toBeLessThanOrEqual(budget)
    expect(t.size).toBeGreaterThan(100)
    expect(t.size).toBeLessThan(200)
    // A dropped key starts afresh; a kept one continues.
    expect(t.begin(`${tag}0#h`).attempt).toBe(1)
    expect(t.begin(`${tag}29998#h`).attempt).toBe(2)
  })

  it('reopen: a success that was none (its answer never reached the client) continues with the retry', () => {
    const t = createDeliveryTracker()
    const first = t.begin('wallarm#h')
    t.end(first, true)
    t.reopen(first)
    const retry = t.begin('wallarm#h')
    expect([retry.deliveryKey, retry.attempt]).toEqual([first.deliveryKey, 2])
    t.end(retry, true)
    // Delivered now: the same bytes again are a new delivery.
    expect(t.begin('wallarm#h')).toMatchObject({ attempt: 1 })
  })

  it('reopen of a delivery still open (its attempt failed) changes nothing', () => {
    const t = createDeliveryTracker()
    const first = t.begin('wallarm#h')
    t.end(first, false)
    const bytes = t.bytes
    t.reopen(first)
    expect(t.bytes).toBe(bytes)
    expect(t.begin('wallarm#h')).toMatchObject({ deliveryKey: first.deliveryKey, attempt: 2 })
  })

  it('ticketOf reads back the ticket from its journal fields (deliveryKey, attempt), a # in the content key included', () => {
    const t = createDeliveryTracker()
    t.end(t.begin('wallarm#h'), false)
    const second = t.begin('wallarm#h')
    expect(second.attempt).toBe(2)
    expect(ticketOf(second.deliveryKey, second.attempt)).toEqual(second)
  })
})
