// Spec §9.2 scenarios 35–43 (update_test.go, TestControlledHistories) plus budget rounding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { claimObjects } from './claim.js';
import { planHistory, newRevision, templateHash } from './history.js';
import { isPodReady, targetNodeName } from './pods.js';
import { rolloutBudget } from './rollout.js';
import { counts, FakeCluster, makeDs, makeNodes, setReady } from './testkit.js';

/** Runs syncs and returns [creates, deletes] per sync; `ready` marks all pods Ready after a sync. */
function rounds(c: FakeCluster, steps: { ready?: boolean }[]): number[][] {
  return steps.map((s) => {
    const [cr, de] = counts(c.sync());
    if (s.ready) c.markAllReady();
    return [cr, de];
  });
}

function rolledOut(nodes: number, opts: Parameters<typeof makeDs>[0], ready = true): FakeCluster {
  const c = new FakeCluster(makeDs(opts), makeNodes(0, nodes));
  assert.equal(c.sync().createPods.length, nodes);
  if (ready) c.markAllReady();
  return c;
}

test('35 rolling update waves: maxUnavailable 2, and maxSurge 2', () => {
  const c = rolledOut(5, { maxUnavailable: 2 });
  c.setImage('foo2/bar2');
  assert.deepEqual(rounds(c, [{}, { ready: true }, {}, { ready: true }, {}, { ready: true }, {}]),
    [[0, 2], [2, 0], [0, 2], [2, 0], [0, 1], [1, 0], [0, 0]]);

  const s = rolledOut(5, { maxSurge: 2 });
  s.setImage('foo2/bar2');
  assert.deepEqual(rounds(s, [{}, { ready: true }, {}, { ready: true }, {}, { ready: true }, {}, {}]),
    [[2, 0], [0, 0], [2, 2], [0, 0], [1, 2], [0, 0], [0, 1], [0, 0]]);
});

test('36 surge moves off a node the new template no longer tolerates, keeping availability', () => {
  const ds = makeDs({ maxSurge: 1 });
  ds.spec!.template.spec!.tolerations = [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }];
  const nodes = makeNodes(0, 5);
  nodes[0] = { ...nodes[0], spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } };
  const c = new FakeCluster(ds, nodes);
  assert.equal(c.sync().createPods.length, 5);
  c.markAllReady();
  c.changeTemplate((d) => { delete d.spec!.template.spec!.tolerations; });
  const first = c.sync();
  assert.deepEqual(counts(first).slice(0, 2), [1, 1]);
  assert.equal(first.createPods[0].nodeName, 'node-1');
  assert.ok(!c.pods.some((p) => p.spec?.nodeName === 'node-0'));
  assert.deepEqual(rounds(c, [{ ready: true }, {}, { ready: true }, {}, { ready: true }, {}, { ready: true }, {}, {}]),
    [[0, 0], [1, 1], [0, 0], [1, 1], [0, 0], [1, 1], [0, 0], [0, 1], [0, 0]]);
});

test('37 new pods never become ready: replace maxUnavailable then stop', () => {
  const c = rolledOut(5, { maxUnavailable: 3 });
  c.setImage('foo2/bar2');
  assert.deepEqual(rounds(c, [{}, {}, {}]), [[0, 3], [3, 0], [0, 0]]);
});

test('38 two template changes each replace maxUnavailable pods; the rest stay ready', () => {
  const c = rolledOut(5, { maxUnavailable: 2 });
  c.setImage('foo2/bar2');
  assert.deepEqual(rounds(c, [{}, {}, {}]), [[0, 2], [2, 0], [0, 0]]);
  c.setImage('foo2/bar3');
  assert.deepEqual(rounds(c, [{}, {}, {}]), [[0, 2], [2, 0], [0, 0]]);
  assert.equal(c.pods.filter(isPodReady).length, 3);
});

test('39 unavailable pods are replaced first; healthy old pods are saved', () => {
  const c = rolledOut(20, { maxUnavailable: 10 });
  c.setImage('foo2/bar2');
  assert.deepEqual(rounds(c, [{}, {}, {}]), [[0, 10], [10, 0], [0, 0]]);
  const oldReady = new Set(c.pods.filter(isPodReady).map((p) => p.metadata!.name));
  assert.equal(oldReady.size, 10);
  for (let i = 0; i < 10; i++) {
    c.changeTemplate((d) => {
      d.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: i % 10, maxSurge: 0 } };
      d.spec!.template.spec!.containers[0].image = `foo2/bar3-${i}`;
    });
    assert.deepEqual(rounds(c, [{}, {}, {}]), [[0, 10], [10, 0], [0, 0]], `iteration ${i}`);
    for (const name of oldReady) assert.ok(c.pods.some((p) => p.metadata!.name === name && isPodReady(p)));
  }
  c.changeTemplate((d) => {
    d.spec!.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 11, maxSurge: 0 } };
    d.spec!.template.spec!.containers[0].image = 'foo2/bar4';
  });
  assert.deepEqual(rounds(c, [{}, {}, {}]), [[0, 11], [11, 0], [0, 0]]);
  assert.equal(c.pods.filter(isPodReady).length, 9);
});

test('40 only the old unavailable pods go when new pods are unavailable too', () => {
  const c = rolledOut(100, { maxUnavailable: 10 });
  const hash1 = c.pods[0].metadata!.labels!['controller-revision-hash'];
  c.setImage('foo2/bar2');
  for (let i = 0; i < 10; i++) assert.deepEqual(rounds(c, [{}, { ready: true }]), [[0, 10], [10, 0]]);
  assert.deepEqual(rounds(c, [{}]), [[0, 0]]);
  const oldUnavailable: string[] = [];
  c.pods.forEach((p, i) => {
    if (i >= 10) setReady(p, false, c.nowMs);
    if (i < 12) {
      p.metadata!.labels = { ...p.metadata!.labels, 'controller-revision-hash': hash1, 'pod-template-generation': '1' };
      if (i >= 10) oldUnavailable.push(p.metadata!.name!);
    }
  });
  const first = c.sync();
  assert.deepEqual(first.deletePods.map((d) => d.name).sort(), oldUnavailable.sort());
  assert.deepEqual(rounds(c, [{}, {}]), [[2, 0], [0, 0]]);
});

test('41 all old pods unready: replaced at once, with and without surge', () => {
  const c = rolledOut(5, { maxUnavailable: 3 }, false);
  c.setImage('foo2/bar2');
  assert.deepEqual(rounds(c, [{}, {}, {}]), [[0, 5], [5, 0], [0, 0]]);

  const s = rolledOut(5, { maxSurge: 3 }, false);
  s.setImage('foo2/bar2');
  assert.deepEqual(rounds(s, [{}, {}, {}]), [[5, 0], [0, 5], [0, 0]]);

  // Surge with minReadySeconds: an old pod turning unready gets a replacement beyond the budget.
  const m = rolledOut(5, { maxSurge: 3 });
  m.nowMs += 60_000; // old pods have been Ready long enough to count as available
  m.changeTemplate((d) => { d.spec!.minReadySeconds = 15; d.spec!.template.spec!.containers[0].image = 'foo2/bar3'; });
  assert.deepEqual(counts(m.sync()).slice(0, 2), [3, 0]);
  const lonely = m.pods.filter((p) => m.pods.filter((q) => targetNodeName(q) === targetNodeName(p)).length === 1);
  assert.equal(lonely.length, 2);
  setReady(lonely[0], false, m.nowMs);
  assert.deepEqual(counts(m.sync()).slice(0, 2), [1, 0]);
  m.markAllReady(m.nowMs);
  const waiting = m.sync();
  assert.deepEqual(counts(waiting).slice(0, 2), [0, 0]); // Ready but not yet available
  assert.equal(waiting.requeueAfterMs, 15_001);
  m.nowMs += 16_000;
  const later = m.sync();
  assert.deepEqual(counts(later).slice(0, 2), [1, 4]);
});

test('42 OnDelete → RollingUpdate without a template change does nothing', () => {
  const c = rolledOut(5, { strategy: 'OnDelete' });
  c.setStrategy({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.deepEqual(counts(c.sync()), [0, 0, 0]);
  assert.deepEqual(counts(c.sync()), [0, 0, 0]);
});

test('43 revision claiming: same-namespace orphans adopted, other namespaces ignored', () => {
  const ds = makeDs();
  const rev = newRevision(ds, templateHash(ds), 1);
  const orphan = { ...rev, metadata: { ...rev.metadata, name: 'orphan', ownerReferences: [] } };
  const elsewhere = { ...orphan, metadata: { ...orphan.metadata, name: 'elsewhere', namespace: 'other' } };
  const claim = claimObjects(ds, [orphan, elsewhere]);
  assert.deepEqual(claim.adopt.map((r) => r.metadata!.name), ['orphan']);
  assert.equal(planHistory(ds, claim.owned).create, undefined); // the adopted one is current
});

test('budgets round percentages up; both zero falls back to maxUnavailable 1', () => {
  const b = (mu: number | string, ms: number | string, n: number) => rolloutBudget(makeDs({ maxUnavailable: mu, maxSurge: ms }), n);
  assert.equal(b('50%', 0, 2).maxUnavailable, 1);
  assert.equal(b('50%', 0, 3).maxUnavailable, 2);
  assert.equal(b(0, '50%', 2).maxSurge, 1);
  assert.equal(b(0, '100%', 2).maxSurge, 2);
  assert.equal(b(0, 0, 5).maxUnavailable, 1);
  assert.equal(b(0, 0, 0).maxUnavailable, 0);
  assert.equal(rolloutBudget(makeDs({ strategy: 'OnDelete' }), 5).maxSurge, 0);
});
