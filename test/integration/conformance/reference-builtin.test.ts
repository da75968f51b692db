import { expect, test } from 'vitest'
import { scenarios } from '../../../src/conformance/scenarios/index.js'
import { expectWholeSuitePasses, SUITE_TIMEOUT_MS } from './reference-suite.js'

test('the reference sender (builtin, in process) passes the whole suite', async () => {
  const report = await expectWholeSuitePasses({ kind: 'builtin' })
  expect(report.totals.total).toBe(scenarios.length)
}, SUITE_TIMEOUT_MS)
