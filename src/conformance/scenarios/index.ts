/**
 * The scenario catalogue, in the order docs/design.md "Conformance" lists them, and selection by pattern.
 * @see docs/design.md "Conformance"
 */
import { FakeFluentdError } from '../../errors.js'
import type { ScenarioDefinition } from '../types.js'
import { deliveryScenarios } from './delivery.js'
import { disableScenarios } from './disable.js'
import { formatScenarios } from './format.js'
import { retryScenarios } from './retry.js'
import { timeoutScenarios } from './timeout.js'
import { tlsScenarios } from './tls.js'
import { twoFailingScenario } from './two-failing.js'

/** Every scenario, in catalogue order. */
export const scenarios: readonly ScenarioDefinition[] = [
  ...deliveryScenarios,
  ...formatScenarios,
  ...tlsScenarios,
  ...retryScenarios,
  twoFailingScenario,
  ...timeoutScenarios,
  ...disableScenarios,
]

function globToRegExp(glob: string): RegExp {
  const src = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${src}$`)
}

/**
 * Scenarios matching a pattern: comma-separated ids or globs (`retry.*`, `*timeout*`), a bare family
 * name (`retry`), or a leading `!` to exclude. Throws FF_ERR_SCENARIO when nothing matches.
 */
export function selectScenarios(pattern: string | undefined, all: readonly ScenarioDefinition[] = scenarios): ScenarioDefinition[] {
  if (pattern === undefined || pattern.trim() === '' || pattern.trim() === '*') return [...all]
  const parts = pattern.split(',').map((p) => p.trim()).filter(Boolean)
  const include = parts.filter((p) => !p.startsWith('!'))
  const exclude = parts.filter((p) => p.startsWith('!')).map((p) => p.slice(1))
  const matches = (s: ScenarioDefinition, p: string): boolean => s.family === p || globToRegExp(p).test(s.id)
  const picked = all.filter((s) => (include.length === 0 || include.some((p) => matches(s, p))) && !exclude.some((p) => matches(s, p)))
  if (picked.length === 0) {
    throw new FakeFluentdError('FF_ERR_SCENARIO', `no scenario matches "${pattern}"; list them with --list (ids such as ${all.slice(0, 3).map((s) => s.id).join(', ')}, or a family: ${[...new Set(all.map((s) => s.family))].join(', ')})`)
  }
  return picked
}
