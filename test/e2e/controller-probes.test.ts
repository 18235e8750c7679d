// /readyz of the controller's probe server over loopback, fed by the manager: 500 naming the
// unsynced caches until the controller's informers have listed, then 200, whether leading or
// not; /healthz is ok throughout, and fails for a leader that stopped renewing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DaemonSetController } from '../../src/controller/controller.js';
import { Manager } from '../../src/kube/manager.js';
import { probeChecks } from '../../src/operator/run.js';
import { probeRoutes, serve } from '../../src/kube/probes.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => { c = await startTestCluster(); });
after(async () => { await c.stop(); });

test('/readyz fails until the caches have synced, then passes', { timeout: 60_000 }, async () => {
  const controller = new DaemonSetController(c.kubeConfig(), {});
  const manager = new Manager();
  for (const inf of controller.runnables().caches) manager.add('caches', inf);
  const { healthz, readyz } = probeChecks(manager.cachesSynced, undefined);
  const s = await serve({ host: '127.0.0.1', port: 0 }, probeRoutes(healthz, readyz));
  const stop = new AbortController();
  let running: Promise<unknown> | undefined;
  try {
    const before = await fetch(`${s.url}/readyz`);
    assert.equal(before.status, 500);
    assert.match(await before.text(), /\[-\]informers failed: caches not synced: informer \/apis\/apps\/v1\/daemonsets, informer \/api\/v1\/pods, informer \/api\/v1\/nodes, informer \/apis\/apps\/v1\/controllerrevisions\nreadyz check failed/);
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    running = manager.start(stop.signal);
    await eventually(async () => (await fetch(`${s.url}/readyz`)).status === 200, 30_000, '/readyz 200 after sync');
    assert.ok(Object.values(controller.caches).every((i) => i.hasSynced()));
  } finally {
    stop.abort();
    await running;
    controller.close();
    await s.close();
  }
});

test('readiness does not depend on leading; a leader that stopped renewing fails /healthz', () => {
  let leading = false;
  let synced: string | undefined = 'caches not synced: x';
  const elector = { isLeading: () => leading, lastRenewMs: () => Date.now() - 60_000 };
  const { healthz, readyz } = probeChecks(() => synced, elector, { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });
  assert.equal(readyz.evaluate('readyz', false).status, 500);
  synced = undefined;
  assert.equal(readyz.evaluate('readyz', false).status, 200, 'a standby with synced caches is ready');
  assert.equal(healthz.evaluate('healthz', false).status, 200);
  leading = true;
  assert.equal(readyz.evaluate('readyz', false).status, 200);
  assert.match(healthz.evaluate('healthz', false).body, /\[-\]leaderElection failed: failed to renew leadership/);
});
