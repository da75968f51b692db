import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { faultPlanFromFlags, loadFaultPlanFile, parseSeed } from '../../../src/faults/index.js'

const dir = mkdtempSync(join(tmpdir(), 'ff-plan-'))
const file = (name: string, text: string): string => {
  const p = join(dir, name)
  writeFileSync(p, text)
  return p
}

describe('faultPlanFromFlags', () => {
  it('no flags: no plan', async () => {
    expect(await faultPlanFromFlags({})).toBeUndefined()
    expect(await faultPlanFromFlags({ fault: [] })).toBeUndefined()
  })
  it('file rules first, then one rule per --fault; --seed overrides the file seed', async () => {
    const path = file('plan.json', JSON.stringify({ seed: 7, rules: [{ id: 'f', then: { status: 418 } }] }))
    const plan = await faultPlanFromFlags({ faults: path, fault: ['503', 'hang'], seed: 9 })
    expect(plan).toEqual({ seed: 9, rules: [{ id: 'f', then: { status: 418 } }, { id: '503', then: { status: 503 } }, { id: 'hang', then: { action: 'hang' } }] })
    expect((await faultPlanFromFlags({ faults: path }))!.seed).toBe(7)
    expect((await faultPlanFromFlags({ fault: ['503'], seed: 3 }))!.seed).toBe(3)
  })
  it('refuses a bad spec with its position', async () => {
    await expect(faultPlanFromFlags({ fault: ['dealy=5s'] })).rejects.toThrow(`--fault "dealy=5s": unknown step 'dealy' at position 1`)
  })
})

describe('loadFaultPlanFile', () => {
  it('reads a valid plan', async () => {
    expect(await loadFaultPlanFile(file('ok.json', '{"rules":[{"steps":[{"status":503}]}]}'))).toEqual({ rules: [{ steps: [{ status: 503 }] }] })
  })
  it('names the file for unreadable, non-JSON and invalid plans', async () => {
    await expect(loadFaultPlanFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'FF_ERR_FAULT_SPEC', message: expect.stringContaining('cannot read fault plan') })
    await expect(loadFaultPlanFile(file('bad.json', '{rules'))).rejects.toThrow(/is not JSON/)
    const p = file('invalid.json', '{"rules":[{"steps":[{"stauts":503}]}]}')
    await expect(loadFaultPlanFile(p)).rejects.toThrow(`${p}: invalid fault plan: rules[0].steps[0]: unknown key 'stauts'`)
  })
})

describe('parseSeed', () => {
  it('takes 0..2^32-1 only', () => {
    expect(parseSeed('0')).toBe(0)
    expect(parseSeed('4294967295')).toBe(4294967295)
    for (const bad of ['-1', '1.5', 'x', '4294967296', '']) expect(() => parseSeed(bad)).toThrow(/Invalid --seed/)
  })
})
