import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339 } from '../../api/meta.js';
import { daemonSet, node, pod, rollout, T0 } from '../core/testkit.js';
import type { DaemonSetRollout } from '../api/types.js';
import { blockerGroups, cellsFromCounts, snapshotOf } from './snapshot.js';

const ds = daemonSet('agent');
const zone = (z: string) => ({ labels: { zone: z } });
const spec = { waves: [{ name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } }, bakeSeconds: 30 }, { name: 'zone', splitBy: 'zone' }] };

test('each node\'s cell is its state as the rollout core observes it, grouped by wave', () => {
  const nodes = [
    node('c-0', { labels: { canary: 'true', zone: 'a' } }),
    node('a-0', zone('a')), node('a-1', zone('a')), node('a-2', zone('a')), node('a-3', zone('a')),
    node('b-0', { labels: { zone: 'b' }, notReadySinceMs: T0 - 60_000 }), node('b-1', zone('b')),
  ];
  const pods = [
    pod(ds, 'c-0', { isNew: true }),
    pod(ds, 'a-0', { isNew: true, ready: false, createdMs: T0 - 1000 }),      // updating: new, starting
    pod(ds, 'a-1', { isNew: true, ready: false, restarts: 5, waiting: 'CrashLoopBackOff' }), // blocked
    pod(ds, 'a-2', { deleting: true }),                                          // updating: old pod going
    pod(ds, 'a-3'),                                                              // waiting: old revision
    pod(ds, 'b-0'),                                                              // blocked: node NotReady
    pod(ds, 'b-1'),                                                              // quarantined (status)
  ];
  const r = rollout(spec, { phase: 'Progressing', observedGeneration: 1, currentWave: 'zone-a', quarantinedNodes: ['b-1'],
    waves: [
      { name: 'canary', nodes: 1, updated: 1, ready: 1, failed: 0, quarantined: 0, state: 'Complete' },
      { name: 'zone-a', nodes: 4, updated: 2, ready: 0, failed: 1, quarantined: 0, state: 'Progressing' },
      { name: 'zone-b', nodes: 2, updated: 0, ready: 0, failed: 0, quarantined: 1, state: 'Pending' },
    ] });
  const s = snapshotOf(r, { daemonSets: [ds], pods, nodes }, T0);
  assert.deepEqual(s.waves.map((w) => [w.name, w.cells]), [
    ['canary', ['done']],
    ['zone-a', ['updating', 'blocked', 'updating', 'waiting']],
    ['zone-b', ['blocked', 'quarantined']],
  ]);
  // The counts are the status's, not the observation's.
  assert.deepEqual(s.waves.map((w) => [w.updated, w.ready, w.failed, w.quarantined]), [[1, 1, 0, 0], [2, 0, 1, 0], [0, 0, 0, 1]]);
});

test('before the controller wrote a status, the waves are the ones the core would form', () => {
  const nodes = [node('c-0', { labels: { canary: 'true', zone: 'a' } }), node('a-0', zone('a')), node('b-0', zone('b'))];
  const s = snapshotOf(rollout(spec), { daemonSets: [ds], pods: [pod(ds, 'c-0', { isNew: true }), pod(ds, 'a-0'), pod(ds, 'b-0')], nodes }, T0);
  assert.equal(s.phase, undefined);
  assert.match(s.verdict.message, /to be observed by the rollout controller/);
  assert.deepEqual(s.waves.map((w) => [w.name, w.nodes, w.updated, w.ready, w.cells.join()]), [['canary', 1, 1, 1, 'done'], ['zone-a', 1, 0, 0, 'waiting'], ['zone-b', 1, 0, 0, 'waiting']]);
});

test('without the nodes (not yet listed, or no permission), cells follow the status counts', () => {
  const r = rollout(spec, { phase: 'Progressing', observedGeneration: 1, waves: [{ name: 'zone-a', nodes: 6, updated: 4, ready: 2, failed: 1, quarantined: 1, state: 'Progressing' }] });
  assert.deepEqual(snapshotOf(r, undefined, T0).waves[0].cells, ['done', 'done', 'blocked', 'quarantined', 'updating', 'waiting']);
  // Counts that disagree with each other never make more cells than nodes, nor fewer.
  for (const c of [{ nodes: 2, updated: 9, ready: 9, failed: 9, quarantined: 9 }, { nodes: 3, updated: 0, ready: 5, failed: 0, quarantined: 0 }, { nodes: 0, updated: 1, ready: 1, failed: 0, quarantined: 0 }]) {
    assert.equal(cellsFromCounts(c).length, c.nodes, JSON.stringify(c));
  }
});

test('countdowns: bake end from completedAt and the wave\'s bakeSeconds (splitBy waves too), the progress deadline', () => {
  const r = rollout({ ...spec, progressDeadlineSeconds: 600 }, { phase: 'Baking', observedGeneration: 1, lastProgressAt: rfc3339(T0 - 60_000),
    waves: [{ name: 'canary', nodes: 1, updated: 1, ready: 1, failed: 0, quarantined: 0, state: 'Baking', completedAt: rfc3339(T0 - 10_000) }] });
  const s = snapshotOf(r, undefined, T0);
  assert.equal(s.waves[0].bakeEndsAtMs, T0 + 20_000);
  assert.equal(s.progressDeadlineAtMs, undefined, 'only while progressing');
  const p = snapshotOf({ ...r, status: { ...r.status, phase: 'Progressing' } }, undefined, T0);
  assert.equal(p.progressDeadlineAtMs, T0 + 540_000);
  const approval = snapshotOf(rollout(spec, { phase: 'WaitingApproval', observedGeneration: 1, waves: [{ name: 'zone-b', nodes: 1, updated: 0, ready: 0, failed: 0, quarantined: 0, state: 'WaitingApproval', startedAt: rfc3339(T0 - 5000) }] }), undefined, T0);
  assert.equal(approval.waves[0].approvalSinceMs, T0 - 5000);
});

test('blockers by reason: Revision causes first, then Node, then Budget; counts from blockedByReason', () => {
  const g = blockerGroups([
    { node: 'n-1', reason: 'WaitingForBudget', cause: 'Budget', message: 'budget' },
    { node: 'n-2', reason: 'NodeNotReady', cause: 'Node', message: 'Ready=False' },
    { node: 'n-3', reason: 'CrashLoop', cause: 'Revision', message: 'restarts' },
    { node: 'n-4', reason: 'NodeNotReady', cause: 'Node', message: 'Ready=False' },
  ], { WaitingForBudget: 120, NodeNotReady: 2, CrashLoop: 1, Paused: 3 });
  const snap = snapshotOf(rollout(spec, { phase: 'Progressing', observedGeneration: 1, blockedNodesTotal: 126, blockedByReason: { WaitingForBudget: 120, NodeNotReady: 2, CrashLoop: 1, Paused: 3 } }), undefined, T0);
  assert.deepEqual([snap.blockedTotal, snap.waitingTotal], [126, 123]);
  assert.deepEqual(g.map((x) => [x.reason, x.count, x.causes.join(), x.nodes.join()]), [
    ['CrashLoop', 1, 'Revision', 'n-3'], ['NodeNotReady', 2, 'Node', 'n-2,n-4'], ['WaitingForBudget', 120, 'Budget', 'n-1'], ['Paused', 3, '', ''],
  ]);
});

test('a stored object of any shape gives a snapshot, never an exception', () => {
  const junk = [
    { metadata: { name: 'x' }, spec: { waves: 'many' }, status: { waves: [{ name: 'w', nodes: 'lots', state: 7 }, null, 3], blockedNodes: [{ node: 'n', reason: 42 }], quarantinedNodes: 'n', blockedByReason: { X: 'y' } } },
    { metadata: {}, spec: null, status: 'broken' },
    { spec: { waves: [{ name: 'w', nodeSelector: { matchExpressions: [{ key: 'k', operator: 'Bogus' }] } }] }, status: { phase: 'Progressing', waves: [{ name: 'w' }] } },
  ] as unknown as DaemonSetRollout[];
  for (const r of junk) {
    const s = snapshotOf(r, { daemonSets: [ds], pods: [pod(ds, 'a')], nodes: [node('a')] }, T0);
    for (const w of s.waves) assert.equal(w.cells.length, w.nodes);
  }
});
