/** Deliveries: the journal's attempts grouped and set against the profile (the one definition). */
export { deliveriesOf, DEFAULT_DELIVERIES_LIMIT } from './deliveries.js'
export { isAttempt, attemptState } from './attempts.js'
export type { DeliveriesOptions } from './deliveries.js'
export { failureSummary } from './ratio.js'
export type * from './types.js'
export { createDeliveryTracker, DEFAULT_DELIVERY_STATE_BYTES } from './tracker.js'
export type { AttemptTicket, DeliveryTracker, DeliveryTrackerOptions } from './tracker.js'
