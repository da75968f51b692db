/** 1xx statuses are refused on every way in: --fault, --faults and PUT /api/faults (the built binary). */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, spawnServe } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'ff-interim-'))
const base = ['serve', '--port', '0', '--admin-port', '0', '--cert-dir', join(dir, 'certs')]

describe('1xx statuses in fault plans', () => {
  it('serve --fault 103 exits 2 with the reason and the position', async () => {
    const r = await runCli([...base, '--fault', '500,103'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--fault "500,103": status 103 is an interim (1xx) answer: the client would keep waiting for a final answer until its timeout')
    expect(r.stderr).toContain('(position 5)')
  })

  it('serve --faults with a 1xx step exits 2 naming the file, the rule and the step', async () => {
    const plan = join(dir, 'plan.json')
    writeFileSync(plan, JSON.stringify({ rules: [{ steps: [{ status: 200 }, { status: 101 }] }] }))
    const r = await runCli([...base, '--faults', plan])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`--faults ${plan}: invalid fault plan: rules[0].steps[1]: status 101 is an interim (1xx) answer`)
  })

  it('PUT /api/faults with a 1xx step answers 400 with the reason, and the plan stays as it was', async () => {
    const s = await spawnServe(['--port', '0', '--admin-port', 'any', '--cert-dir', join(dir, 'certs'), '--fault', '503'])
    try {
      const res = await fetch(`${s.adminUrl!}/api/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ rules: [{ then: { status: 103 } }] }),
      })
      expect(res.status).toBe(400)
      expect(await res.text()).toContain('rules[0].then: status 103 is an interim (1xx) answer')
      const now = (await (await fetch(`${s.adminUrl!}/api/faults`)).json()) as { plan: { rules: Array<{ id?: string }> } }
      expect(now.plan.rules.map((r) => r.id)).toEqual(['503'])
    } finally {
      await s.stop()
    }
  })
})
