// buildPlan / renderPlan on fleets built with the core's test kit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, daemonSet, input, node, pod, rollout } from '../core/testkit.js';
import { buildPlan, hasErrors } from './plan.js';
import { renderPlan } from './render-plan.js';

const zones = ['a', 'b'].flatMap((z) => [0, 1, 2, 3].map((i) => node(`${z}-${i}`, { labels: { zone: z, ...(z === 'a' && i === 0 ? { canary: 'true' } : {}) } })));
const ds = daemonSet('agent');

const spec = {
  waves: [
    { name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } }, maxUnavailable: 1, bakeSeconds: 60 },
    { name: 'zone', splitBy: 'zone', maxUnavailable: '50%', maxNodes: '50%' },
    { name: 'rest', maxUnavailable: 1 },
  ],
};

test('targets, waves with resolved budgets and caps, blocked nodes and the first sync', () => {
  const nodes = zones.map((n) => (n.metadata!.name === 'b-3' ? node('b-3', { labels: { zone: 'b' }, notReadySinceMs: T0 - 60_000 }) : n));
  const pods = nodes.map((n) => pod(ds, n.metadata!.name!));
  const r = buildPlan(input(rollout(spec), [ds], nodes, pods), T0);
  assert.equal(hasErrors(r), false, JSON.stringify(r.problems));
  assert.deepEqual(r.targets.map((t) => [t.name, t.strategy, t.fromRevision, t.nodes]), [['agent', 'OnDelete', 'old', 8]]);
  assert.deepEqual(r.waves.map((w) => [w.name, w.nodes, w.maxUnavailable, w.maxNodes]), [
    ['canary', 1, 1, undefined], ['zone-a', 2, 1, 2], ['zone-b', 2, 1, 2], ['rest', 3, 1, undefined],
  ]);
  assert.equal(r.waves.reduce((n, w) => n + w.nodes, 0) + r.unselectedNodes, 8);
  assert.ok(r.blocked.some((b) => b.node === 'b-3' && b.reason === 'NodeNotReady' && b.cause === 'Node') || !r.waves.find((w) => w.nodeNames.includes('b-3')));
  assert.deepEqual(r.firstSync.map((a) => a.type === 'DeletePod' && a.node), ['a-0'], 'the first sync deletes the canary only');
  const text = renderPlan(r), wide = renderPlan(r, true);
  assert.match(text, /^canary\s+1\s+0\s+1\s+-\s+60s\s+Auto$/m);
  assert.match(text, /DeletePod \(Update\)\s+a-0\s+agent/);
  assert.doesNotMatch(text, /NODE-NAMES/);
  assert.match(wide, /^zone-a\s.*a-\d,a-\d$/m);
});

test('problems: no target, RollingUpdate without manageStrategy, a wave that selects no nodes', () => {
  const pods = zones.map((n) => pod(ds, n.metadata!.name!));
  const none = buildPlan(input(rollout({ ...spec, targetRef: { name: 'other' } }), [ds], zones, pods), T0);
  assert.ok(hasErrors(none));
  assert.match(none.problems[0].message, /no DaemonSet other in namespace default/);
  const ru = daemonSet('agent', 'agent:2', 'RollingUpdate');
  const rolling = buildPlan(input(rollout(spec), [ru], zones, pods), T0);
  assert.ok(rolling.problems.some((p) => p.severity === 'error' && /uses RollingUpdate: set its updateStrategy.type to OnDelete or spec.manageStrategy: true/.test(p.message)));
  const managed = buildPlan(input(rollout({ ...spec, manageStrategy: true }), [ru], zones, pods), T0);
  assert.equal(hasErrors(managed), false);
  assert.deepEqual(managed.firstSync.map((a) => a.type), ['SetOnDelete']);
  const empty = buildPlan(input(rollout({ waves: [{ name: 'gpu', nodeSelector: { matchLabels: { gpu: 'true' } } }, { name: 'rest' }] }), [ds], zones, pods), T0);
  assert.equal(hasErrors(empty), false);
  assert.deepEqual(empty.problems, [{ severity: 'warning', message: 'wave gpu selects no nodes' }]);
});
