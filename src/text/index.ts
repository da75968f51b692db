/** Text shared by the CLI and the library: durations, byte sizes and header lines, written and read one way. */
export { formatDuration } from './duration.js'
export { parseByteSize } from './byte-size.js'
export { parseHeaderLine } from './header.js'
export type { HeaderLine } from './header.js'
export { hintFor } from './hints.js'
export type { Hint, HintContext, HintEntry } from './hints.js'
