import type { Command } from 'commander'

/** Registers `fake-fluentd send`. (Placeholder until the command is built; see the open issue.) */
export function registerSend(program: Command): void {
  program
    .command('send')
    .description('not built yet')
    .action(() => {
      throw new Error('fake-fluentd send is not built yet')
    })
}
