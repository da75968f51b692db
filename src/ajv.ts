/**
 * One way to get an ajv instance (draft 2020-12), loading ajv only when the first one is made.
 * ajv and ajv-formats are CommonJS, so `require` loads them synchronously on demand; a static
 * import would cost `serve` ~60 ms of start-up even when nothing is validated (docs/design.md "Parts").
 */
import { createRequire } from 'node:module'
import type { Ajv2020, Options } from 'ajv/dist/2020.js'
import type { FormatsPlugin } from 'ajv-formats'

const require = createRequire(import.meta.url)

/** A new Ajv2020 with these options; with `formats`, ajv-formats is added. */
export function newAjv2020(options: Options, { formats = false }: { formats?: boolean } = {}): Ajv2020 {
  const { Ajv2020: AjvClass } = require('ajv/dist/2020.js') as { Ajv2020: new (o: Options) => Ajv2020 }
  const ajv = new AjvClass(options)
  if (formats) (require('ajv-formats') as { default: FormatsPlugin }).default(ajv)
  return ajv
}
