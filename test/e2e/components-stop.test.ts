// Every controller stops when told to, even before its caches could sync: against an API server
// that accepts connections and never answers, start() resolves soon after its signal aborts.
// (An informer's first list used to ignore the stop, holding each of them for the request timeout.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { Socket, AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ensurePki } from '../../src/apiserver/pki.js';
import { kubeconfigYaml } from '../../src/cluster/kubeconfig.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { NodeLifecycleController } from '../../src/kcm/nodelifecycle.js';
import { NamespaceController } from '../../src/kcm/namespace.js';
import { NodeIpamController } from '../../src/kcm/ipam/controller.js';
import { DaemonSetController } from '../../src/controller/controller.js';
import type { Runnable } from '../../src/kube/manager.js';

let server: https.Server;
let kc: KubeConfig;
const sockets = new Set<Socket>();

before(async () => {
  const pki = await ensurePki(null);
  server = https.createServer({ cert: pki.certPem, key: pki.keyPem }, () => { /* never answers */ });
  server.on('secureConnection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  kc = new KubeConfig();
  kc.loadFromString(kubeconfigYaml({ server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, caCertPem: pki.caCertPem, token: pki.token }));
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

test('each controller stops before its caches have synced', { timeout: 30_000 }, async () => {
  const parts: Runnable[] = [
    new Scheduler(kc),
    new NodeLifecycleController(kc),
    new NamespaceController(kc),
    new NodeIpamController(kc, { clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 24 }),
    new DaemonSetController(kc),
  ];
  for (const p of parts) {
    const stop = new AbortController();
    const running = p.start(stop.signal).then(() => 'stopped');
    await new Promise((r) => setTimeout(r, 100));
    stop.abort();
    // A bound on the wait, not a timing assertion: a part that never stops fails here.
    const outcome = await Promise.race([running, new Promise((r) => setTimeout(() => r('still running'), 5_000))]);
    assert.equal(outcome, 'stopped', p.name);
  }
});
