// CPU of one planRollout call at fleet scale (issue #12: ≤ 10 ms per sync at 10,000 nodes):
// 10,000 nodes in 4 zones × 2 targeted DaemonSets, mid-rollout (the canary done, zone waves
// under way with a few blockers), status carried from the previous call. Two figures: the
// controller's path (one PlanMemo carried between syncs, `changed` pods replaced by new objects
// before each call — status updates arriving through the informer) and from scratch (no memo,
// as a first sync or a restarted controller). Not a test.
// Usage: npx tsx bench/rollout-core.ts [nodes=10000] [iterations=50] [changed=200]
import os from 'node:os';
import { planRollout } from '../src/rollout/core/plan.js';
import { PlanMemo } from '../src/rollout/core/memo.js';
import { daemonSet, input, node, pod, rollout, T0 } from '../src/rollout/core/testkit.js';
import type { Pod } from '../src/api/types.js';

const count = Number(process.argv[2] ?? 10_000);
const iterations = Number(process.argv[3] ?? 50);
const changed = Number(process.argv[4] ?? 200);
const zones = ['zone-a', 'zone-b', 'zone-c', 'zone-d'];
const dss = [daemonSet('agent'), daemonSet('csi')];
const nodes = Array.from({ length: count }, (_, i) => node(`node-${String(i).padStart(5, '0')}`, {
  labels: { 'topology.kubernetes.io/zone': zones[i % 4], ...(i < 20 ? { canary: 'true' } : {}) },
  ...(i % 997 === 5 ? { notReadySinceMs: T0 - 60_000 } : {}),
}));
const pods: Pod[] = [];
nodes.forEach((n, i) => dss.forEach((ds) => pods.push(pod(ds, n.metadata!.name!, { isNew: i < 20 || (i % 4 === 0 && i < 1500), ready: i % 331 !== 7 }))));
const base = rollout({
  targetRef: undefined, selector: { matchLabels: { tier: 'node' } },
  waves: [
    { name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } }, maxNodes: 20 },
    { name: 'zones', splitBy: 'topology.kubernetes.io/zone', maxUnavailable: '10%' },
  ],
  quarantine: { afterSeconds: 600, maxNodes: '1%' },
});

function run(memo: PlanMemo | undefined): number[] {
  let r = { ...base, status: planRollout(input(base, dss, nodes, pods), T0).status };
  if (memo) planRollout(input(r, dss, nodes, pods), T0, memo);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    // A status update replaces a pod object (same content here: the work is finding it changed).
    for (let j = 0; j < changed; j++) { const k = (i * changed + j) * 7919 % pods.length; pods[k] = { ...pods[k] }; }
    // CPU time, not wall time: on a shared machine the wall clock mostly measures the neighbours.
    const c = process.cpuUsage();
    const p = planRollout(input(r, dss, nodes, pods), T0 + 1000 * (i + 1), memo);
    const d = process.cpuUsage(c);
    times.push((d.user + d.system) / 1000);
    r = { ...r, status: p.status };
  }
  return times.sort((a, b) => a - b);
}

const at = (times: number[], q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
const report = (label: string, t: number[]) => console.log(`planRollout ${label}: ${count} nodes x ${dss.length} DaemonSets, ${iterations} calls, CPU per call: median ${at(t, 0.5)} ms, p90 ${at(t, 0.9)} ms, max ${at(t, 1)} ms`);
report(`with a memo, ${changed} pods changed per sync`, run(new PlanMemo()));
report('from scratch', run(undefined));
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, ${new Date().toISOString()}`);
