import { existsSync } from 'node:fs'
import { test } from 'vitest'
import { cli, expectWholeSuitePasses, SUITE_TIMEOUT_MS } from './reference-suite.js'

// dist/cli/main.js is built by `npm run build`, which `npm test` runs first.
test.skipIf(!existsSync(cli))('the reference sender as a command (send --contract) passes the whole suite', async () => {
  await expectWholeSuitePasses({ kind: 'command', command: `node "${cli}" send --contract` })
}, SUITE_TIMEOUT_MS)
