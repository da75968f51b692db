/** Forward client profiles: the shipped ones load; the schema names what is wrong. */
import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { forwardProfilesDir, loadForwardProfile, parseForwardProfile } from '../../../src/conformance/index.js'

const base = { name: 'x', protocol: 'forward', ack: true, resendsUnacked: true, ackTimeoutMs: 1000, reconnects: true, reconnectIntervalMs: 100, handshake: false, heartbeat: false }

describe('forward client profiles', () => {
  it('every file in profiles/forward/ loads, by name, frozen and without $schema', () => {
    const names = readdirSync(forwardProfilesDir).map((f) => f.replace(/\.json$/, ''))
    expect(names).toEqual(expect.arrayContaining(['fluent-logger', 'fluentd-out-forward']))
    for (const name of names) {
      const p = loadForwardProfile(name)
      expect(Object.isFrozen(p)).toBe(true)
      expect(p).not.toHaveProperty('$schema')
    }
    expect(loadForwardProfile('fluent-logger')).toMatchObject({ ack: true, resendsUnacked: false, heartbeat: false })
  })

  it('heartbeat needs failoverWithinMs', () => {
    expect(() => parseForwardProfile({ ...base, heartbeat: true })).toThrow(/\/: missing "failoverWithinMs"/)
    expect(parseForwardProfile({ ...base, heartbeat: true, failoverWithinMs: 3000 }).failoverWithinMs).toBe(3000)
  })

  it('lists every problem: wrong types, unknown keys, a missing promise', () => {
    const { ack: _ack, ...noAck } = base
    const err = (() => {
      try {
        parseForwardProfile({ ...noAck, ackTimeoutMs: -1, resend: true }, '"t.json"')
      } catch (e) {
        return (e as Error).message
      }
      return ''
    })()
    expect(err).toMatch(/^Invalid forward client profile "t\.json":/)
    expect(err).toContain('/: missing "ack"')
    expect(err).toContain('/ackTimeoutMs: must be >= 1')
    expect(err).toContain('/: unknown key "resend"')
  })
})
