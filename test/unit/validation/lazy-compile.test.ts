import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isFakeFluentdError } from '../../../src/errors.js'
import { checkNotificationSchemas, createValidator } from '../../../src/validation/create-validator.js'
import { defaultSchemaDir } from '../../../src/validation/schema-files.js'
import { sampleNotification } from '../../../src/validation/samples.js'

const work = mkdtempSync(join(tmpdir(), 'ff-schemas-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

/** A copy of the shipped schemas with one type schema replaced. */
function schemasWith(name: string, schema: Record<string, unknown>): string {
  const dir = join(work, `${name}-${Math.random().toString(36).slice(2)}`)
  cpSync(defaultSchemaDir, dir, { recursive: true })
  writeFileSync(join(dir, `${name}.schema.json`), JSON.stringify(schema))
  return dir
}

const id = (name: string): string => `https://fake-fluentd.dev/schemas/notifications/${name}.schema.json`

describe('checkNotificationSchemas (what createValidator defers)', () => {
  it('passes the shipped schemas: meta-schema valid and compiling in strict mode', () => {
    expect(() => checkNotificationSchemas()).not.toThrow()
  })

  it('fails a schema with an unknown keyword (strict mode) with FF_ERR_SCHEMA', () => {
    const dir = schemasWith('vuln', { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id('vuln'), type: 'object', colour: 'red' })
    try {
      checkNotificationSchemas(dir)
      expect.unreachable()
    } catch (err) {
      expect(isFakeFluentdError(err, 'FF_ERR_SCHEMA')).toBe(true)
      expect((err as Error).message).toMatch(/unknown keyword: "colour"/)
    }
  })

  it('fails a schema the meta-schema rejects with FF_ERR_SCHEMA', () => {
    const dir = schemasWith('vuln', { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id('vuln'), type: 'object', minProperties: 'two' })
    expect(() => checkNotificationSchemas(dir)).toThrow(/do not compile/)
  })
})

describe('createValidator compiles each schema on first use', () => {
  it('starts with a broken type schema and reports it (FF_ERR_SCHEMA) only when that type comes', () => {
    const dir = schemasWith('vuln', { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id('vuln'), type: 'object', colour: 'red' })
    const validator = createValidator({ schemaDir: dir })
    expect(validator.types).toContain('vuln')
    expect(validator.validate(sampleNotification('new_hits')).valid).toBe(true)
    expect(validator.validate({ summary: 's', details: { notification_type: 'nope' } }).errors.map((e) => e.keyword)).toContain('notification_type')
    expect(() => validator.validate(sampleNotification('vuln'))).toThrow(/unknown keyword: "colour"/)
  })

  it('gives the same verdict on the first and later calls of a type', () => {
    const validator = createValidator()
    const bad = sampleNotification('ip_blocked', { details: { client_name: undefined } })
    const first = validator.validate(bad)
    expect(first.valid).toBe(false)
    expect(validator.validate(bad)).toEqual(first)
  })
})

describe('createValidator({ eager: true })', () => {
  it('compiles every schema at creation: a broken type schema fails there, not on first use', () => {
    const dir = schemasWith('vuln', { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id('vuln'), type: 'object', colour: 'red' })
    expect(() => createValidator({ schemaDir: dir })).not.toThrow()
    expect(() => createValidator({ schemaDir: dir, eager: true })).toThrow(expect.objectContaining({ code: 'FF_ERR_SCHEMA' }))
  })

  it('judges exactly as the lazy validator does', () => {
    const eager = createValidator({ eager: true })
    const lazy = createValidator()
    for (const type of ['new_hits', 'vuln', 'ip_blocked']) {
      const n = sampleNotification(type)
      expect(eager.validate(n)).toEqual(lazy.validate(n))
    }
  })
})

describe("ajv's evaluated-properties tracking", () => {
  it('stays on for a schema folder that uses unevaluatedProperties, which needs it', () => {
    // Properties named in an anyOf branch count as evaluated; any other extra property does not.
    const dir = schemasWith('vuln', {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: id('vuln'),
      type: 'object',
      required: ['summary', 'details'],
      properties: { summary: { type: 'string' }, details: { type: 'object' } },
      anyOf: [{ properties: { extra: { type: 'string' } } }],
      unevaluatedProperties: false,
    })
    const validator = createValidator({ schemaDir: dir })
    const ok = validator.validate({ summary: 's', details: { notification_type: 'vuln' }, extra: 'x' })
    const bad = validator.validate({ summary: 's', details: { notification_type: 'vuln' }, stray: 1 })
    expect(ok.valid).toBe(true)
    expect(bad.valid).toBe(false)
    expect(bad.errors.map((e) => e.keyword)).toContain('unevaluatedProperties')
  })
})
