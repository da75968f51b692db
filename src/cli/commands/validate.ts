import type { Command } from 'commander'

/** Registers `fake-fluentd validate`. (Placeholder until the command is built; see the open issue.) */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('not built yet')
    .action(() => {
      throw new Error('fake-fluentd validate is not built yet')
    })
}
