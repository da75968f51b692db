/** `serve --workers N`: the primary's core (primary.ts); worker-main.ts is the script each worker runs. */
export { startClusterCore } from './primary.js'
