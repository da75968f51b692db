import { describe, expect, it } from 'vitest'
import { isFakeFluentdError } from '../../../src/errors.js'
import { createValidator, parseNotifications, sampleHit, sampleNotification, sampleTypes } from '../../../src/validation/index.js'

const validator = createValidator()

describe('createValidator', () => {
  it('knows every type that has a sample, and only those', () => {
    expect([...validator.types]).toEqual(sampleTypes())
    expect(validator.types.length).toBeGreaterThanOrEqual(31)
  })

  it('rejects unknown options and bad policies (FF_ERR_OPTION)', () => {
    expect(() => createValidator({ schemDir: 'x' } as never)).toThrow(/unexpected createValidator option "schemDir"/)
    try {
      createValidator({ unknownTypes: 'allow' as never })
      expect.unreachable()
    } catch (err) {
      expect(isFakeFluentdError(err, 'FF_ERR_OPTION')).toBe(true)
    }
  })

  it('fails with FF_ERR_SCHEMA when the schema folder is missing', () => {
    expect(() => createValidator({ schemaDir: '/nonexistent-ff-schemas' })).toThrow(/cannot read the notification schemas/)
  })

  it('points a missing envelope field at the field itself and says it is missing', () => {
    const n = sampleNotification('ip_blocked', { details: { client_name: undefined } })
    expect(validator.validate(n, 3)).toEqual({
      index: 3,
      type: 'ip_blocked',
      valid: false,
      errors: [{ pointer: '/details/client_name', keyword: 'required', message: 'missing required property "client_name"' }],
    })
  })

  it('collects all errors, not only the first', () => {
    const n = sampleNotification('new_hits', { summary: 1, details: { hit: { request_time: 'now', stamps: ['x'] } } })
    const pointers = validator.validate(n).errors.map((e) => e.pointer)
    expect(pointers).toEqual(expect.arrayContaining(['/summary', '/details/hit/request_time', '/details/hit/stamps/0']))
  })

  it('says what type it got', () => {
    const n = sampleNotification('new_hits', { details: { hit: { remote_port: '443' } } })
    expect(validator.validate(n).errors).toEqual([
      { pointer: '/details/hit/remote_port', keyword: 'type', message: 'must be integer, got string' },
    ])
  })

  it('folds the host-or-domain alternative into one error', () => {
    const n = sampleNotification('new_hits', { details: { hit: { host: undefined } } })
    expect(validator.validate(n).errors).toEqual([
      { pointer: '/details/hit', keyword: 'anyOf', message: 'must have property "host" or "domain"' },
    ])
  })

  it('fails an unknown type with keyword notification_type and the known list', () => {
    const verdict = validator.validate(sampleNotification('create_user', { details: { notification_type: 'x' } }))
    expect(verdict.type).toBe('x')
    expect(verdict.errors).toHaveLength(1)
    expect(verdict.errors[0]?.keyword).toBe('notification_type')
    expect(verdict.errors[0]?.message).toMatch(/^unknown notification_type "x"; known: api_comparison_result, .*vuln_medium$/)
  })

  it('judges unknown types by the envelope only with unknownTypes: envelope', () => {
    const lenient = createValidator({ unknownTypes: 'envelope' })
    expect(lenient.validate(sampleNotification('create_user', { details: { notification_type: 'x' } })).valid).toBe(true)
    expect(lenient.validate({ summary: 's', details: { notification_type: 'x' } }).errors.map((e) => e.pointer)).toEqual([
      '/details/client_name',
      '/details/cloud',
    ])
  })

  it.each([
    [42, 'integer'],
    ['text', 'string'],
    [null, 'null'],
    [[{}], 'array'],
    [true, 'boolean'],
  ])('gives a non-object item (%j) a clear verdict', (value, got) => {
    expect(validator.validate(value, 1)).toEqual({
      index: 1,
      type: null,
      valid: false,
      errors: [{ pointer: '', keyword: 'type', message: `must be an object (a notification), got ${got}` }],
    })
  })

  it('is not affected by __proto__ or constructor keys, and never resolves types through Object.prototype', () => {
    const polluted = JSON.parse(
      '{"summary":"s","__proto__":{"polluted":1,"details":{"notification_type":"new_hits"}},"details":{"client_name":"c","cloud":"EU","notification_type":"toString","constructor":{"prototype":{"polluted":1}}}}',
    ) as unknown
    for (const type of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      const n = structuredClone(polluted) as { details: Record<string, unknown> }
      n.details.notification_type = type
      expect(validator.validate(n).errors.map((e) => e.keyword)).toEqual(['notification_type'])
    }
    // details inherited through a prototype is not the notification's own details.
    expect(validator.validate(Object.create({ details: { notification_type: 'new_hits' } }) as object).type).toBeNull()
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('validateAll numbers the verdicts by batch position', () => {
    const verdicts = validator.validateAll([sampleNotification('vuln'), 7])
    expect(verdicts.map((v) => [v.index, v.type, v.valid])).toEqual([
      [0, 'vuln', true],
      [1, null, false],
    ])
  })
})

describe('samples', () => {
  it.each(sampleTypes())('%s passes its schema', (type) => {
    expect(validator.validate(sampleNotification(type))).toMatchObject({ type, valid: true, errors: [] })
  })

  it('are fresh deep copies', () => {
    const a = sampleNotification('new_hits') as { details: { hit: { payloads: string[] } } }
    a.details.hit.payloads.push('changed')
    expect((sampleNotification('new_hits') as typeof a).details.hit.payloads).toHaveLength(1)
  })

  it('merge overrides deeply, delete with undefined, ignore __proto__', () => {
    const n = sampleNotification('ip_blocked', JSON.parse('{"details":{"ip":"10.0.0.0/8","reason":null,"__proto__":{"x":1}}}') as Record<string, unknown>)
    expect(n).toMatchObject({ details: { ip: '10.0.0.0/8', trigger_name: 'Notification about denylisted IP', reason: null } })
    expect(Object.getPrototypeOf(n.details)).toBe(Object.prototype)
    expect(sampleNotification('ip_blocked', { description: undefined })).not.toHaveProperty('description')
  })

  it('carry realistic attack payloads', () => {
    expect(JSON.stringify(sampleNotification('new_hits'))).toContain("1' UNION SELECT")
    const xss = sampleHit('xss')
    expect(xss).toMatchObject({ details: { hit: { type: 'xss', payloads: ['<script>alert(1)</script>'] } } })
    for (const attack of ['sqli', 'xss', 'ptrav', 'rce'] as const) expect(validator.validate(sampleHit(attack)).valid).toBe(true)
  })

  it('throw FF_ERR_OPTION for an unknown type', () => {
    expect(() => sampleNotification('nope')).toThrow(/no sample for notification type "nope"; known: /)
    expect(() => sampleNotification('constructor')).toThrow(/no sample/)
  })
})

describe('parseNotifications', () => {
  const one = JSON.stringify(sampleNotification('vuln'))

  it('splits a JSON array into items with batch indexes', () => {
    const parsed = parseNotifications(`[${one},${one}]`)
    expect(parsed.format).toBe('json')
    expect(parsed.items.map((i) => [i.index, i.line])).toEqual([
      [0, null],
      [1, null],
    ])
  })

  it('takes a single object (pretty-printed too) as one item', () => {
    const parsed = parseNotifications(`\n${JSON.stringify(JSON.parse(one), null, 2)}\n`)
    expect(parsed).toMatchObject({ format: 'json', errors: [], items: [{ index: 0, line: 2 }] })
  })

  it('detects NDJSON, skips blank lines, reports bad lines with numbers and CRLF works', () => {
    const parsed = parseNotifications(`${one}\r\n\r\n{oops\r\n${one}\r\n`)
    expect(parsed.format).toBe('ndjson')
    expect(parsed.items.map((i) => [i.index, i.line])).toEqual([
      [0, 1],
      [2, 4],
    ])
    expect(parsed.errors).toHaveLength(1)
    expect(parsed.errors[0]).toMatchObject({ index: 1, line: 3 })
    expect(parsed.errors[0]?.message).toMatch(/^line 3 is not JSON/)
  })

  it('flattens an NDJSON line holding an array', () => {
    const parsed = parseNotifications(`[${one},${one}]\n${one}`, 'ndjson')
    expect(parsed.items.map((i) => [i.index, i.line])).toEqual([
      [0, 1],
      [1, 1],
      [2, 2],
    ])
  })

  it('reports a broken multi-line JSON document as JSON with the line of the failure', () => {
    const parsed = parseNotifications('{\n  "summary": "s",\n  "details": {\n}')
    expect(parsed.format).toBe('json')
    expect(parsed.items).toEqual([])
    expect(parsed.errors[0]?.message).toMatch(/^not JSON/)
    expect(parsed.errors[0]?.line).toBe(4)
  })

  it('returns nothing for blank input and ignores a BOM', () => {
    expect(parseNotifications('  \n')).toEqual({ format: 'json', items: [], errors: [] })
    expect(parseNotifications(`\ufeff${one}`).items).toHaveLength(1)
  })

  it('does not let __proto__ keys in the body reach Object.prototype', () => {
    const parsed = parseNotifications('{"__proto__":{"polluted":true}}\n{"constructor":{"prototype":{"polluted":true}}}')
    expect(parsed.items).toHaveLength(2)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })
})
