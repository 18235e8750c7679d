// `everynode bench`: the benchmark suite against an in-process embedded cluster. Prints one
// table, appends it (with machine and date) to the results file, and exits non-zero when any
// correctness check failed: a fast wrong answer is not a result.
import { Command, Option } from '@commander-js/extra-typings';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BENCH_PARTS, runBench, machine, type BenchPart } from '../../bench/run.js';
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

export function partList(v: string): Set<BenchPart> {
  const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = parts.filter((p) => !(BENCH_PARTS as readonly string[]).includes(p));
  if (!parts.length || bad.length) throw new Error(`--only must be a comma-separated list of ${BENCH_PARTS.join(', ')}, got "${v}"`);
  return new Set(parts as BenchPart[]);
}

function positiveInt(name: string) {
  return (v: string): number => {
    if (!/^[1-9]\d*$/.test(v)) throw new Error(`${name} must be a positive integer, got "${v}"`);
    return Number(v);
  };
}

export function benchCommand() {
  return new Command('bench')
    .description('Benchmark the controller on an in-process embedded cluster (converge, raw create baseline, rolling update, reaction latency, footprint, DaemonSetRollout zone waves, rehearsal vs real)')
    .option('--quick', 'only 1,000 nodes (overrides --nodes)', false)
    .addOption(new Option('--nodes <list>', 'fleet sizes, comma-separated').default([1000, 5000, 10000]).argParser(sizeList))
    .option('--on-disk', 'keep state in SQLite for every scenario (default: in memory; the smallest size is always also run on the other storage)', false)
    .addOption(new Option('--rollout-nodes <n>', 'fleet size for the rolling update and reaction scenarios (default 5000 if listed, else the smallest)').argParser(positiveInt('--rollout-nodes')))
    .addOption(new Option('--rollout-waves-nodes <n>', 'fleet size (split into 4 zones) for the DaemonSetRollout zone waves vs RollingUpdate scenario (default: the rollout size)').argParser(positiveInt('--rollout-waves-nodes')))
    .addOption(new Option('--rehearsal-nodes <n>', 'fleet size (4 zones, pods Ready in seconds) for the rehearsal vs real scenario').default(1000).argParser(positiveInt('--rehearsal-nodes')))
    .addOption(new Option('--rehearsal-seeds <n>', 'rehearsals (seeds 1…n) whose median is compared with the real run').default(5).argParser(positiveInt('--rehearsal-seeds')))
    .addOption(new Option('--only <parts>', `run only these parts, comma-separated: ${BENCH_PARTS.join(', ')} (rollout-waves alone still converges and rolls its own cluster first)`).argParser(partList))
    .addOption(new Option('--idle-seconds <n>', 'idle window for the footprint').default(30).argParser(positiveInt('--idle-seconds')))
    .addOption(new Option('--reaction-nodes <n>', 'nodes labelled one at a time in the reaction scenario').default(200).argParser(positiveInt('--reaction-nodes')))
    .option('--no-footprint', 'skip the footprint run')
    .option('--no-compare-storage', 'skip the extra converge on the other storage')
    .option('--no-rollout-waves', 'skip the DaemonSetRollout zone waves scenario')
    .option('--no-rehearsal', 'skip the rehearsal vs real scenario')
    .option('--no-baseline', 'skip the raw create baseline (its 3 × N pod creates and deletes take minutes at 50,000 nodes)')
    .option('--out <file>', 'results file the run is appended to (empty: none)', 'bench/RESULTS.md')
    .action(async (o) => {
      const nodes = o.quick ? [1000] : [...o.nodes];
      const started = new Date();
      const rows = await runBench({
        nodes, onDisk: o.onDisk, rolloutNodes: o.rolloutNodes, compareStorage: o.compareStorage, noBaseline: !o.baseline, footprint: o.footprint,
        rolloutWavesNodes: o.rolloutWavesNodes, rehearsal: o.rehearsal && { nodes: o.rehearsalNodes, seeds: o.rehearsalSeeds },
        only: o.rolloutWaves ? o.only : new Set([...(o.only ?? BENCH_PARTS)].filter((p) => p !== 'rollout-waves')),
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
