import { describe, expect, it } from 'vitest'
import { turnsWhile } from '../../helpers/event-loop.js'
import { createValidator, validateAllSliced, verdictErrorText } from '../../../src/validation/index.js'
import { sampleNotification } from '../../../src/validation/samples.js'

describe('validateAllSliced and the bounded strict-mode text', () => {
  const validator = createValidator()

  it('gives the same verdicts as validateAll and yields to the event loop between slices', async () => {
    const good = sampleNotification('new_hits')
    const batch = Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? { ...good, summary: 5 } : i % 7 === 0 ? 'nope' : good))
    const { value: sliced, turns } = await turnsWhile(validateAllSliced(validator, batch, 100))
    expect(sliced).toEqual(validator.validateAll(batch))
    expect(turns).toBeGreaterThan(5)
  })

  it('lists at most 100 error lines, then counts the rest', () => {
    const verdicts = validator.validateAll(Array.from({ length: 500 }, () => ({})))
    const text = verdictErrorText(verdicts)
    const lines = text.split('\n')
    expect(lines).toHaveLength(101)
    expect(lines[0]).toMatch(/^notification 0 \(unknown type\): \//)
    expect(lines[100]).toMatch(/^\.\.\. and \d+ more errors in \d+ notifications$/)
    expect(verdictErrorText(verdicts.slice(0, 1))).not.toContain('more errors')
  })
})
