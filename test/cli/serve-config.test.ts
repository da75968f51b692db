/**
 * serve's settings from a --config file and FAKE_FLUENTD_* variables: every flag can be set in
 * both, the values follow the flags' rules, and the order is command line > environment > file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { Agent, request } from 'undici'
import { describe, expect, it } from 'vitest'
import { registerServe } from '../../src/cli/commands/serve.js'
import { runCli, spawnServe } from '../helpers/cli.js'

const dir = mkdtempSync(join(tmpdir(), 'ff-serve-config-'))
const certDir = join(dir, 'certs')
const config = (name: string, data: unknown): string => {
  const file = join(dir, name)
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data))
  return file
}

describe('serve --config and FAKE_FLUENTD_* variables', () => {
  it('a config file sets the flags, values as typed on the command line', async () => {
    const file = config('ok.json', { $schema: '../schemas/serve-config.schema.json', port: 'any', adminPort: 'off', idleTimeout: '10s', output: 'none', fault: ['503'], certDir })
    const s = await spawnServe(['--config', file])
    expect(s.adminUrl).toBeUndefined()
    const dispatcher = new Agent({ connect: { ca: readFileSync(s.caPath!, 'utf8') } })
    const r = await request(`${s.ingestUrl}/wallarm`, { method: 'POST', body: '[{"a":1}]', headers: { 'content-type': 'application/json' }, dispatcher })
    expect(r.statusCode).toBe(503)
    await r.body.text()
    await dispatcher.close()
    await s.stop()
  })

  it('the command line wins over the environment, which wins over the file', async () => {
    const file = config('order.json', { port: 0, adminPort: 'off', output: 'none', certDir })
    // The environment turns the admin API on over the file.
    const a = await spawnServe(['--config', file], { env: { FAKE_FLUENTD_ADMIN_PORT: '0' } })
    expect(a.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    await a.stop()
    // The command line turns it off again over the environment.
    const b = await spawnServe(['--config', file, '--admin-port', 'off'], { env: { FAKE_FLUENTD_ADMIN_PORT: '0' } })
    expect(b.adminUrl).toBeUndefined()
    await b.stop()
    // A switch from the environment: FAKE_FLUENTD_NO_TLS.
    const c = await spawnServe(['--config', file], { env: { FAKE_FLUENTD_NO_TLS: '1' } })
    expect(c.ingestUrl).toMatch(/^http:\/\//)
    await c.stop()
  })

  for (const [name, data, text] of [
    ['unknown.json', { idle: '10s' }, '--config', 'unknown setting "idle"'],
    ['bare.json', { idleTimeout: 10 }, '"idleTimeout" (--idle-timeout) 10: give a unit: 10s or 10ms'],
    ['list.json', { bind: ['127.0.0.1', '::1'] }, '"bind" (--bind) takes one value, not a list'],
    ['switch.json', { strictParse: 'yes' }, '"strictParse" (--strict-parse) takes true or false'],
    ['choice.json', { output: 'xml' }, '"output" (--output) "xml": use one of fluentd, json, none.'],
    ['array.json', [1], 'must hold a JSON object of settings'],
    ['broken.json', '{ nope', 'not JSON'],
  ].map(([n, d, ...t]) => [n, d, t.join('') === '--config' ? t[1] : t.at(-1)] as [string, unknown, string])) {
    it(`refuses ${name} in one line naming the file and the setting, exit 2`, async () => {
      const file = config(name, data)
      const r = await runCli(['serve', '--config', file, '--port', '0', '--admin-port', 'off'])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toContain(`--config ${file}: `)
      expect(r.stderr).toContain(text)
    })
  }

  it('a bad value from the environment names the variable, exit 2', async () => {
    const r = await runCli(['serve', '--port', '0', '--admin-port', 'off'], { env: { FAKE_FLUENTD_IDLE_TIMEOUT: '10' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("from env 'FAKE_FLUENTD_IDLE_TIMEOUT'")
  })

  it('schemas/serve-config.schema.json has one property per serve flag (npm run gen:config-schema)', () => {
    const program = new Command()
    registerServe(program)
    const serve = program.commands[0]!
    const keys = serve.options.map((o) => o.attributeName()).filter((k) => k !== 'config')
    const schema = JSON.parse(readFileSync(new URL('../../schemas/serve-config.schema.json', import.meta.url), 'utf8')) as { properties: Record<string, unknown> }
    expect(Object.keys(schema.properties).filter((k) => k !== '$schema').sort()).toEqual(keys.sort())
    // And every flag has its variable.
    expect(serve.options.filter((o) => o.envVar === undefined).map((o) => o.long)).toEqual([])
  })
})
