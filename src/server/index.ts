/** The composition root: one running fake Fluentd (certificates, journal, faults, receiver, admin API). */
export { startReceiver } from './start.js'
