// What N idle simulated nodes cost: starts the embedded cluster in this process (API server,
// simulator, node lifecycle controller, scheduler; no DaemonSet), waits until every node is
// Ready and the first lease wave has passed, then samples CPU and RSS over a window.
// Usage: npx tsx bench/idle-nodes.ts [nodes=10000] [seconds=60]
import os from 'node:os';
import { startCluster } from '../src/cluster/cluster.js';
import { RawClient } from '../src/kube/client.js';

const nodes = Number(process.argv[2] ?? 10_000);
const seconds = Number(process.argv[3] ?? 60);
const cluster = await startCluster({ dataDir: null, port: 0, nodes, scheduler: true, controller: false });
const ac = new AbortController();
const running = cluster.run(ac.signal);
const api = new RawClient(cluster.kubeConfig());
const t0 = Date.now();
for (;;) {
  const list = await api.listAll<{ status?: { conditions?: { type: string; status: string }[] } }>('/api/v1/nodes');
  const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
  if (ready === nodes) break;
  await new Promise((r) => setTimeout(r, 2000));
}
const startupS = (Date.now() - t0) / 1000;
await new Promise((r) => setTimeout(r, 15_000)); // let the first heartbeat wave settle
const cpu0 = process.cpuUsage();
const w0 = Date.now();
let peakRss = 0;
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 1000);
await new Promise((r) => setTimeout(r, seconds * 1000));
clearInterval(sampler);
const cpu = process.cpuUsage(cpu0);
const wallMs = Date.now() - w0;
const pct = ((cpu.user + cpu.system) / 1000 / wallMs) * 100;
console.log(JSON.stringify({
  nodes, seconds, startupSeconds: startupS, cpuPercentOfOneCore: Number(pct.toFixed(1)),
  rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), peakRssMiB: Math.round(peakRss / 2 ** 20),
  machine: { cores: os.cpus().length, model: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version }, date: new Date().toISOString(),
}));
api.close();
ac.abort();
await running;
process.exit(0);
