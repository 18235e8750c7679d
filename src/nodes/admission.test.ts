import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../api/types.js';
import { admitPod, qosClass, podsToPreempt } from './admission.js';

const node: Node = {
  metadata: { name: 'n1', labels: { zone: 'a' } },
  spec: { taints: [{ key: 'evict-me', effect: 'NoExecute' }, { key: 'soft', effect: 'NoSchedule' }] },
  status: { allocatable: { cpu: '2', memory: '4Gi', pods: '3' } },
};
const tolerateAll = [{ key: 'evict-me', operator: 'Exists' }];
let n = 0;
const pod = (req: Record<string, string> = {}, extra: { priority?: number; limits?: Record<string, string>; hostPort?: number } = {}): Pod => ({
  metadata: { name: `p${++n}`, uid: `u${n}`, namespace: 'default' },
  spec: {
    nodeName: 'n1', priority: extra.priority ?? 0, tolerations: tolerateAll,
    containers: [{ name: 'c', resources: { requests: req, limits: extra.limits }, ports: extra.hostPort ? [{ containerPort: 1, hostPort: extra.hostPort }] : undefined }],
  },
  status: { phase: 'Running' },
});

test('admits what fits; NoSchedule taints are the scheduler\'s concern', () => {
  assert.deepEqual(admitPod(node, [pod({ cpu: '1' })], pod({ cpu: '1' })), { admitted: true });
});

test('rejects with kubelet reasons and messages', () => {
  assert.deepEqual(admitPod(node, [pod({ cpu: '1500m' })], pod({ cpu: '1' })),
    { admitted: false, reason: 'OutOfcpu', message: "Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000" });
  assert.equal((admitPod(node, [], pod({ memory: '5Gi' })) as { reason: string }).reason, 'OutOfmemory');
  assert.equal((admitPod(node, [pod(), pod(), pod()], pod()) as { reason: string }).reason, 'OutOfpods');
  assert.equal((admitPod(node, [], pod({ 'ephemeral-storage': '1Gi' })) as { reason: string }).reason, 'OutOfephemeral-storage');
  assert.deepEqual(admitPod(node, [pod({}, { hostPort: 80 })], pod({}, { hostPort: 80 })),
    { admitted: false, reason: 'NodePorts', message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports" });
  const wrongZone = { ...pod(), spec: { ...pod().spec!, nodeSelector: { zone: 'b' } } };
  assert.equal((admitPod(node, [], wrongZone) as { reason: string }).reason, 'NodeAffinity');
  const intolerant = { ...pod(), spec: { ...pod().spec!, tolerations: [] } };
  assert.equal((admitPod(node, [], intolerant) as { reason: string }).reason, 'TaintToleration');
});

test('terminal pods and the pod itself do not count', () => {
  const done = { ...pod({ cpu: '2' }), status: { phase: 'Failed' } };
  const self = pod({ cpu: '2' });
  assert.deepEqual(admitPod(node, [done, self], self), { admitted: true });
});

test('critical pods evict the minimal set of lower-priority pods', () => {
  const be = pod(); // best effort: frees a pod slot but no cpu
  const small = pod({ cpu: '500m' });
  const big = pod({ cpu: '1' });
  const critical = pod({ cpu: '1' }, { priority: 2_000_000_000 });
  // used 1500m of 2: need 500m more; the 500m pod matches exactly (distance 0), better than the 1-cpu pod
  const r = admitPod(node, [be, small, big], critical);
  assert.deepEqual(r, { admitted: true, evict: [small] });
  // pods count: a best-effort pod is evicted before burstable ones
  const full = admitPod(node, [be, pod({ cpu: '100m' }), pod({ cpu: '100m' })], pod({ cpu: '100m' }, { priority: 2_000_000_001 }));
  assert.deepEqual(full, { admitted: true, evict: [be] });
  // other critical pods are not preemptable by equal priority
  const other = pod({ cpu: '2' }, { priority: 2_000_000_000 });
  assert.equal((admitPod(node, [other], critical) as { reason: string }).reason, 'OutOfcpu');
  // non-resource failures are never fixed by eviction
  assert.equal((admitPod(node, [pod({}, { hostPort: 9 })], pod({}, { priority: 2e9, hostPort: 9 })) as { reason: string }).reason, 'NodePorts');
  // non-critical pods never evict
  assert.equal((admitPod(node, [pod({ cpu: '2' })], pod({ cpu: '1' }, { priority: 1_000_000 })) as { reason: string }).reason, 'OutOfcpu');
});

test('getPodsToPreempt ordering: guaranteed only when the rest cannot cover it', () => {
  const crit = pod({}, { priority: 2e9 });
  const g = pod({ cpu: '1', memory: '1Gi' }, { limits: { cpu: '1', memory: '1Gi' } });
  const b = pod({ cpu: '500m' });
  assert.equal(qosClass(g), 'Guaranteed');
  assert.equal(qosClass(b), 'Burstable');
  assert.equal(qosClass(pod()), 'BestEffort');
  assert.deepEqual(podsToPreempt(crit, [g, b], [{ resource: 'cpu', amount: 500n }]), [b]);
  assert.deepEqual(podsToPreempt(crit, [g, b], [{ resource: 'cpu', amount: 1200n }]), [b, g]);
  assert.equal(podsToPreempt(crit, [g, b], [{ resource: 'cpu', amount: 1600n }]), undefined);
  // among equals, the smaller memory request goes first
  const m1 = pod({ cpu: '1', memory: '2Gi' }), m2 = pod({ cpu: '1', memory: '1Gi' });
  assert.deepEqual(podsToPreempt(crit, [m1, m2], [{ resource: 'cpu', amount: 1000n }]), [m2]);
});
