/**
 * Finds the faults part's `createFaultEngine` at run time, so a receiver started without a plan can
 * still take one later through `PUT /api/faults`. Loaded lazily: the receiver works (without
 * faults) when the faults part is absent.
 */
import type { Clock } from '../clock/index.js'
import type { FaultEngine } from '../faults/types.js'

/** What the receiver passes to the faults part's factory. */
export interface FaultEngineFactoryOptions {
  seed?: number
  clock?: Clock
}

export type FaultEngineFactory = (options: FaultEngineFactoryOptions) => FaultEngine

/** Returns the faults part's factory, or undefined when it is not there. */
export async function loadFaultEngineFactory(): Promise<FaultEngineFactory | undefined> {
  // A computed specifier keeps the type checker from requiring the module to exist.
  const specifier = '../faults/index.js'
  try {
    const mod = (await import(specifier)) as { createFaultEngine?: (options?: unknown) => FaultEngine }
    const create = mod.createFaultEngine
    if (typeof create !== 'function') return undefined
    return (options) => create(options)
  } catch {
    // The faults part is not built (yet): run without a fault engine.
    return undefined
  }
}
