import { test } from 'vitest'
import { expectWholeSuitePasses, root, SUITE_TIMEOUT_MS } from './reference-suite.js'

test('docs/examples/example-sender.mjs passes the whole suite', async () => {
  await expectWholeSuitePasses({ kind: 'command', command: `node "${root}docs/examples/example-sender.mjs"` })
}, SUITE_TIMEOUT_MS)
