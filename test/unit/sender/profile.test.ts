import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { profileError, profileFiles } from '../../helpers/profile-files.js'
import { isSuccessStatus, loadProfile, parseProfile, wallarmProfile } from '../../../src/profile/index.js'

const { dir, file } = profileFiles('ff-profile-')

describe('loadProfile', () => {
  it('knows wallarm and the shipped profiles by name', () => {
    expect(loadProfile('wallarm')).toBe(wallarmProfile)
    expect(loadProfile('exponential-jitter').schedule.kind).toBe('exponential')
  })

  it('loads and freezes a valid file', () => {
    const p = loadProfile(file('ok.json', { ...wallarmProfile, name: 'mine', autoDisable: null }))
    expect(p.name).toBe('mine')
    expect(Object.isFrozen(p)).toBe(true)
  })

  it('rejects unknown keys, naming them', () => {
    const msg = profileError(() => loadProfile(file('x.json', { ...wallarmProfile, retries: 3 })))
    expect(msg).toContain('unknown key "retries"')
    const nested = profileError(() =>
      loadProfile(file('y.json', { ...wallarmProfile, autoDisable: { windowMs: 1, failureRatio: 0.5, minAttempts: 1, ratio: 1 } })),
    )
    expect(nested).toContain('"ratio"')
  })

  it('rejects bad values and missing keys', () => {
    expect(profileError(() => parseProfile({ ...wallarmProfile, requestTimeoutMs: -1 }))).toContain('/requestTimeoutMs')
    expect(profileError(() => parseProfile({ ...wallarmProfile, followRedirects: true }))).toContain('/followRedirects')
    const { schedule: _s, ...noSchedule } = wallarmProfile
    expect(profileError(() => parseProfile(noSchedule))).toContain('schedule')
    expect(profileError(() => parseProfile({ ...wallarmProfile, successStatus: [[299, 200]] }))).toContain('reversed')
    expect(profileError(() => parseProfile({ ...wallarmProfile, schedule: { kind: 'exponential', initialMs: 1 } }))).toContain('/schedule')
  })

  it('explains missing files and broken JSON', () => {
    expect(profileError(() => loadProfile(join(dir, 'missing.json')))).toContain('ENOENT')
    expect(profileError(() => loadProfile('no-such-profile'))).toContain('"wallarm"')
    expect(profileError(() => loadProfile(file('bad.json', '{ nope')))).toContain('not valid JSON')
  })
})

describe('isSuccessStatus', () => {
  it('is 2xx for wallarm: 3xx, 4xx and 5xx fail', () => {
    for (const s of [200, 201, 202, 204, 299]) expect(isSuccessStatus(wallarmProfile, s)).toBe(true)
    for (const s of [100, 199, 300, 301, 302, 304, 400, 401, 404, 429, 500, 503]) expect(isSuccessStatus(wallarmProfile, s)).toBe(false)
  })
})
