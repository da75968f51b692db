/** The script node:cluster starts for each worker of `serve --workers N` (primary.ts). */
import { runWorker } from './worker.js'

runWorker()
