// Schema validation rate: createValidator() time, then notifications/s through validate() for a
// valid hit, an invalid one (missing field), and a 20-notification validateAll().
// Usage: npm run build && node bench/validation.mjs
import { createValidator } from '../dist/validation/index.js'
import { hit } from './bodies.mjs'

let t0 = performance.now()
const validator = createValidator()
console.log(`createValidator(): ${(performance.now() - t0).toFixed(0)} ms (reads the schemas; each compiles on first use)`)
const invalid = structuredClone(hit)
delete invalid.details.hit.type
const batch = Array.from({ length: 20 }, () => structuredClone(hit))

function rate(label, fn, perCall) {
  for (let i = 0; i < 20_000; i++) fn() // warm-up
  const n = 200_000 / perCall
  t0 = performance.now()
  for (let i = 0; i < n; i++) fn()
  const s = (performance.now() - t0) / 1000
  console.log(`${label.padEnd(40)} ${((n * perCall) / s).toFixed(0).padStart(9)} notifications/s`)
}
if (!validator.validate(hit).valid || validator.validate(invalid).valid) throw new Error('bench fixture verdicts changed')
rate('validate(valid hit)', () => validator.validate(hit), 1)
rate('validate(invalid hit: missing "type")', () => validator.validate(invalid), 1)
rate('validateAll(20 valid hits)', () => validator.validateAll(batch), 20)
