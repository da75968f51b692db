/** The journal part: entry types, the bounded ring with its NDJSON file, and query filters. */
export { createJournal, DEFAULT_JOURNAL_MAX } from './journal.js'
export type { Journal, JournalOptions, JournalChange, JournalListener, NewJournalEntry } from './journal.js'
export { filterEntries, parseSince, DEFAULT_QUERY_LIMIT } from './filter.js'
export type { JournalQuery } from './filter.js'
export type * from './types.js'
