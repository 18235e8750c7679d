// /readyz of the controller's probe server over loopback: 500 naming the unsynced caches until
// the controller's informers have listed, then 200; a standby is ready; /healthz is ok throughout.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonSetController } from '../../src/controller/controller.js';
import { probeChecks } from '../../src/cli/commands/controller.js';
import { probeRoutes, serve } from '../../src/kube/probes.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => { c = await startTestCluster(); });
after(async () => { await c.stop(); });

test('/readyz fails until the caches have synced, then passes', { timeout: 60_000 }, async () => {
  const controller = new DaemonSetController(c.kubeConfig(), {});
  const { healthz, readyz } = probeChecks(controller, undefined);
  const s = await serve({ host: '127.0.0.1', port: 0 }, probeRoutes(healthz, readyz));
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  try {
    const before = await fetch(`${s.url}/readyz`);
    assert.equal(before.status, 500);
    assert.match(await before.text(), /\[-\]informers failed: caches not synced: daemonSets, pods, nodes, revisions\nreadyz check failed/);
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    running = controller.start(stop.signal);
    await eventually(async () => (await fetch(`${s.url}/readyz`)).status === 200, 30_000, '/readyz 200 after sync');
    assert.ok(Object.values(controller.caches).every((i) => i.hasSynced()));
  } finally {
    stop.abort();
    await running;
    await s.close();
  }
});

test('a standby (not leading) is ready; a leader that stopped renewing fails /healthz', () => {
  const controller = new DaemonSetController(c.kubeConfig(), {});
  let leading = false;
  const elector = { isLeading: () => leading, lastRenewMs: () => Date.now() - 60_000 };
  const { healthz, readyz } = probeChecks(controller, elector, { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
  assert.equal(readyz.evaluate('readyz', false).status, 200);
  assert.equal(healthz.evaluate('healthz', false).status, 200);
  leading = true;
  assert.equal(readyz.evaluate('readyz', false).status, 500, 'leading with unsynced caches');
  assert.match(healthz.evaluate('healthz', false).body, /\[-\]leaderElection failed: failed to renew leadership/);
  controller.client.close();
});
