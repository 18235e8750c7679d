// The embedded cluster in a child process, started as the tests start it (in memory, a free
// loopback port). A process of its own keeps the fuzzer's deadlines running when a request blocks
// the server's event loop, and lets the fuzzer report a crash (even a fatal out-of-memory abort)
// instead of dying with it.
import { startCluster } from '../../cluster/cluster.js';

export interface Started { url: string; token: string; caCertPem: string }

const cluster = await startCluster({ dataDir: null, port: 0, address: '127.0.0.1', controller: false, scheduler: false, nodes: 0, componentsInProcess: true });
const ac = new AbortController();
const running = cluster.run(ac.signal);
process.on('message', (m) => {
  if (m === 'stop') { ac.abort(); void running.then(() => process.exit(0)); }
});
process.on('disconnect', () => { ac.abort(); void running.then(() => process.exit(0)); });
process.send!({ url: cluster.url, token: cluster.token, caCertPem: cluster.caCertPem } satisfies Started);
