import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../api/types.js';
import { ClusterConfigSchema } from './cluster-config.js';
import { isSimulated, newLease, placementResolver, plannedNode, registrationPatches, renewedLease, sameConditions } from './registration.js';
import { plannedNodes } from './cluster-config.js';

const config = ClusterConfigSchema.parse({ pools: [{ name: 'gpu', count: 2, capacity: { cpu: '8' } }, { name: 'web', count: 1 }] });
const node = (name: string, annotations: Record<string, string> = {}, status?: Node['status']): Node => ({ metadata: { name, uid: `uid-${name}`, annotations }, ...(status ? { status } : {}) });

test('planned nodes get their pool and ordinal; others their annotated pool or the default', () => {
  const place = placementResolver(config);
  assert.deepEqual([place(node('gpu-1')).pool.name, place(node('gpu-1')).ordinal], ['gpu', 1]);
  assert.deepEqual([place(node('web-0')).pool.name, place(node('web-0')).ordinal], ['web', 2]);
  assert.equal(place(node('byhand', { 'everynode.dev/pool': 'gpu' })).pool.name, 'gpu');
  const other = place(node('byhand'));
  assert.equal(other.pool.name, 'node');
  assert.ok(other.ordinal >= 3);
  assert.equal(place(node('byhand')).ordinal, other.ordinal, 'stable');
});

test('registration fills what a bare Node lacks and nothing else', () => {
  const place = placementResolver(config)(node('byhand', { 'everynode.dev/pool': 'gpu' }));
  const bare = registrationPatches({ metadata: { name: 'byhand', labels: { 'kubernetes.io/os': 'plan9' } } }, place, 0);
  assert.equal(bare.labels?.['kubernetes.io/hostname'], 'byhand');
  assert.equal(bare.labels?.['kubernetes.io/os'], undefined, 'existing label kept');
  assert.deepEqual((bare.status?.capacity as Record<string, string>).cpu, '8');
  assert.ok((bare.status?.nodeInfo as { kubeletVersion: string }).kubeletVersion);
  const registered = { metadata: { name: 'byhand', labels: { ...bare.labels, 'kubernetes.io/os': 'plan9' } }, status: bare.status } as Node;
  assert.deepEqual(registrationPatches(registered, place, 0), {});
  const userCapacity = registrationPatches({ metadata: { name: 'x' }, status: { capacity: { cpu: '64' } } }, place, 0);
  assert.equal(userCapacity.status?.capacity, undefined);
  assert.deepEqual(userCapacity.status?.allocatable, { cpu: '64' });
});

test('planned nodes carry no pod CIDR (node IPAM assigns it) and an InternalIP from nodeAddressCIDR in plan order', () => {
  const small = ClusterConfigSchema.parse({ nodeAddressCIDR: '192.168.7.0/29', pools: [{ name: 'a', count: 2 }, { name: 'b', count: 4 }] });
  const plan = plannedNodes(small);
  assert.deepEqual(plan.map((p) => p.address), ['192.168.7.1', '192.168.7.2', '192.168.7.3', '192.168.7.4', '192.168.7.5', '192.168.7.6']);
  const n = plannedNode(plan[5].pool, plan[5].name, plan[5].ordinal, 0, plan[5].address);
  assert.equal(n.metadata?.name, 'b-3');
  assert.equal(n.spec?.podCIDR, undefined);
  assert.equal(n.spec?.podCIDRs, undefined);
  assert.equal(n.spec?.providerID, 'everynode://b-3');
  assert.deepEqual(n.status?.addresses, [{ type: 'InternalIP', address: '192.168.7.6' }, { type: 'Hostname', address: 'b-3' }]);
  // The default range gives the addresses nodes had before it was configurable.
  assert.equal(plannedNodes(config)[2].address, '172.16.0.3');
  // A Node created by hand gets a hashed address inside the range, the same each time.
  const place = placementResolver(small);
  const byHand = place(node('byhand'));
  assert.match(byHand.address, /^192\.168\.7\.[1-6]$/);
  assert.equal(registrationPatches(node('byhand'), byHand, 0).status?.addresses instanceof Array, true);
  assert.deepEqual((registrationPatches(node('byhand'), byHand, 0).status?.addresses as unknown[])[0], { type: 'InternalIP', address: byHand.address });
});

test('opt-out annotation', () => {
  assert.equal(isSimulated(node('a')), true);
  assert.equal(isSimulated(node('a', { 'everynode.dev/simulate': 'false' })), false);
});

test('conditions compare without heartbeat or transition times', () => {
  const a = [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '1' }];
  assert.equal(sameConditions(a, [{ ...a[0], lastHeartbeatTime: '2', lastTransitionTime: '3' }]), true);
  assert.equal(sameConditions(a, [{ ...a[0], status: 'False' }]), false);
  assert.equal(sameConditions(a, []), false);
});

test('leases are owned by their node and renewed with microsecond times', () => {
  const l = newLease(node('n1'), Date.UTC(2025, 0, 1));
  assert.deepEqual(l.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'uid-n1' }]);
  assert.equal(l.metadata?.namespace, 'kube-node-lease');
  assert.equal(l.spec?.renewTime, '2025-01-01T00:00:00.000000Z');
  assert.equal(renewedLease(l, Date.UTC(2025, 0, 1, 0, 0, 10, 5)).spec?.renewTime, '2025-01-01T00:00:10.005000Z');
});
