/**
 * Values for the CLI property test (test/cli/flags.property.test.ts): what a user might type into
 * any flag (numbers, fractions, zero, negatives, huge values, units, empty strings, unicode), plus
 * per-flag values that matter (files that exist or not, ports in use, plans, profiles).
 */
import fc from 'fast-check'

/** Numbers as typed: the edges (0, -0, NaN, Infinity, 1e309, 1e-400, hex, _, unicode digits) and random ones. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '-0', '-1', '1', '2', '0.5', '0.0003', '1e3', '1e309', '1e-400', 'NaN', 'Infinity', '-Infinity', '0x10', '1_000', '99999999999999999999', '4294967296', '', ' ', '.5', '5.', '١٢', '１２'),
  fc.integer({ min: -1_000_000, max: 2_000_000_000 }).map(String),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map(String),
)

/** Durations: numbers, numbers with units (also unknown ones), fractions, spaces. */
export const durationText: fc.Arbitrary<string> = fc.oneof(
  numberText,
  fc.constantFrom('15s', '500ms', '2m', '1h', '1500.5ms', '0s', '10d', '1.5s', 's', 'ms', '30 s', '2min', '9999999999h', '-5s', '20000'),
  fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.constantFrom('ms', 's', 'm', 'min', 'h', 'd', '', 'S', 'µs')).map(([n, u]) => `${n}${u}`),
)

/** Free text: empty, dashes, unicode, long, random (no NUL: argv cannot carry it). */
export const weirdText: fc.Arbitrary<string> = fc
  .oneof(
    fc.constantFrom('', ' ', '-', '--', '-x', 'é', '日本語', '🙂', '\t', 'x'.repeat(3000)),
    fc.string({ maxLength: 16 }),
    fc.string({ unit: 'grapheme', maxLength: 8 }),
  )
  .filter((s) => !s.includes('\0'))

/** One of the given values, or any of the generic ones. */
export function oneOf(values: readonly string[], ...more: Array<fc.Arbitrary<string>>): fc.Arbitrary<string> {
  // Mostly plausible values, so that enough runs get past parsing; the rest anything a user might type.
  return fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 6 }, ...more.map((a) => ({ arbitrary: a, weight: 2 })), { arbitrary: weirdText, weight: 1 })
}

/** A flag of a command: with a value generator, or a switch. */
export interface FlagSpec {
  flag: string
  value?: fc.Arbitrary<string>
}

/** Argument lists: up to `max` flags in any order, repeats allowed, as `--flag value` or `--flag=value`. */
export function argsFor(flags: readonly FlagSpec[], max = 4): fc.Arbitrary<string[]> {
  const one = fc.oneof(
    ...flags.map((f) =>
      f.value
        ? fc.tuple(fc.constant(f.flag), f.value, fc.boolean()).map(([name, v, joined]) => (joined ? [`${name}=${v}`] : [name, v]))
        : fc.constant([f.flag]),
    ),
  )
  return fc.array(one, { maxLength: max }).map((parts) => parts.flat())
}
