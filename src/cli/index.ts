// The command tree. Each command lives in commands/; this file only wires them up.
import { Command } from '@commander-js/extra-typings';
import { upCommand } from './commands/up.js';
import { nodeCommand } from './commands/node.js';
import { controllerCommand } from './commands/controller.js';
import { benchCommand } from './commands/bench.js';

export async function run(argv: string[]): Promise<number | undefined> {
  const program = new Command('everynode')
    .description('Keeps one daemon pod on every eligible node, and rolls new versions out node by node.')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(upCommand());
  program.addCommand(nodeCommand());
  program.addCommand(controllerCommand());
  program.addCommand(benchCommand());
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (typeof e.exitCode === 'number' && e.code?.startsWith('commander.')) return e.exitCode;
    throw err;
  }
  return undefined;
}
