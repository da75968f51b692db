#!/usr/bin/env node
// Writes schemas/serve-config.schema.json from serve's flags (npm run build first): one property per
// flag, so that a --config file can hold every setting. test/unit/cli/serve-config.test.ts checks it is current.
import { writeFileSync } from 'node:fs'
import { Command } from 'commander'
const { registerServe } = await import('../dist/cli/commands/serve.js')
const program = new Command()
registerServe(program)
const serve = program.commands[0]
const props = { $schema: { type: 'string', description: 'the URL or path of this schema, for editors' } }
for (const o of serve.options) {
  const key = o.attributeName()
  if (key === 'config') continue
  const description = `${o.long}: ${o.description}`
  const sw = !o.required && !o.optional
  if (sw) props[key] = { type: 'boolean', description }
  else if (o.argChoices) props[key] = { enum: o.argChoices, description }
  else if (Array.isArray(o.defaultValue)) props[key] = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description }
  else props[key] = { type: ['string', 'number'], description }
}
const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://fake-fluentd.dev/schemas/serve-config.schema.json',
  title: 'fake-fluentd serve config file (--config)',
  description: 'Every serve flag, keyed by its camelCase name (--idle-timeout: idleTimeout; --no-tls: tls). Values are written as on the command line: durations with a unit ("10s"), sizes as bytes or with k/m/g ("32m"), ports as numbers, 0 or "any", repeatable flags as a list. The command line wins over FAKE_FLUENTD_* environment variables, which win over this file.',
  type: 'object',
  additionalProperties: false,
  properties: props,
}
writeFileSync(new URL('../schemas/serve-config.schema.json', import.meta.url), JSON.stringify(schema, null, 2) + '\n')
