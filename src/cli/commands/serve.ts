import type { Command } from 'commander'

/** Registers `fake-fluentd serve`. (Placeholder until the command is built; see the open issue.) */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('not built yet')
    .action(() => {
      throw new Error('fake-fluentd serve is not built yet')
    })
}
