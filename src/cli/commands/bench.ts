// `everynode bench`: the benchmark suite against an in-process embedded cluster. Prints one
// table, appends it (with machine and date) to the results file, and exits non-zero when any
// correctness check failed: a fast wrong answer is not a result.
import { Command, Option } from '@commander-js/extra-typings';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runBench, machine } from '../../bench/run.js';
import { appendRun, renderSection, renderTable } from '../../bench/report.js';

/**
 * The largest fleet the bench cluster can address: the default nodeAddressCIDR (172.16.0.0/12)
 * holds 1,048,574 node IPs; memory, not this bound, is what limits a run in practice.
 */
export const MAX_BENCH_NODES = 1_000_000;

export function sizeList(v: string): number[] {
  const sizes = v.split(',').map((s) => s.trim());
  if (!sizes.length || sizes.some((s) => !/^[1-9]\d*$/.test(s) || Number(s) > MAX_BENCH_NODES)) throw new Error(`--nodes must be a comma-separated list of integers from 1 to ${MAX_BENCH_NODES}, got "${v}"`);
  return sizes.map(Number);
}

function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^[1-9]\d*$/.test(v)) throw new Error(`${name} must be a positive integer, got "${v}"`);
    return Number(v);
  };
}

export function benchCommand() {
  return new Command('bench')
    .description('Benchmark the controller on an in-process embedded cluster (converge, raw create baseline, rolling update, reaction latency, footprint)')
    .option('--quick', 'only 1,000 nodes (overrides --nodes)', false)
    .addOption(new Option('--nodes <list>', 'fleet sizes, comma-separated').default([1000, 5000, 10000]).argParser(sizeList))
    .option('--on-disk', 'keep state in SQLite for every scenario (default: in memory; the smallest size is always also run on the other storage)', false)
    .addOption(new Option('--rollout-nodes <n>', 'fleet size for the rolling update and reaction scenarios (default 5000 if listed, else the smallest)').argParser(positiveInt('--rollout-nodes')))
    .addOption(new Option('--idle-seconds <n>', 'idle window for the footprint').default(30).argParser(positiveInt('--idle-seconds')))
    .addOption(new Option('--reaction-nodes <n>', 'nodes labelled one at a time in the reaction scenario').default(200).argParser(positiveInt('--reaction-nodes')))
    .option('--no-footprint', 'skip the footprint run')
    .option('--no-compare-storage', 'skip the extra converge on the other storage')
    .option('--no-baseline', 'skip the raw create baseline (its 3 × N pod creates and deletes take minutes at 50,000 nodes)')
    .option('--out <file>', 'results file the run is appended to (empty: none)', 'bench/RESULTS.md')
    .action(async (o) => {
      const nodes = o.quick ? [1000] : [...o.nodes];
      const started = new Date();
      const rows = await runBench({
        nodes, onDisk: o.onDisk, rolloutNodes: o.rolloutNodes, compareStorage: o.compareStorage, noBaseline: !o.baseline, footprint: o.footprint,
        idleMs: o.idleSeconds * 1000, reactionCount: o.reactionNodes, log: (l) => console.error(l),
      });
      console.log(renderTable(rows));
      if (o.out) {
        const file = resolve(o.out);
        const flags = process.argv.slice(process.argv.indexOf('bench')).join(' ');
        const section = renderSection(rows, machine(), started.toISOString(), `everynode ${flags}`);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, appendRun(existsSync(file) ? readFileSync(file, 'utf8') : undefined, section));
        console.error(`bench: appended to ${file}`);
      }
      const failed = rows.filter((r) => r.problems.length);
      if (failed.length) {
        console.error(`bench: ${failed.length} scenario(s) failed their correctness checks`);
        process.exitCode = 1;
      }
    });
}
