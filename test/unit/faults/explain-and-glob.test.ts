import { describe, expect, it } from 'vitest'
import { compileTagGlob, explainStep } from '../../../src/faults/index.js'

describe('explainStep', () => {
  it.each([
    [{ status: 500, times: 3 }, 'respond 500 (3 times)'],
    [{ delayMs: 16000, status: 200 }, 'wait 16000 ms, then respond 200'],
    [{ delayMs: 16000 }, 'wait 16000 ms, then pass (behave like Fluentd)'],
    [{ action: 'hang' as const }, 'hang (never answer)'],
    [{ action: 'reset' as const }, 'reset the connection (TCP RST)'],
    [{ action: 'close' as const }, 'close the connection without answering'],
    [{ action: 'stall-tls' as const }, 'stall the TLS handshake (never answer the ClientHello)'],
    [{ action: 'refuse' as const, durationMs: 5000 }, 'reset the connection and refuse new connections for 5000 ms'],
    [{ action: 'slow-body' as const, durationMs: 10000, status: 200 }, 'respond 200 and dribble the body over 10000 ms'],
    [{ probability: 0.6, status: 503 }, 'with probability 0.6: respond 503; otherwise pass (behave like Fluentd)'],
    [{ status: 429, retryAfter: 5 }, 'respond 429 (headers Retry-After: 5)'],
    [{ delay: { uniform: [1000, 5000] as [number, number] }, action: 'reset' as const }, 'wait a random 1000 ms..5000 ms (uniform), then reset the connection (TCP RST)'],
    [{ delay: { lognormal: { medianMs: 100, sigma: 0.3 } } }, 'wait a random time (log-normal, median 100 ms, sigma 0.3), then pass (behave like Fluentd)'],
  ])('%j', (step, text) => {
    expect(explainStep(step)).toBe(text)
  })
})

describe('tag globs (Fluentd <match> semantics)', () => {
  it.each([
    ['wallarm.*', 'wallarm.alerts', true],
    ['wallarm.*', 'wallarm', false],
    ['wallarm.*', 'wallarm.a.b', false],
    ['wallarm.**', 'wallarm', true],
    ['wallarm.**', 'wallarm.a.b', true],
    ['wallarm.**', 'wallarmx', false],
    ['**.alerts', 'alerts', true],
    ['**.alerts', 'a.b.alerts', true],
    ['a.**.z', 'a.z', true],
    ['a.**.z', 'a.b.c.z', true],
    ['**', 'anything.at.all', true],
    ['a.b*', 'a.bc', true],
    ['a.{b,c}', 'a.c', true],
    ['a.{b,c.*}', 'a.c.d', true],
    ['a.{b,c}', 'a.d', false],
    ['a+b', 'a+b', true],
    ['a.b', 'aXb', false],
  ])('%s vs %s → %s', (pattern, tag, expected) => {
    expect(compileTagGlob(pattern).test(tag)).toBe(expected)
  })
})
