/** Reads a fault plan from a JSON file (`--faults PLAN.json`). */
import { readFile } from 'node:fs/promises'
import { ErrorCodes, FakeFluentdError } from '../errors.js'
import { MAX_PLAN_BYTES } from './plan-bounds.js'
import type { FaultPlan } from './plan-types.js'
import { validateFaultPlan } from './validate-plan.js'

/**
 * Reads, parses and validates a plan file.
 * @throws FakeFluentdError FF_ERR_FAULT_SPEC for a file that cannot be read, is not JSON or is not a valid plan
 */
export async function loadFaultPlanFile(path: string): Promise<FaultPlan> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `--faults ${path}: cannot read fault plan: ${(err as Error).message}`, { cause: err })
  }
  if (Buffer.byteLength(text) > MAX_PLAN_BYTES) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `--faults ${path}: the fault plan is ${Buffer.byteLength(text)} bytes; at most ${MAX_PLAN_BYTES} (1 MiB) are allowed`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new FakeFluentdError(ErrorCodes.FF_ERR_FAULT_SPEC, `--faults ${path}: the fault plan is not JSON: ${(err as Error).message}`, { cause: err })
  }
  try {
    return validateFaultPlan(json)
  } catch (err) {
    if (err instanceof FakeFluentdError) throw new FakeFluentdError(err.code, `--faults ${path}: ${err.message}`, { cause: err })
    throw err
  }
}
