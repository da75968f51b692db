/** The journal part: entry types, the bounded ring with its NDJSON file, and query filters. */
export { createJournal, DEFAULT_JOURNAL_MAX, DEFAULT_JOURNAL_MAX_BYTES, estimateEntryBytes, AnswerWithdrawn } from './journal.js'
export { entryLine, entryLines, EntryLineError } from './file-line.js'
export type { Correction, Journal, JournalOptions, JournalChange, JournalListener, NewJournalEntry, EntryOfKind } from './journal.js'
export { filterEntries, parseSince, DEFAULT_QUERY_LIMIT } from './filter.js'
export type { JournalQuery } from './filter.js'
export type * from './types.js'
