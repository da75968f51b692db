/** got's retry as a sender under test (see real-senders-suite.ts). */
import { test } from 'vitest'
import { expectPassesOwnProfile, expectWallarmFailsOnlyPinned, REAL_SENDER_TIMEOUT_MS, type RealSender } from './real-senders-suite.js'

const got: RealSender = {
  adapter: 'got-retry',
  profile: 'got-retry',
  leftOutOwn: {
    // With followRedirect false got takes 3xx as success (isResponseOk: up to 399), and the
    // profile says so (successStatus [[200, 399]]); the scenario still expects five attempts
    // instead of reading the profile's success ranges. Under wallarm it fails rightly.
    'retry.on-3xx': 'the scenario does not read the profile\'s success status',
  },
  leftOut: {
    // got retries a stalled handshake 45-55 ms later than the connect timeout + first interval
    // (3 runs of 3 at scale 0.1; 10 ms of it is got's retry noise, which the scenario leaves out).
    'timeout.connect': 'got retries a connect timeout ~45 ms late',
  },
  // 1, 2, 4, 8 s (plus noise) and 5 attempts instead of wallarm's cycles and 17: the schedule fails
  // where it is pinned and blocks interval-from and give-up; 3xx taken as success fails on-3xx.
  failsUnderWallarm: ['retry.cycle-1', 'retry.on-3xx'],
  blockedUnderWallarm: ['retry.interval-from', 'retry.give-up'],
}

test('got passes under its own profile (got-retry)', async () => {
  await expectPassesOwnProfile(got)
}, REAL_SENDER_TIMEOUT_MS)

test('got under wallarm fails only the scenarios that pin its schedule', async () => {
  await expectWallarmFailsOnlyPinned(got)
}, REAL_SENDER_TIMEOUT_MS)
