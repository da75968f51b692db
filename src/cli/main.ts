#!/usr/bin/env node
/**
 * The `fake-fluentd` command: a thin commander program. Each command lives in commands/<name>.ts,
 * parses its flags, calls the library and prints. Only src/cli/ prints or sets exit codes.
 */
import { Command } from 'commander'
import { registerServe } from './commands/serve.js'
import { registerSend } from './commands/send.js'
import { registerValidate } from './commands/validate.js'
import { registerConformance } from './commands/conformance.js'
import { registerDemo } from './commands/demo.js'
import { registerCerts } from './commands/certs.js'
import { runCli } from './run.js'

const program = new Command()
program
  .name('fake-fluentd')
  .description('A fake Fluentd in_http endpoint, a reference Wallarm-style sender and a conformance runner')
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)')
  // Before the commands are created, so that they inherit it: usage errors then exit 2, not 1.
  .exitOverride()

registerServe(program)
registerSend(program)
registerValidate(program)
registerConformance(program)
registerDemo(program)
registerCerts(program)

await runCli(program, process.argv)
