/**
 * The conformance part: the runner, the scenario catalogue and the reports. Loading it loads the
 * sender adapters (undici); xmlbuilder2 loads only when a JUnit report is rendered.
 * @see docs/design.md "Conformance"
 */
export { runConformance, listScenarios, DEFAULT_TOLERANCE, judgedResults, attributeResults } from './runner.js'
export type { RunConformanceOptions, SenderSpec, ListedScenario } from './runner.js'
export { scenarios, selectScenarios } from './scenarios/index.js'
export type { SenderAdapter, SenderSession, SessionOptions } from './adapters/types.js'
export { renderJunit } from './reports/junit.js'
export { renderJson } from './reports/json.js'
export { renderHtmlReport } from './reports/html.js'
export type * from './types.js'
export { runForwardConformance, selectForwardScenarios, listForwardScenarios, loadForwardProfile, parseForwardProfile, forwardProfilesDir, forwardCommandClient, forwardClientEnv } from './forward/index.js'
export type { RunForwardConformanceOptions } from './forward/index.js'
