// CPU of one planRollout call at fleet scale (issue #12: ≤ 10 ms per sync at 10,000 nodes):
// 10,000 nodes in 4 zones × 2 targeted DaemonSets, mid-rollout (the canary done, zone waves
// under way with a few blockers), status carried from the previous call. Not a test.
// Usage: npx tsx bench/rollout-core.ts [nodes=10000] [iterations=50]
import os from 'node:os';
import { planRollout } from '../src/rollout/core/plan.js';
import { daemonSet, input, node, pod, rollout, T0 } from '../src/rollout/core/testkit.js';
import type { Pod } from '../src/api/types.js';

const count = Number(process.argv[2] ?? 10_000);
const iterations = Number(process.argv[3] ?? 50);
const zones = ['zone-a', 'zone-b', 'zone-c', 'zone-d'];
const dss = [daemonSet('agent'), daemonSet('csi')];
const nodes = Array.from({ length: count }, (_, i) => node(`node-${String(i).padStart(5, '0')}`, {
  labels: { 'topology.kubernetes.io/zone': zones[i % 4], ...(i < 20 ? { canary: 'true' } : {}) },
  ...(i % 997 === 5 ? { notReadySinceMs: T0 - 60_000 } : {}),
}));
const pods: Pod[] = [];
nodes.forEach((n, i) => dss.forEach((ds) => pods.push(pod(ds, n.metadata!.name!, { isNew: i < 20 || (i % 4 === 0 && i < 1500), ready: i % 331 !== 7 }))));
let r = rollout({
  targetRef: undefined, selector: { matchLabels: { tier: 'node' } },
  waves: [
    { name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } }, maxNodes: 20 },
    { name: 'zones', splitBy: 'topology.kubernetes.io/zone', maxUnavailable: '10%' },
  ],
  quarantine: { afterSeconds: 600, maxNodes: '1%' },
});
r = { ...r, status: planRollout(input(r, dss, nodes, pods), T0).status };
const times: number[] = [];
for (let i = 0; i < iterations; i++) {
  // CPU time, not wall time: on a shared machine the wall clock mostly measures the neighbours.
  const c = process.cpuUsage();
  const p = planRollout(input(r, dss, nodes, pods), T0 + 1000 * (i + 1));
  const d = process.cpuUsage(c);
  times.push((d.user + d.system) / 1000);
  r = { ...r, status: p.status };
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
console.log(`planRollout: ${count} nodes x ${dss.length} DaemonSets, ${iterations} calls, CPU per call: median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`);
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, ${new Date().toISOString()}`);
