/**
 * The demo part: the stories (scenarios.ts), their events (events.ts) and the engine that runs one
 * (demo.ts). Light to import: the engine loads the receiver, the sender and the page when a demo
 * starts, so that the command line can list the stories without loading them.
 */
export { createDemo } from './demo.js'
export type { Demo, DemoEventName, DemoOptions } from './demo.js'
export { DEMO_SCENARIOS, demoScenario } from './scenarios.js'
export type { DemoScenario, DemoScenarioName, DemoEnding } from './scenarios.js'
export type * from './events.js'
