// The LeaderElector against the embedded API server's Leases over HTTPS, with short timings.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { LeaderElector } from '../../src/kube/leaderelection.js';
import type { ElectionTimings } from '../../src/kube/leaderelection-core.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const timings: ElectionTimings = { leaseDurationMs: 1500, renewDeadlineMs: 1000, retryPeriodMs: 200 };
let c: TestCluster;
let api: RawClient;
let n = 0;
before(async () => { c = await startTestCluster(); api = new RawClient(c.kubeConfig()); });
after(async () => { api.close(); await c.stop(); });

function elector(name: string, identity: string, onLeading?: (l: boolean) => void) {
  return new LeaderElector(api, { namespace: 'kube-system', name, identity, timings, onLeading });
}
const getLease = (name: string) => api.request<Lease>('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`);

test('one candidate holds the lease; it renews; releasing hands it to the other at once', { timeout: 30_000 }, async () => {
  const name = `el-${++n}`;
  const changes: boolean[] = [];
  const a = elector(name, 'a_1', (l) => changes.push(l));
  const b = elector(name, 'b_2');
  const stopA = new AbortController();
  const stopB = new AbortController();
  assert.equal(await a.acquire(stopA.signal), true);
  const first = await getLease(name);
  assert.equal(first.spec?.holderIdentity, 'a_1');
  assert.equal(first.spec?.leaseTransitions, 0);
  assert.equal(first.spec?.leaseDurationSeconds, 2);
  const bAcquired = b.acquire(stopB.signal);
  const renewing = a.renew(stopA.signal);
  // A keeps renewing: renewTime moves, acquireTime and transitions stay, B stays out.
  const renewed = await eventually(async () => { const l = await getLease(name); return l.spec?.renewTime !== first.spec?.renewTime && l; }, 5_000, 'a renewal');
  assert.equal(renewed.spec?.acquireTime, first.spec?.acquireTime);
  assert.equal(renewed.spec?.holderIdentity, 'a_1');
  assert.equal(b.isLeading(), false);

  stopA.abort();
  assert.equal(await renewing, 'stopped');
  await a.release();
  assert.equal((await getLease(name)).spec?.holderIdentity, '', 'released at once');
  assert.equal(await bAcquired, true);
  const taken = await getLease(name);
  assert.equal(taken.spec?.holderIdentity, 'b_2');
  assert.equal(taken.spec?.leaseTransitions, 1);
  assert.deepEqual(changes, [true, false]);
  stopB.abort();
});

test('a leader that stops renewing without releasing is replaced only after the lease expires', { timeout: 30_000 }, async () => {
  const name = `el-${++n}`;
  const a = elector(name, 'a_1');
  assert.equal(await a.acquire(new AbortController().signal), true);
  // A "crashes": it never renews and never releases.
  const b = elector(name, 'b_2');
  const stopB = new AbortController();
  const startedWaiting = Date.now();
  assert.equal(await b.acquire(stopB.signal), true);
  // B must have waited at least one lease duration from its first observation of A's record.
  assert.ok(Date.now() - startedWaiting >= timings.leaseDurationMs, 'took over before the lease expired');
  assert.equal((await getLease(name)).spec?.holderIdentity, 'b_2');
  stopB.abort();
});

test('a leader whose lease is taken from it loses leadership after the renew deadline', { timeout: 30_000 }, async () => {
  const name = `el-${++n}`;
  const changes: boolean[] = [];
  const a = elector(name, 'a_1', (l) => changes.push(l));
  const stop = new AbortController();
  assert.equal(await a.acquire(stop.signal), true);
  const l = await getLease(name);
  await api.request('PUT', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`, { ...l, spec: { ...l.spec, holderIdentity: 'usurper', leaseDurationSeconds: 60 } });
  assert.equal(await a.renew(stop.signal), 'lost');
  assert.deepEqual(changes, [true, false]);
  // Not ours any more: release must not clear the usurper's holder.
  await a.release();
  assert.equal((await getLease(name)).spec?.holderIdentity, 'usurper');
});
