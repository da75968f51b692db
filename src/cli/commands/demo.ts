import type { Command } from 'commander'

/** Registers `fake-fluentd demo`. (Placeholder until the command is built; see the open issue.) */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('not built yet')
    .action(() => {
      throw new Error('fake-fluentd demo is not built yet')
    })
}
