import type { Command } from 'commander'

/** Registers `fake-fluentd conformance`. (Placeholder until the command is built; see the open issue.) */
export function registerConformance(program: Command): void {
  program
    .command('conformance')
    .description('not built yet')
    .action(() => {
      throw new Error('fake-fluentd conformance is not built yet')
    })
}
