// The command tree. Each command lives in commands/; this file only wires them up.
import { Command } from '@commander-js/extra-typings';
import { upCommand } from './commands/up.js';
import { nodeCommand } from './commands/node.js';
import { controllerCommand } from './commands/controller.js';
import { benchCommand } from './commands/bench.js';
import { planCommand } from './commands/plan.js';
import { rehearseCommand } from './commands/rehearse.js';

export async function run(argv: string[]): Promise<number | undefined> {
  const program = new Command('everynode')
    .description('Keeps one daemon pod on every eligible node, and rolls new versions out node by node.')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(upCommand());
  program.addCommand(nodeCommand());
  program.addCommand(controllerCommand());
  program.addCommand(benchCommand());
  program.addCommand(planCommand());
  program.addCommand(rehearseCommand());
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (typeof e.exitCode === 'number' && e.code?.startsWith('commander.')) return e.exitCode;
    throw err;
  }
  // A command that finished but failed (plan, rehearse) sets process.exitCode rather than throwing.
  const code = process.exitCode;
  return typeof code === 'number' && code !== 0 ? code : undefined;
}
