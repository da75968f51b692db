/**
 * The plan a `serve` command starts with, from its flags: `--faults PLAN.json`, `--fault SPEC`
 * (repeatable) and `--seed N`. Kept here so the command stays thin.
 */
import { loadFaultPlanFile } from './load-plan-file.js'
import type { PlanLimits } from './plan-limits.js'
import type { FaultPlan } from './plan-types.js'
import { parseFaultShorthand } from './shorthand.js'
import { validateFaultPlan } from './validate-plan.js'

export interface FaultFlags {
  /** `--fault` specs, in order. */
  fault?: string[]
  /** `--faults` file path. */
  faults?: string
  /** `--seed`: overrides the file's seed. */
  seed?: number
  /** The `--fault-*-max` bounds (default DEFAULT_PLAN_LIMITS). */
  limits?: PlanLimits
}

/**
 * Builds the start-up plan: the rules of the `--faults` file first, then one rule per `--fault`, in
 * order (the first matching rule decides); `--seed` sets the plan's seed. Undefined when no fault
 * flag is given. @throws FakeFluentdError FF_ERR_FAULT_SPEC with the position for a bad spec.
 */
export async function faultPlanFromFlags(flags: FaultFlags): Promise<FaultPlan | undefined> {
  const specs = flags.fault ?? []
  if (specs.length === 0 && flags.faults === undefined) return undefined
  const file = flags.faults === undefined ? undefined : await loadFaultPlanFile(flags.faults, flags.limits)
  const fromSpecs = specs.length > 0 ? parseFaultShorthand(specs, flags.limits) : undefined
  const seed = flags.seed ?? file?.seed
  const plan = {
    ...(file?.description !== undefined && { description: file.description }),
    ...(seed !== undefined && { seed }),
    rules: [...(file?.rules ?? []), ...(fromSpecs?.rules ?? [])],
  }
  return validateFaultPlan(plan, flags.limits)
}

export { parseSeed } from './seed.js'
