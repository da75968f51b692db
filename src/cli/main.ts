#!/usr/bin/env node
/**
 * The `fake-fluentd` command: a thin commander program. Each command lives in commands/<name>.ts,
 * parses its flags, calls the library and prints. Only src/cli/ prints or sets exit codes.
 *
 * Start-up: only the module of the command being run is loaded (the first argument names it);
 * `--help`, `help` and anything unknown load them all, so help and "unknown command" stay complete.
 * Each command in turn imports its implementation inside its action (docs/design.md "Parts").
 */
import { Command } from 'commander'
import { runCli } from './run.js'

type Register = (program: Command) => void

/** Command name → its module's register function, loaded on demand. */
const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  serve: async () => (await import('./commands/serve.js')).registerServe,
  send: async () => (await import('./commands/send.js')).registerSend,
  validate: async () => (await import('./commands/validate.js')).registerValidate,
  conformance: async () => (await import('./commands/conformance.js')).registerConformance,
  demo: async () => (await import('./commands/demo.js')).registerDemo,
  certs: async () => (await import('./commands/certs.js')).registerCerts,
  replay: async () => (await import('./commands/replay.js')).registerReplay,
}

/** The commands to register for these arguments: the one named first, or all of them. */
function commandsFor(argv: readonly string[]): string[] {
  const first = argv[2]
  return first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS)
}

const program = new Command()
program
  .name('fake-fluentd')
  .description('A fake Fluentd in_http endpoint, a reference Wallarm-style sender and a conformance runner')
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)')
  // Before the commands are created, so that they inherit it: usage errors then exit 2, not 1.
  .exitOverride()

const names = commandsFor(process.argv)
const registers = await Promise.all(names.map((name) => (COMMANDS[name] as () => Promise<Register>)()))
for (const register of registers) register(program)

await runCli(program, process.argv)
