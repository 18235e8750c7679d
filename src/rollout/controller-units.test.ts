// The controller shell's pure parts: which rollouts a change concerns, and the expectations
// that keep a sync from planning on a cache that has not seen the last sync's writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject, Node, Pod } from '../api/types.js';
import { PendingWrites, EXPECTATION_TTL_MS } from './controller-expectations.js';
import { nodeChangeMatters, rolloutKeysForPod } from './controller-triggers.js';

const daemonPod = (ns: string, extra: Partial<Pod['metadata']> = {}): Pod & KObject => ({
  metadata: { name: 'p', namespace: ns, uid: 'u1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'd', controller: true }], ...extra },
});

test('a daemon pod concerns its namespace\'s rollouts; other pods none', () => {
  const inNs = (ns: string | undefined) => (ns === 'a' ? ['a/r1', 'a/r2'] : []);
  assert.deepEqual(rolloutKeysForPod(undefined, daemonPod('a'), inNs), ['a/r1', 'a/r2']);
  assert.deepEqual(rolloutKeysForPod(undefined, { metadata: { name: 'x', namespace: 'a' } }, inNs), []);
  assert.deepEqual(rolloutKeysForPod(daemonPod('a'), daemonPod('a'), inNs), ['a/r1', 'a/r2'], 'no duplicates');
});

test('node heartbeats do not matter; labels, taints, condition statuses and quarantine do', () => {
  const n = (o: Partial<Node> = {}, heartbeat = '1'): Node => ({ metadata: { name: 'n', labels: { z: 'a' } }, spec: {}, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat } as never] }, ...o });
  assert.equal(nodeChangeMatters(n(), n({}, '2')), false);
  assert.equal(nodeChangeMatters(n(), n({ metadata: { name: 'n', labels: { z: 'b' } } })), true);
  assert.equal(nodeChangeMatters(n(), n({ spec: { unschedulable: true } })), true);
  assert.equal(nodeChangeMatters(n(), n({ status: { conditions: [{ type: 'Ready', status: 'False' }] } })), true);
  assert.equal(nodeChangeMatters(n(), n({ metadata: { name: 'n', labels: { z: 'a' }, annotations: { 'everynode.dev/quarantined': 'x/y' } } })), true);
});

test('a deletion is pending until the cache shows the pod terminating, gone or replaced', () => {
  let now = 0;
  const w = new PendingWrites(() => now);
  w.expectDeletion('ns/r', 'ns/p', 'u1');
  const cache = new Map<string, Pod & KObject>([['ns/p', daemonPod('ns')]]);
  assert.equal(w.unobserved('ns/r', (k) => cache.get(k)), 1);
  cache.set('ns/p', daemonPod('ns', { deletionTimestamp: '2026-01-01T00:00:00Z' }));
  assert.equal(w.unobserved('ns/r', (k) => cache.get(k)), 0);
  w.expectDeletion('ns/r', 'ns/p', 'u1');
  cache.set('ns/p', daemonPod('ns', { uid: 'u2' }));
  assert.equal(w.unobserved('ns/r', (k) => cache.get(k)), 0, 'a new pod under the same name');
  w.expectDeletion('ns/r', 'ns/p', 'u2');
  assert.equal(w.unobserved('ns/r', () => undefined), 0, 'gone');
});

test('a patch is pending until the new revision label shows; expectations expire', () => {
  let now = 0;
  const w = new PendingWrites(() => now);
  w.expectHash('ns/r', 'ns/p', 'u1', 'h2');
  const p = daemonPod('ns', { labels: { 'controller-revision-hash': 'h1' } });
  assert.equal(w.unobserved('ns/r', () => p), 1);
  assert.equal(w.unobserved('ns/r', () => daemonPod('ns', { labels: { 'controller-revision-hash': 'h2' } })), 0);
  w.expectHash('ns/r', 'ns/p', 'u1', 'h2');
  now = EXPECTATION_TTL_MS;
  assert.equal(w.unobserved('ns/r', () => p), 0, 'a lost event does not block the rollout for ever');
  w.expectHash('ns/r', 'ns/p', 'u1', 'h2');
  w.forget('ns/r');
  assert.equal(w.unobserved('ns/r', () => p), 0);
});
