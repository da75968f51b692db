import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { createValidator, parseNotifications } from '../../../src/validation/index.js'

const dir = fileURLToPath(new URL('../../fixtures/notifications/', import.meta.url))
const manifest = JSON.parse(readFileSync(`${dir}manifest.json`, 'utf8')) as {
  invalid: Array<{ file: string; pointer: string; keyword: string; reason: string }>
}
const validator = createValidator()
const load = (file: string) => parseNotifications(readFileSync(dir + file, 'utf8'))
const validFiles = readdirSync(`${dir}valid`).map((f) => `valid/${f}`)

describe('valid fixtures', () => {
  it.each(validFiles)('%s is valid', (file) => {
    const parsed = load(file)
    expect(parsed.errors).toEqual([])
    expect(parsed.items.length).toBeGreaterThan(0)
    for (const item of parsed.items) {
      expect(validator.validate(item.value, item.index)).toMatchObject({ valid: true, errors: [] })
    }
  })

  it('cover every notification type', () => {
    const seen = new Set<string | null>()
    for (const file of validFiles) for (const item of load(file).items) seen.add(validator.validate(item.value).type)
    expect(validator.types.filter((t) => !seen.has(t))).toEqual([])
  })
})

describe('invalid fixtures', () => {
  it('are all listed in manifest.json, and only those', () => {
    const files = readdirSync(`${dir}invalid`).map((f) => `invalid/${f}`).sort()
    expect(manifest.invalid.map((e) => e.file).sort()).toEqual(files)
  })

  it.each(manifest.invalid)('$file fails at "$pointer" ($keyword): $reason', ({ file, pointer, keyword }) => {
    const parsed = load(file)
    expect(parsed.errors).toEqual([])
    expect(parsed.items).toHaveLength(1)
    const verdict = validator.validate(parsed.items[0]?.value)
    expect(verdict.valid).toBe(false)
    expect(verdict.errors.map((e) => ({ pointer: e.pointer, keyword: e.keyword }))).toEqual([{ pointer, keyword }])
  })
})
