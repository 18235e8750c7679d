// CPU of one DaemonSet sync's decisions (plan() in src/controller/core) at fleet scale: the
// DaemonSet controller runs one per sync, and a converge of N nodes takes at least N / 250 of
// them (BURST_REPLICAS), each walking every node. Two moments of a converge: half the fleet
// has its pod (250 to create in this sync), and every node has it (pods becoming ready: nothing
// to create). Objects are JSON round-tripped so that names and labels are separate strings, as
// an informer's are. Not a test.
// Usage: npx tsx bench/daemonset-plan.ts [nodes=50000] [iterations=20]
import os from 'node:os';
import { plan, type Snapshot } from '../src/controller/core/plan.js';
import { planHistory } from '../src/controller/core/history.js';
import { makeDs, makeNodes, makePod, T0 } from '../src/controller/core/testkit.js';

const count = Number(process.argv[2] ?? 50_000);
const iterations = Number(process.argv[3] ?? 20);

function snapshot(withPods: number): Snapshot {
  const ds = makeDs();
  const nodes = makeNodes(0, count);
  const created = planHistory(ds, []).create;
  const pods = nodes.slice(0, withPods).map((n) => makePod(ds, n.metadata!.name!, { ready: true, readySinceMs: T0 }));
  const parsed = JSON.parse(JSON.stringify({ ds, nodes, pods, revisions: created ? [created] : [] })) as Pick<Snapshot, 'ds' | 'nodes' | 'pods' | 'revisions'>;
  return { ...parsed, nowMs: T0 + 1000, backoff: {}, bindDirectly: false };
}

function run(s: Snapshot): number[] {
  for (let i = 0; i < 3; i++) plan(s); // warm up the JIT
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    // CPU time, not wall time: on a shared machine the wall clock mostly measures the neighbours.
    const c = process.cpuUsage();
    plan({ ...s, nowMs: s.nowMs + i });
    const d = process.cpuUsage(c);
    times.push((d.user + d.system) / 1000);
  }
  return times.sort((a, b) => a - b);
}

const at = (times: number[], q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(1);
for (const [label, withPods] of [['half the nodes with their pod', Math.floor(count / 2)], ['every node with its pod', count]] as const) {
  const t = run(snapshot(withPods));
  console.log(`plan() ${count} nodes, ${label}: ${iterations} calls, CPU per call: median ${at(t, 0.5)} ms, p90 ${at(t, 0.9)} ms, max ${at(t, 1)} ms`);
}
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), Node ${process.version}, ${new Date().toISOString()}`);
