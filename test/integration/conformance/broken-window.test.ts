/**
 * The broken sender that never forgets a failure is caught by disable.window-outside (about 23 s, the
 * longest scenario), in its own file so that vitest runs it beside the other broken senders.
 */
import { test } from 'vitest'
import { expectCaughtBy } from './broken-sender-cases.js'

test('ignores-window → [ disable.window-outside ]', async () => {
  await expectCaughtBy({ flaw: 'ignores-window', run: 'disable.window-outside,disable.below-threshold', caughtBy: ['disable.window-outside'] })
}, 60_000)
