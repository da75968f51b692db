/**
 * The README's Limits table cannot drift from the CLI: every row's flags exist in `serve --help` of
 * the built CLI (a real child process), and the first row naming a flag states the default `--help`
 * shows for it (`32 MiB` for `32m`, `20 s` for `20s`, `10,000` for `10000`). A row without a flag
 * must be one of the few listed below, each with the reason it has none.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runCli } from '../../helpers/cli.js'

/** Rows without a flag, by their Limit cell's start, and why (a new flagless limit fails the test). */
const FLAGLESS: Record<string, string> = {
  'A journal file write the kernel takes only in part': 'not a bound: what a short write does',
  'Fault plan: answer headers': 'not a bound: which header names and values are valid',
}

interface Row {
  limit: string
  defaults: string
  flags: string[]
}

function limitsTable(): Row[] {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('\n## Limits\n'), readme.indexOf('\n## ', readme.indexOf('\n## Limits\n') + 1))
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| Limit |') && !line.startsWith('|---'))
    .map((line) => {
      const [limit = '', defaults = '', flags = ''] = line.slice(2).split(' | ')
      return { limit, defaults, flags: [...flags.matchAll(/`(--[a-z0-9-]+)`/g)].map((m) => m[1]!) }
    })
}

interface HelpEntry {
  value?: string
  text: string
  /** As `(default: X)` shows it. */
  shown?: string
}

/** `serve --help`, one entry per flag (wrapped lines joined). */
async function serveHelp(): Promise<Map<string, HelpEntry>> {
  const r = await runCli(['serve', '--help'])
  expect(r.code).toBe(0)
  const entries = new Map<string, HelpEntry>()
  let current = ''
  const texts: string[] = []
  for (const line of r.stdout.split('\n')) {
    if (/^ {2}(-\w, )?--/.test(line)) texts.push(line.trim())
    else if (/^ {4,}\S/.test(line) && texts.length > 0) texts[texts.length - 1] += ` ${line.trim()}`
  }
  for (const text of texts) {
    current = /--[a-z0-9-]+/.exec(text)![0]
    const value = /^(?:-\w, )?--[a-z0-9-]+ (<[a-z:]+>)/.exec(text)?.[1]
    const shown = /\(default: ([^,)]+)/.exec(text)?.[1]
    entries.set(current, { text: text.replace(/\s+/g, ' '), ...(value !== undefined && { value }), ...(shown !== undefined && { shown }) })
  }
  return entries
}

const UNITS: Record<string, number> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, ms: 1, s: 1000, min: 60_000, h: 3_600_000 }

/** The quantities a Default cell states, in order: `10,000 entries and about 64 MiB` → [10000, 67108864]. */
function readmeQuantities(cell: string): number[] {
  return [...cell.matchAll(/(?<![\w.])(\d[\d,]*(?:\.\d+)?)(?:\s*(KiB|MiB|GiB|ms|s|min|h)\b)?/g)].map((m) => Number(m[1]!.replace(/,/g, '')) * (UNITS[m[2] ?? ''] ?? 1))
}

/** A --help default in bytes, ms or a count, by the flag's value kind; undefined when it is not written as typed. */
function helpQuantity(entry: HelpEntry): number | undefined {
  const shown = entry.shown!.replace(/^"|"$/g, '')
  if (/^\d+$/.test(shown)) return entry.value === '<n>' ? Number(shown) : undefined
  const m = /^(\d+(?:\.\d+)?)(k|m|g|ms|s|h)$/.exec(shown)
  if (!m) return undefined
  const factor = entry.value === '<size>' ? { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!] : { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2]!]
  return factor === undefined ? undefined : Number(m[1]) * factor
}

describe('README "Limits" against serve --help', () => {
  it('every row names flags serve has, or is a known flagless row', async () => {
    const help = await serveHelp()
    const rows = limitsTable()
    expect(rows.length).toBeGreaterThan(20)
    for (const row of rows) {
      if (row.flags.length === 0) {
        expect({ row: row.limit, known: Object.keys(FLAGLESS).some((k) => row.limit.startsWith(k)) }).toEqual({ row: row.limit, known: true })
        continue
      }
      for (const flag of row.flags) expect({ row: row.limit, flag, inHelp: help.has(flag) }).toEqual({ row: row.limit, flag, inHelp: true })
    }
  })

  it("the first row naming a flag states the flag's default as --help shows it", async () => {
    const help = await serveHelp()
    const checked = new Set<string>()
    for (const row of limitsTable()) {
      const flags = row.flags.filter((f) => !checked.has(f))
      if (flags.length === 0) continue
      flags.forEach((f) => checked.add(f))
      const quantities = readmeQuantities(row.defaults)
      if (quantities.length === 0) {
        // A default in words (`the body limit`, `none / none`): --help says the same words.
        const words = row.defaults.split(' / ').map((w) => w.replace(/\(.*\)/, '').replace(/`/g, '').trim())
        flags.forEach((flag, i) => expect({ flag, help: help.get(flag)!.text }).toEqual({ flag, help: expect.stringMatching(new RegExp(`default:? ${words[i] ?? words[0]!}\\b`)) }))
        continue
      }
      expect({ row: row.limit, quantities: quantities.length }).toEqual({ row: row.limit, quantities: flags.length })
      flags.forEach((flag, i) => {
        const entry = help.get(flag)!
        expect({ flag, shown: entry.shown !== undefined }).toEqual({ flag, shown: true })
        expect({ flag, readme: quantities[i], help: helpQuantity(entry) }).toEqual({ flag, readme: quantities[i], help: quantities[i] })
      })
    }
    expect(checked.size).toBeGreaterThan(25)
  })
})
