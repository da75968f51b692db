import type { Command } from 'commander'

/** Registers `fake-fluentd certs`. (Placeholder until the command is built; see the open issue.) */
export function registerCerts(program: Command): void {
  program
    .command('certs')
    .description('not built yet')
    .action(() => {
      throw new Error('fake-fluentd certs is not built yet')
    })
}
