/** Moved to src/text/ (byte sizes are read by the CLI and the admin flags too); this path stays importable for existing imports. */
export { parseByteSize } from '../text/index.js'
