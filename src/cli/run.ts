import { CommanderError, type Command } from 'commander'
import { FakeFluentdError } from '../errors.js'

/** Exit status for a usage or setup error (bad flags, unreadable files, bad specs). */
export const EXIT_USAGE = 2

/**
 * Runs the program, mapping errors to exit codes: commander usage errors and FakeFluentdErrors
 * exit 2 with a one-line message (the stack only with FF_DEBUG=1).
 */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  program.exitOverride()
  try {
    await program.parseAsync(argv)
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed the message; help and version exit 0.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE
      return
    }
    if (err instanceof FakeFluentdError) {
      console.error(`fake-fluentd: ${err.message}`)
      if (process.env.FF_DEBUG) console.error(err.stack)
      process.exitCode = EXIT_USAGE
      return
    }
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
    process.exitCode = 1
  }
}
