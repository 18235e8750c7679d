// The ReplicaSet controller's decisions: claiming, which pods go first, expectations, status.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Expectations, claimPods, planReplicaSet, podFromTemplate, podsToDelete, slowStartBatches, type KPod, type KReplicaSet } from './replicaset-core.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const at = (s: number) => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');
const rs = (replicas: number, extra: Partial<NonNullable<KReplicaSet['spec']>> = {}): KReplicaSet => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'd', uid: 'rs-uid', generation: 2 },
  spec: { replicas, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'x' } }, spec: { containers: [{ name: 'c', image: 'i' }] } }, ...extra },
});
interface PodOpts { node?: string; phase?: string; ready?: boolean; readyFor?: number; age?: number; owner?: string | null; labels?: Record<string, string>; deleting?: boolean; restarts?: number }
let n = 0;
function pod(o: PodOpts = {}): KPod {
  const name = `p${n++}`;
  return {
    metadata: {
      name, namespace: 'd', uid: `uid-${name}`, labels: o.labels ?? { app: 'web', tier: 'x' }, creationTimestamp: at(o.age ?? 100),
      ...(o.owner === null ? {} : { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: o.owner ?? 'rs-uid', controller: true }] }),
      ...(o.deleting ? { deletionTimestamp: at(1) } : {}),
    },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: at(o.readyFor ?? 50) }],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: true, restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('claimPods', () => {
  test('adopts matching orphans, releases non-matching own pods, leaves others\' pods alone', () => {
    const mine = pod({ node: 'a' }), orphan = pod({ owner: null }), stray = pod({ labels: { app: 'other' } });
    const foreign = pod({ owner: 'other-uid' }), deletingOrphan = pod({ owner: null, deleting: true });
    const c = claimPods(rs(3), [mine, orphan, stray, foreign, deletingOrphan]);
    assert.deepEqual(c.owned, [mine, orphan]);
    assert.deepEqual(c.adopt, [orphan]);
    assert.deepEqual(c.release, [stray]);
  });
});

describe('podsToDelete (ActivePodsWithRanks)', () => {
  test('unscheduled < scheduled, Pending < Running, not ready < ready, newer first', () => {
    const oldReady = pod({ node: 'a', age: 300 });
    const newReady = pod({ node: 'b', age: 10 });
    const notReady = pod({ node: 'c', ready: false });
    const pending = pod({ node: 'd', phase: 'Pending', ready: false });
    const unscheduled = pod({ phase: 'Pending', ready: false });
    const order = podsToDelete([oldReady, newReady, notReady, pending, unscheduled], 5);
    assert.deepEqual(order, [unscheduled, pending, notReady, newReady, oldReady]);
  });
  test('more pods on the same node, then ready for less time, then more restarts go first', () => {
    const crowdedA = pod({ node: 'a' }), crowdedB = pod({ node: 'a' }), alone = pod({ node: 'b' });
    assert.deepEqual(podsToDelete([alone, crowdedA, crowdedB], 1).map((p) => p.spec?.nodeName), ['a']);
    const longReady = pod({ node: 'x', readyFor: 500 }), shortReady = pod({ node: 'y', readyFor: 5 });
    assert.deepEqual(podsToDelete([longReady, shortReady], 1), [shortReady]);
    const calm = pod({ node: 'x' }), flappy = pod({ node: 'y', restarts: 4 });
    calm.status!.conditions![0]!.lastTransitionTime = flappy.status!.conditions![0]!.lastTransitionTime;
    assert.deepEqual(podsToDelete([calm, flappy], 1), [flappy]);
  });
});

describe('planReplicaSet', () => {
  test('creates what is missing, not while expectations are pending', () => {
    const ps = [pod({ node: 'a' }), pod({ node: 'b', deleting: true }), pod({ node: 'c', phase: 'Failed' })];
    assert.equal(planReplicaSet(rs(3), ps, NOW, true).create, 2);
    assert.equal(planReplicaSet(rs(3), ps, NOW, false).create, 0);
  });
  test('status: active pods, fully labelled, ready, available after minReadySeconds; recheck when one becomes available', () => {
    const ps = [pod({ node: 'a', readyFor: 100 }), pod({ node: 'b', readyFor: 5 }), pod({ node: 'c', ready: false }), pod({ node: 'd', labels: { app: 'web' } })];
    const plan = planReplicaSet(rs(4, { minReadySeconds: 30 }), ps, NOW, true);
    assert.deepEqual(plan.status, { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 2, observedGeneration: 2 });
    assert.equal(plan.recheckAtMs, NOW - 5000 + 30_000 + 1);
  });
  test('property: one sync brings the active count to spec.replicas, never both creating and deleting', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 20 }), fc.array(fc.record({ node: fc.constantFrom(undefined, 'a', 'b'), ready: fc.boolean(), owned: fc.boolean() }), { maxLength: 30 }), (replicas, specs) => {
      const ps = specs.map((s) => pod({ node: s.node, ready: s.ready, owner: s.owned ? 'rs-uid' : null }));
      const plan = planReplicaSet(rs(replicas), ps, NOW, true);
      assert.ok(plan.create === 0 || plan.delete.length === 0);
      assert.equal(ps.length + plan.create - plan.delete.length, replicas);
      assert.ok(plan.delete.every((p) => ps.includes(p)));
    }));
  });
});

describe('helpers', () => {
  test('podFromTemplate is named after and controlled by the ReplicaSet', () => {
    const p = podFromTemplate(rs(1));
    assert.equal(p.metadata?.generateName, 'web-');
    assert.deepEqual(p.metadata?.labels, { app: 'web', tier: 'x' });
    assert.deepEqual(p.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
  });
  test('slowStartBatches doubles and sums to n', () => {
    assert.deepEqual(slowStartBatches(10), [1, 2, 4, 3]);
    assert.deepEqual(slowStartBatches(0), []);
  });
  test('Expectations: pending until observed, lowered on failure, expire after the TTL', () => {
    const e = new Expectations();
    assert.ok(e.satisfied('k', 0));
    e.expect('k', 2, 0, 0);
    assert.ok(!e.satisfied('k', 1));
    e.lower('k', 1, 0);
    assert.ok(!e.satisfied('k', 1));
    e.lower('k', 1, 0);
    assert.ok(e.satisfied('k', 1));
    e.expect('k', 0, 1, 0);
    assert.ok(e.satisfied('k', Expectations.TTL_MS + 1));
  });
});
