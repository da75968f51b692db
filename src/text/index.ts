/** Text shared by the CLI and the library: durations and header lines, written and read one way. */
export { formatDuration } from './duration.js'
export { parseHeaderLine } from './header.js'
export type { HeaderLine } from './header.js'
