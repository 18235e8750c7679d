// `npx tsx bench/rehearse.ts [fleet.yaml] [runs] [sync-interval]`: wall and CPU time of `everynode rehearse` on
// the 10,000-node fleet of examples/rehearse (4 zones + canaries, node-exporter, a 5-wave rollout
// with bakes). Run by hand; the figure goes to bench/RESULTS.md.
import { cpuUsage } from 'node:process';
import { rehearsalConfig } from '../src/cli/commands/rehearse.js';
import { rehearse } from '../src/rollout/sim/rehearse.js';
import { duration } from '../src/rollout/report/table.js';

const fleet = process.argv[2] ?? 'examples/rehearse/fleet-4-zones.yaml';
const runs = Number(process.argv[3] ?? 1);
const syncInterval = process.argv[4] ?? '1s';
const { cfg } = rehearsalConfig({
  file: 'examples/rehearse/rollout-node-exporter.yaml', fleet, daemonset: ['examples/node-exporter.yaml'],
  image: 'quay.io/prometheus/node-exporter:v1.9.0', failNodes: '1%', failAfter: '2h', syncInterval,
});
for (let i = 0; i < runs; i++) {
  const c0 = cpuUsage(), t0 = performance.now();
  const r = rehearse({ ...cfg, seed: cfg.seed + i });
  const wall = performance.now() - t0, cpu = cpuUsage(c0);
  console.log(`seed ${cfg.seed + i}: ${r.nodes} nodes, ${r.outcome} after ${duration(r.durationMs)} virtual, ${r.syncs} syncs: wall ${(wall / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, ${(wall / r.syncs).toFixed(1)} ms/sync`);
}
