/** A custom retry profile may extend another and give only what differs; the checks stay strict. */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { profileError, profileFiles } from '../../helpers/profile-files.js'
import { loadProfile, parseProfile, wallarmProfile } from '../../../src/profile/index.js'

const { dir, file } = profileFiles('ff-extends-')

describe('"extends" in retry profiles', () => {
  it('extends wallarm, overriding only what is given', () => {
    const p = loadProfile(file('fast.json', { extends: 'wallarm', name: 'fast-disable', autoDisable: { windowMs: 60000, failureRatio: 0.5, minAttempts: 4 } }))
    expect(p.name).toBe('fast-disable')
    expect(p.autoDisable).toEqual({ windowMs: 60000, failureRatio: 0.5, minAttempts: 4 })
    expect(p.schedule).toEqual(wallarmProfile.schedule)
    expect(p.requestTimeoutMs).toBe(15000)
    expect(p).not.toHaveProperty('extends')
    expect(Object.isFrozen(p)).toBe(true)
  })

  it('names the result after its base when it gives no name', () => {
    expect(loadProfile(file('t.json', { extends: 'wallarm', requestTimeoutMs: 5000 })).name).toBe('wallarm (extended)')
  })

  it('extends a shipped profile by name and a file by a path relative to the extending file', () => {
    expect(loadProfile(file('e.json', { extends: 'exponential-jitter', connectTimeoutMs: 1000 })).schedule.kind).toBe('exponential')
    mkdirSync(join(dir, 'sub'), { recursive: true })
    file('sub/base.json', { extends: 'wallarm', name: 'base', requestTimeoutMs: 1234 })
    const p = loadProfile(file('sub/child.json', { extends: './base.json', name: 'child', connectTimeoutMs: 999 }))
    expect([p.name, p.requestTimeoutMs, p.connectTimeoutMs]).toEqual(['child', 1234, 999])
  })

  it('works from parseProfile too', () => {
    expect(parseProfile({ extends: 'wallarm', autoDisable: null }).autoDisable).toBeNull()
  })

  it('stays strict: unknown keys, bad values and half objects are refused', () => {
    expect(profileError(() => loadProfile(file('u.json', { extends: 'wallarm', retries: 3 })))).toContain('unknown key "retries"')
    expect(profileError(() => loadProfile(file('v.json', { extends: 'wallarm', requestTimeoutMs: 'fast' })))).toContain('/requestTimeoutMs')
    // Each key replaces the base's value whole: a partial autoDisable is incomplete.
    expect(profileError(() => loadProfile(file('w.json', { extends: 'wallarm', autoDisable: { minAttempts: 4 } })))).toContain('/autoDisable')
    expect(profileError(() => parseProfile({ extends: '' }))).toContain('/extends')
    expect(profileError(() => parseProfile({ extends: 7 }))).toContain('/extends')
  })

  it('names a bad extends target', () => {
    const missing = profileError(() => loadProfile(file('m.json', { extends: 'no-such-profile' })))
    expect(missing).toContain('"extends": "no-such-profile" cannot be used')
    expect(missing).toContain('Cannot read retry profile "no-such-profile"')
    const broken = file('broken.json', '{ nope')
    expect(profileError(() => loadProfile(file('b.json', { extends: broken })))).toMatch(/"extends": ".*broken\.json" cannot be used: .*not valid JSON/)
    const invalidBase = file('ib.json', { name: 'x' })
    expect(profileError(() => loadProfile(file('ib2.json', { extends: invalidBase })))).toMatch(/"extends": ".*ib\.json" cannot be used: Invalid retry profile/)
  })

  it('refuses a loop and a chain that is too long', () => {
    file('loop-a.json', { extends: './loop-b.json' })
    file('loop-b.json', { extends: './loop-a.json' })
    expect(profileError(() => loadProfile(join(dir, 'loop-a.json')))).toContain('extends itself (loop-a.json → loop-b.json → loop-a.json)')
    for (let i = 0; i < 10; i++) file(`c${i}.json`, { extends: i === 9 ? 'wallarm' : `./c${i + 1}.json` })
    expect(profileError(() => loadProfile(join(dir, 'c0.json')))).toContain('more than 8 profiles extend one another')
  })

  it('a full profile without extends still needs every key', () => {
    expect(profileError(() => parseProfile({ name: 'x' }))).toContain('/: missing "schedule" (or give "extends" and only what differs)')
  })
})
