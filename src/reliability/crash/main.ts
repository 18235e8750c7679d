// Entry point of `npm run crash`: parses the flags, runs the kill loop, prints the figures and
// exits non-zero on any lost acknowledged write (or an incomplete run).
import { parseArgs } from 'node:util';
import { summary } from './report.js';
import { runCrash } from './run.js';

function positiveInt(name: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return Number(v);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      kills: { type: 'string' }, seed: { type: 'string' }, clients: { type: 'string' },
      'max-seconds': { type: 'string' }, fsync: { type: 'string' },
    },
    strict: true,
  });
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : positiveInt('--seed', values.seed, 1);
  const report = await runCrash({
    kills: positiveInt('--kills', values.kills, 50), seed,
    clients: positiveInt('--clients', values.clients, 4),
    maxSeconds: positiveInt('--max-seconds', values['max-seconds'], 1200),
    upArgs: values.fsync ? ['--fsync', values.fsync] : [],
    log: (line) => console.error(line),
  });
  console.log(summary(report));
  return report.lost === 0 && report.unexpectedAnswers.length === 0 && report.complete ? 0 : 1;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(`crash: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(2);
});
