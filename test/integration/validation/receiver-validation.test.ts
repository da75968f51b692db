/**
 * The receiver judges every notification with the validator: `warn` records verdicts and answers as
 * Fluentd would, `strict` answers 400 listing the errors, `off` skips; JSON array and NDJSON bodies
 * are judged element by element.
 */
import { describe, expect, it } from 'vitest'
import { request } from 'undici'
import { createValidator } from '../../../src/validation/index.js'
import { sampleNotification } from '../../../src/validation/samples.js'
import type { ValidationMode } from '../../../src/validation/types.js'
import { agentFor, startTestReceiver } from '../../helpers/receiver.js'

const validator = createValidator()
const good = sampleNotification('new_hits')
const bad = sampleNotification('ip_blocked')
delete (bad.details as Record<string, unknown>).cloud

async function post(mode: ValidationMode, body: string, contentType: string) {
  const r = await startTestReceiver({ validator, validate: mode })
  const res = await request(`${r.url}/wallarm`, { method: 'POST', body, headers: { 'content-type': contentType }, dispatcher: agentFor(r) })
  const text = await res.body.text()
  return { status: res.statusCode, text, entry: r.journal.entries().at(-1)! }
}

describe('receiver validation modes', () => {
  it('warn: 200, every element of a JSON array judged with its index, events emitted', async () => {
    const { status, entry } = await post('warn', JSON.stringify([good, bad]), 'application/json')
    expect(status).toBe(200)
    expect(entry.verdicts?.map((v) => [v.index, v.type, v.valid])).toEqual([
      [0, 'new_hits', true],
      [1, 'ip_blocked', false],
    ])
    expect(entry.verdicts?.[1]?.errors).toContainEqual(expect.objectContaining({ pointer: '/details/cloud', keyword: 'required' }))
    expect(entry.events).toHaveLength(2)
  })

  it('strict: 400 in Fluentd error format naming the pointer, nothing emitted', async () => {
    const { status, text, entry } = await post('strict', [JSON.stringify(good), JSON.stringify(bad)].join('\n') + '\n', 'application/x-ndjson')
    expect(status).toBe(400)
    expect(text.startsWith('400 Bad Request\n')).toBe(true)
    expect(text).toContain('/details/cloud')
    expect(entry.events ?? []).toHaveLength(0)
    expect(entry.verdicts?.map((v) => v.valid)).toEqual([true, false])
  })

  it('strict: a valid batch is delivered', async () => {
    const { status, entry } = await post('strict', JSON.stringify([good, good]), 'application/json')
    expect(status).toBe(200)
    expect(entry.verdicts?.every((v) => v.valid)).toBe(true)
  })

  it('off: no verdicts', async () => {
    const { status, entry } = await post('off', JSON.stringify([bad]), 'application/json')
    expect(status).toBe(200)
    expect(entry.verdicts).toBeUndefined()
  })
})
