import { readFile } from 'node:fs/promises'
import { Option, type Command } from 'commander'
import type { BodyFormat, Verdict } from '../../validation/index.js'
import { EXIT_USAGE } from '../run.js'

/** Exit status when at least one notification (or one NDJSON line) is invalid. */
const EXIT_INVALID = 1

interface ValidateOptions {
  json?: boolean
  format: BodyFormat | 'auto'
}

/** One verdict as printed: the validator's verdict plus where it came from. */
interface FileVerdict extends Verdict {
  /** 1-based NDJSON line (or line of a single object); null for elements of a JSON array. */
  line: number | null
}

interface FileReport {
  file: string
  /** The framing used (detected for --format auto); null when the input could not be read. */
  format: BodyFormat | null
  verdicts: FileVerdict[]
  /** Lines or bodies that are not JSON; each counts as invalid. */
  parseErrors: Array<{ index: number | null; line: number | null; message: string }>
  /** Why the input could not be read (exit 2), else null. */
  readError: string | null
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

async function readInput(file: string): Promise<string> {
  return file === '-' ? readStdin() : readFile(file, 'utf8')
}

function where(file: string, v: { index: number | null; line: number | null }): string {
  const parts = [file]
  if (v.line !== null) parts.push(`line ${v.line}`)
  if (v.index !== null) parts.push(`#${v.index}`)
  return parts.join(' ')
}

function printText(reports: readonly FileReport[]): void {
  for (const report of reports) {
    if (report.readError !== null) {
      console.error(`${report.file}: ${report.readError}`)
      continue
    }
    // Parse failures and verdicts in batch order, so an NDJSON file reads top to bottom.
    const entries: Array<{ index: number; lines: string[] }> = [
      ...report.parseErrors.map((p) => ({ index: p.index ?? -1, lines: [`${where(report.file, p)} invalid: ${p.message}`] })),
      ...report.verdicts.map((v) => ({
        index: v.index,
        lines: [
          `${where(report.file, v)} ${v.type ?? '(no type)'} ${v.valid ? 'valid' : 'invalid'}`,
          ...v.errors.map((e) => `  ${e.pointer === '' ? '(root)' : e.pointer}: ${e.message}`),
        ],
      })),
    ]
    for (const entry of entries.sort((a, b) => a.index - b.index)) for (const line of entry.lines) console.log(line)
  }
}

function count(reports: readonly FileReport[]): { valid: number; invalid: number; unreadable: number } {
  let valid = 0
  let invalid = 0
  let unreadable = 0
  for (const r of reports) {
    if (r.readError !== null) unreadable++
    invalid += r.parseErrors.length
    for (const v of r.verdicts) {
      if (v.valid) valid++
      else invalid++
    }
  }
  return { valid, invalid, unreadable }
}

/**
 * Registers `fake-fluentd validate [FILE|-]...`: checks JSON objects, JSON arrays (batches) or NDJSON
 * files against the notification schemas. Exit 0 when all are valid, 1 when any notification or
 * line is invalid (a body that is not JSON counts as invalid), 2 when an input cannot be read,
 * holds nothing, or no input is given.
 */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check notifications (JSON object, JSON array or NDJSON) against the Wallarm notification schemas')
    .argument('[files...]', 'files to check; "-" or none reads standard input')
    .option('--json', 'print one JSON report instead of text')
    .addOption(
      new Option('--format <format>', 'body framing').choices(['auto', 'json', 'ndjson']).default('auto'),
    )
    // Subcommands copy settings when created, before runCli() calls exitOverride() on the program:
    // without this a usage error would exit 1 (our "invalid") instead of going through run.ts (exit 2).
    .exitOverride()
    .action(async (files: string[], options: ValidateOptions) => {
      const inputs = files.length > 0 ? files : ['-']
      if (files.length === 0 && process.stdin.isTTY) {
        console.error('fake-fluentd validate: no input: give one or more files, or "-" to read standard input')
        process.exitCode = EXIT_USAGE
        return
      }
      // Imported here so that other commands and --help do not load ajv.
      const { createValidator, parseNotifications } = await import('../../validation/index.js')
      const validator = createValidator()
      const reports: FileReport[] = []
      for (const file of inputs) {
        const name = file === '-' ? '(stdin)' : file === '' ? '(empty file name)' : file
        let text: string
        try {
          text = await readInput(file)
        } catch (err) {
          const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err))
          reports.push({ file: name, format: null, verdicts: [], parseErrors: [], readError: `cannot read: ${reason}` })
          continue
        }
        const parsed = parseNotifications(text, options.format)
        const report: FileReport = {
          file: name,
          format: parsed.format,
          verdicts: parsed.items.map((item) => ({ ...validator.validate(item.value, item.index), line: item.line })),
          parseErrors: parsed.errors,
          readError: parsed.items.length === 0 && parsed.errors.length === 0 ? 'no notifications in the input' : null,
        }
        reports.push(report)
      }
      const totals = count(reports)
      if (options.json) {
        console.log(JSON.stringify({ ...totals, files: reports }, null, 2))
      } else {
        printText(reports)
        console.log(`${totals.valid + totals.invalid} checked: ${totals.valid} valid, ${totals.invalid} invalid${totals.unreadable > 0 ? `, ${totals.unreadable} unreadable` : ''}`)
      }
      process.exitCode = totals.unreadable > 0 ? EXIT_USAGE : totals.invalid > 0 ? EXIT_INVALID : 0
    })
}
