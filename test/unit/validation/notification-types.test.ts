import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, expectTypeOf, it } from 'vitest'
import type { KnownNotification, KnownNotificationType, NewHitsNotification } from '../../../src/validation/index.js'
import { createValidator, sampleNotification } from '../../../src/validation/index.js'

const root = fileURLToPath(new URL('../../../', import.meta.url))

describe('generated notification types', () => {
  it('src/validation/notification-types.ts is up to date with schemas/ (else run npm run gen:types)', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-notification-types.mjs', '--check'], { cwd: root, encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toBe(readFileSync(`${root}src/validation/notification-types.ts`, 'utf8'))
  })

  it('KnownNotificationType lists exactly the validator types', () => {
    const source = readFileSync(`${root}src/validation/notification-types.ts`, 'utf8')
    const listed = [...source.matchAll(/^ {2}\| '([a-z_]+)'$/gm)].map((m) => m[1]).sort()
    expect(listed).toEqual([...createValidator().types])
  })

  it('describe the samples', () => {
    const hit = sampleNotification('new_hits') as NewHitsNotification
    expectTypeOf(hit.details).toMatchTypeOf<{ hit: { payloads: string[] } } | undefined>()
    expectTypeOf<'new_hits'>().toMatchTypeOf<KnownNotificationType>()
    expectTypeOf<NewHitsNotification>().toMatchTypeOf<KnownNotification>()
  })
})
