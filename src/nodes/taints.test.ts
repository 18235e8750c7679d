import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease, Node, NodeCondition, Pod, Taint } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import { lifecycleDecision, podsToEvict, desiredManagedTaints } from './taints.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const cond = (type: string, status: string, heartbeatMs = T0): NodeCondition =>
  ({ type, status, lastHeartbeatTime: rfc3339(heartbeatMs), lastTransitionTime: rfc3339(T0 - 3_600_000) });
const healthy = [cond('Ready', 'True'), cond('MemoryPressure', 'False'), cond('DiskPressure', 'False'), cond('PIDPressure', 'False')];
const mkNode = (conditions: NodeCondition[], extra: { taints?: Taint[]; unschedulable?: boolean } = {}): Node =>
  ({ metadata: { name: 'n', creationTimestamp: rfc3339(T0 - 3_600_000) }, spec: extra, status: { conditions } });
const lease = (renewMs: number): Lease => ({ spec: { holderIdentity: 'n', renewTime: new Date(renewMs).toISOString().replace('Z', '000Z') as never } });

test('a fresh lease keeps the node as it is', () => {
  const d = lifecycleDecision(mkNode(healthy), lease(T0 + 30_000), T0 + 39_000);
  assert.equal(d.conditions, undefined);
  assert.deepEqual(d.taints, []);
  assert.equal(d.taintsChanged, false);
});

test('lease older than the grace period → Unknown + unreachable taints', () => {
  const now = T0 + 41_000;
  const d = lifecycleDecision(mkNode(healthy, { taints: [{ key: 'mine', effect: 'NoSchedule' }] }), lease(T0), now);
  const ready = d.conditions!.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.equal(ready.lastTransitionTime, rfc3339(now));
  assert.equal(ready.lastHeartbeatTime, rfc3339(T0), 'heartbeat time untouched');
  assert.ok(d.conditions!.filter((c) => c.type !== 'Ready').every((c) => c.status === 'Unknown'));
  assert.deepEqual(d.taints, [
    { key: 'mine', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: rfc3339(now) },
    { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
  ]);
  assert.equal(d.taintsChanged, true);
  // custom grace
  assert.equal(lifecycleDecision(mkNode(healthy), lease(T0), T0 + 41_000, 60_000).conditions, undefined);
});

test('a node that never reported gets NodeStatusNeverUpdated', () => {
  const d = lifecycleDecision(mkNode([]), undefined, T0 + 60_000);
  assert.ok(d.conditions!.every((c) => c.reason === 'NodeStatusNeverUpdated' && c.status === 'Unknown'));
  assert.equal(d.conditions!.length, 4);
});

test('conditions and spec.unschedulable map to taints with the right effects', () => {
  const c = [cond('Ready', 'False'), cond('MemoryPressure', 'True'), cond('DiskPressure', 'True'), cond('PIDPressure', 'True'), cond('NetworkUnavailable', 'True')];
  assert.deepEqual(desiredManagedTaints(mkNode(c, { unschedulable: true }), c), [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
  ]);
});

test('recovery removes managed taints and keeps timeAdded of those still wanted', () => {
  const old = rfc3339(T0 - 5000);
  const taints: Taint[] = [
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: old },
    { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
    { key: 'other', effect: 'NoExecute' },
  ];
  const stillNotReady = lifecycleDecision(mkNode([cond('Ready', 'False')], { taints }), lease(T0), T0 + 1000);
  assert.deepEqual(stillNotReady.taints, [taints[0], taints[2], { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
  const recovered = lifecycleDecision(mkNode(healthy, { taints }), lease(T0), T0 + 1000);
  assert.deepEqual(recovered.taints, [taints[2]]);
  assert.equal(recovered.taintsChanged, true);
});

const pod = (name: string, tolerations: Pod['spec'] extends infer S ? S extends { tolerations?: infer T } ? T : never : never, phase = 'Running'): Pod =>
  ({ metadata: { name }, spec: { containers: [], tolerations }, status: { phase } });

test('taint manager honours tolerationSeconds from timeAdded', () => {
  const added = T0;
  const node = mkNode(healthy, { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: rfc3339(added) }, { key: 'x', effect: 'NoSchedule' }] });
  const none = pod('none', []);
  const timed = pod('timed', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]);
  const forever = pod('forever', [{ operator: 'Exists' }]);
  const zero = pod('zero', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: -5 }]);
  const done = pod('done', [], 'Succeeded');
  const r = podsToEvict(node, [none, timed, forever, zero, done], T0 + 10_000);
  assert.deepEqual(r.map((e) => [e.pod.metadata!.name, e.atMs]), [['none', T0 + 10_000], ['timed', added + 300_000], ['zero', added]]);
  assert.deepEqual(podsToEvict(mkNode(healthy, { taints: [{ key: 'x', effect: 'NoSchedule' }] }), [none], T0), []);
});
