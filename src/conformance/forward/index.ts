/** `conformance --protocol forward`: forward client profiles, the client command adapter and the run. */
export { loadForwardProfile, parseForwardProfile, forwardProfilesDir } from './profile.js'
export { forwardCommandClient, forwardClientEnv } from './command-client.js'
export { runForwardConformance, selectForwardScenarios, listForwardScenarios } from './run.js'
export type { RunForwardConformanceOptions } from './run.js'
