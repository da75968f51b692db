/**
 * Fault injection: the plan model, its validation, the `--fault` shorthand and the engine that
 * decides what the receiver does with each connection and request.
 * @see docs/design.md "Fault plans"
 */
export { createFaultEngine, DEFAULT_FAULT_SEED } from './engine.js'
export type { FaultEngineOptions } from './engine.js'
export { validateFaultPlan } from './validate-plan.js'
export { faultPlanWarnings } from './plan-warnings.js'
export { parseFaultShorthand } from './shorthand.js'
export { loadFaultPlanFile } from './load-plan-file.js'
export { explainStep } from './explain.js'
export { faultPlanFromFlags, parseSeed } from './cli-plan.js'
export type { FaultFlags } from './cli-plan.js'
export { compileTagGlob } from './tag-glob.js'
export { DEFAULT_PLAN_LIMITS, PLAN_LIMIT_FLAGS, planTooLarge } from './plan-limits.js'
export { parsePlanText } from './plan-bounds.js'
export type { PlanLimits } from './plan-limits.js'
export { SeededRandom } from './rng.js'
export type {
  FaultPlan,
  FaultRule,
  FaultMatch,
  BodyMatcher,
  FaultStep,
  FaultActionName,
  HeaderMatcher,
  DelayDistribution,
} from './plan-types.js'
export type * from './types.js'
