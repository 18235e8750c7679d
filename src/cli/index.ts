// The command tree. Each command lives in commands/; this file only wires them up.
import { Command } from '@commander-js/extra-typings';
import { upCommand } from './commands/up.js';
import { nodeCommand } from './commands/node.js';
import { controllerCommand } from './commands/controller.js';
import { benchCommand } from './commands/bench.js';
import { planCommand } from './commands/plan.js';
import { rehearseCommand } from './commands/rehearse.js';
import { rolloutCommand, topCommand } from './commands/rollout.js';
import { readFileSync } from 'node:fs';

/** From package.json, two levels up from both src/cli/ and dist/cli/. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export async function run(argv: string[]): Promise<number | undefined> {
  const version = packageVersion();
  const program = new Command('everynode')
    .description('Keeps one daemon pod on every eligible node, and rolls new versions out node by node.')
    .version(version, '-V, --version', 'print the version')
    .showHelpAfterError()
    .exitOverride();
  program.addCommand(new Command('version').description('print the version').action(() => { console.log(version); }));
  program.addCommand(upCommand());
  program.addCommand(nodeCommand());
  program.addCommand(controllerCommand());
  program.addCommand(benchCommand());
  program.addCommand(planCommand());
  program.addCommand(rehearseCommand());
  program.addCommand(rolloutCommand());
  program.addCommand(topCommand());
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (typeof e.exitCode === 'number' && e.code?.startsWith('commander.')) return e.exitCode;
    throw err;
  }
  // A command that ends with a verdict rather than an error (plan, rehearse, `rollout status` on
  // Failed) sets process.exitCode rather than throwing.
  const code = process.exitCode;
  return typeof code === 'number' && code !== 0 ? code : undefined;
}
