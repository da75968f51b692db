/**
 * The demo's stories: what the receiver does (a fault plan), how many notifications the reference
 * sender gets, the time scale they run at by default, and how each story should end.
 * @see README.md (3. someone demoing retry behaviour)
 */
import type { FaultPlan } from '../faults/index.js'
import type { RetryProfile } from '../profile/index.js'

/** The stories `fake-fluentd demo --scenario` can tell. */
export type DemoScenarioName = 'retry' | 'timeout' | 'auto-disable' | 'recovery'

/** The names, in the order the help lists them. */
export const DEMO_SCENARIOS: readonly DemoScenarioName[] = ['retry', 'timeout', 'auto-disable', 'recovery']

/** How a story is expected to end. */
export type DemoEnding = 'dropped' | 'delivered' | 'disabled'

export interface DemoScenario {
  name: DemoScenarioName
  /** One line for the terminal and the page. */
  story: string
  /**
   * Default time scale: retry runs Wallarm's three cycles (51 min of intervals) in about a minute;
   * the shorter stories run closer to real time so that each step can be watched.
   */
  defaultTimeScale: number
  /** Notifications handed to the sender, each its own delivery. */
  deliveries: number
  /** Delay between handing deliveries over, ms at time scale 1. */
  staggerMs: number
  ending: DemoEnding
  /** The receiver's fault plan for a profile at a time scale (delays in real ms). */
  plan(profile: RetryProfile, timeScale: number): FaultPlan
}

/** Wallarm's 17 intervals add up to 3068 s; 0.02 turns them into about 61 s. */
export const RETRY_DEFAULT_TIME_SCALE = 0.02

const SCENARIOS: Record<DemoScenarioName, DemoScenario> = {
  retry: {
    name: 'retry',
    story: 'The receiver answers 503 to every attempt: the sender retries through all three cycles, then drops the notification.',
    defaultTimeScale: RETRY_DEFAULT_TIME_SCALE,
    deliveries: 1,
    staggerMs: 0,
    ending: 'dropped',
    plan: () => ({ description: 'demo retry: 503 always', rules: [{ id: 'demo-503', then: { status: 503 } }] }),
  },
  timeout: {
    name: 'timeout',
    story: 'The receiver answers 200, but only after the request timeout, three times: each attempt times out and is retried; the fourth is answered at once.',
    defaultTimeScale: 0.5,
    deliveries: 1,
    staggerMs: 0,
    ending: 'delivered',
    plan: (profile, timeScale) => ({
      description: 'demo timeout: 200 after 1.5 x the request timeout, 3 times',
      rules: [
        {
          id: 'demo-late',
          steps: [{ delayMs: Math.round(profile.requestTimeoutMs * timeScale * 1.5), status: 200, times: 3 }],
        },
      ],
    }),
  },
  'auto-disable': {
    name: 'auto-disable',
    story: 'Three notifications fail on every attempt: once enough attempts in the window failed (≥ 60 %), the integration is disabled and every pending retry stops.',
    defaultTimeScale: 1,
    deliveries: 3,
    staggerMs: 1000,
    ending: 'disabled',
    plan: () => ({ description: 'demo auto-disable: 503 always', rules: [{ id: 'demo-503', then: { status: 503 } }] }),
  },
  recovery: {
    name: 'recovery',
    story: 'The receiver fails three times (500) and then recovers: the fourth attempt is delivered, exactly on schedule.',
    defaultTimeScale: 1,
    deliveries: 1,
    staggerMs: 0,
    ending: 'delivered',
    plan: () => ({ description: 'demo recovery: 500 x3, then Fluentd answers 200', rules: [{ id: 'demo-500x3', steps: [{ status: 500, times: 3 }] }] }),
  },
}

/** The scenario called `name`, or undefined. */
export function demoScenario(name: string): DemoScenario | undefined {
  return (DEMO_SCENARIOS as readonly string[]).includes(name) ? SCENARIOS[name as DemoScenarioName] : undefined
}
