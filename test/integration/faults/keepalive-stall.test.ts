/**
 * A connection-level step after a request-level one, with a keep-alive client: the answer before
 * the stall asks for a new connection (Connection: close), so the next attempt meets the stall.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Agent } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createFaultEngine, parseFaultShorthand } from '../../../src/faults/index.js'
import { startReceiver } from '../../../src/server/index.js'
import { viaUndici } from './clients.js'

const certDir = mkdtempSync(join(tmpdir(), 'ff-faults-ka-'))

describe('faults end to end: request step, then stall-tls, on a keep-alive client', () => {
  it('201,stall-tls,200: 201, a connect timeout, then 200 with one undici Agent', async () => {
    const receiver = await startReceiver({ port: 0, certDir, faults: createFaultEngine({ plan: parseFaultShorthand(['201,stall-tls,200']) }) })
    onTestFinished(() => receiver.close())
    const dispatcher = new Agent({ connect: { ca: receiver.ca, timeout: 300 } })
    onTestFinished(() => dispatcher.destroy())
    const url = `${receiver.url}/wallarm.alerts`
    const outcomes: string[] = []
    for (let i = 0; i < 3; i++) {
      try {
        outcomes.push(String((await viaUndici(url, receiver.ca, { dispatcher })).status))
      } catch (err) {
        outcomes.push((err as { code?: string }).code ?? 'error')
      }
    }
    expect(outcomes).toEqual(['201', 'UND_ERR_CONNECT_TIMEOUT', '200'])
    const entries = receiver.journal.entries()
    // the 201 closed its connection, so the stall and the 200 each came on a new one
    expect(entries.map((e) => [e.kind, e.connectionId])).toEqual([
      ['request', 1],
      ['connection', 2],
      ['request', 3],
    ])
  })
})
