/** Reads a fault plan from a JSON file (`--faults PLAN.json`). */
import { readFile } from 'node:fs/promises'
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import { parsePlanText } from './plan-bounds.js'
import { DEFAULT_PLAN_LIMITS, type PlanLimits } from './plan-limits.js'
import type { FaultPlan } from './plan-types.js'
import { validateFaultPlan } from './validate-plan.js'

/**
 * Reads, parses and validates a plan file within `limits`.
 * @throws FakeFluentdError FF_ERR_FAULT_SPEC for a file that cannot be read, is too large, is not JSON or is not a valid plan
 */
export async function loadFaultPlanFile(path: string, limits: PlanLimits = DEFAULT_PLAN_LIMITS): Promise<FaultPlan> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `--faults ${path}: cannot read fault plan: ${(err as Error).message}`, { cause: err })
  }
  try {
    return validateFaultPlan(parsePlanText(text, limits), limits)
  } catch (err) {
    if (err instanceof FakeFluentdError) throw new FakeFluentdError(err.code, `--faults ${path}: ${err.message}`, { cause: err })
    if (err instanceof SyntaxError) throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `--faults ${path}: the fault plan is not JSON: ${err.message}`, { cause: err })
    throw err
  }
}
