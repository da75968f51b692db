/**
 * Fault rules that match on the body's records (`match.body`: a JSON Pointer and a value): a real
 * receiver on 127.0.0.1:0 and undici, one rule per notification type, the rest answered as Fluentd.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { createFaultEngine } from '../../../src/faults/index.js'
import { startReceiver } from '../../../src/server/index.js'
import { viaUndici } from './clients.js'

const certDir = mkdtempSync(join(tmpdir(), 'ff-body-match-'))
const hit = (type: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ summary: 's', details: { notification_type: type, ...extra } })

async function start(plan: unknown) {
  const faults = createFaultEngine({ plan })
  const receiver = await startReceiver({ port: 0, certDir, faults, adminPort: false })
  onTestFinished(() => receiver.close())
  const post = async (records: unknown, contentType = 'application/json'): Promise<number> => {
    const a = await viaUndici(`${receiver.url}/wallarm.alerts`, receiver.ca, { body: typeof records === 'string' ? records : JSON.stringify(records), headers: { 'content-type': contentType } })
    return a.status
  }
  return { receiver, post }
}

describe('fault rules on the body (match.body)', () => {
  it('equals: only requests with a matching record get the fault; any record of an array or NDJSON body counts', async () => {
    const { receiver, post } = await start({ rules: [{ match: { body: { pointer: '/details/notification_type', equals: 'vuln' } }, then: { status: 503 } }] })
    expect(await post([hit('new_hit')])).toBe(200)
    expect(await post([hit('vuln')])).toBe(503)
    expect(await post([hit('new_hit'), hit('vuln')])).toBe(503)
    expect(await post(`${JSON.stringify(hit('new_hit'))}\n${JSON.stringify(hit('vuln'))}\n`, 'application/x-ndjson')).toBe(503)
    const faulted = receiver.journal.entries().filter((e) => e.fault !== undefined)
    expect(faulted).toHaveLength(3)
    expect(faulted[0]!.fault!.explain).toContain('503')
  })

  it('regex (RE2) on a string value, present and absent, numbers, and pointers into arrays with ~1 escapes', async () => {
    const { post } = await start({
      rules: [
        { match: { body: { pointer: '/details/notification_type', regex: '^vuln_(high|medium)$' } }, then: { status: 500 } },
        { match: { body: { pointer: '/details/hits/0/a~1b', equals: 7 } }, then: { status: 502 } },
        { match: { body: { pointer: '/summary', present: false } }, then: { status: 400 } },
      ],
    })
    expect(await post([hit('vuln_high')])).toBe(500)
    expect(await post([hit('vuln_low')])).toBe(200)
    expect(await post([hit('x', { hits: [{ 'a/b': 7 }] })])).toBe(502)
    expect(await post([hit('x', { hits: [{ 'a/b': '7' }] })])).toBe(200)
    expect(await post([{ details: {} }])).toBe(400)
  })

  it('a bad pointer or regex is refused when the plan loads, naming the rule', () => {
    expect(() => createFaultEngine({ plan: { rules: [{ match: { body: { pointer: 'details', equals: 1 } }, then: { status: 503 } }] } })).toThrow(/rules\[0\]\.match\.body.*starts with "\/"/)
    expect(() => createFaultEngine({ plan: { rules: [{ match: { body: { pointer: '/a~2', equals: 1 } }, then: { status: 503 } }] } })).toThrow(/rules\[0\]\.match\.body.*~0/)
    expect(() => createFaultEngine({ plan: { rules: [{ match: { body: { pointer: '/a', regex: '(a)\\1' } }, then: { status: 503 } }] } })).toThrow(/rules\[0\]\.match\.body/)
    expect(() => createFaultEngine({ plan: { rules: [{ match: { body: { pointer: '/a' } }, then: { status: 503 } }] } })).toThrow(/body/)
  })
})
