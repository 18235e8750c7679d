// Example tests of planRollout: budgets, waves, gates, attribution, quarantine, strategies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rfc3339 } from '../../api/meta.js';
import { templateHash } from '../../controller/core/history.js';
import { planRollout } from './plan.js';
import { daemonSet, input, node, pod, rollout, T0 } from './testkit.js';
import type { RolloutAction } from './types.js';

const deleted = (actions: RolloutAction[]) => actions.filter((a) => a.type === 'DeletePod').map((a) => (a as { node: string }).node).sort();
const names = (n: number, prefix = 'n') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

test('a wave deletes old pods up to its maxUnavailable; an already-unavailable old pod is replaced for free', () => {
  const ds = daemonSet('agent');
  const nodes = names(5).map((n) => node(n));
  const pods = nodes.map((n, i) => pod(ds, n.metadata!.name!, { ready: i !== 4 }));
  const p = planRollout(input(rollout({ waves: [{ name: 'all', maxUnavailable: 2 }] }), [ds], nodes, pods), T0);
  // n4 is unavailable (counts 1 of 2) and replaced for free; one more available node may go.
  assert.deepEqual(deleted(p.actions), ['n0', 'n4']);
  assert.equal(p.status.phase, 'Progressing');
  assert.equal(p.status.blockedByReason?.WaitingForBudget, 3);
  assert.ok(p.status.blockedNodes?.filter((b) => b.node !== 'n4').every((b) => b.cause === 'Budget'));
  // n4's old pod has been NotReady for an hour: the node's problem, not the revision's
  assert.deepEqual(p.status.blockedNodes?.filter((b) => b.node === 'n4').map((b) => [b.reason, b.cause]), [['NotReady', 'Node']]);
});

test('perNodeMaxUnavailable: one daemon pod per node at a time across targets', () => {
  const a = daemonSet('agent'), b = daemonSet('csi');
  const nodes = names(2).map((n) => node(n));
  const pods = nodes.flatMap((n) => [pod(a, n.metadata!.name!), pod(b, n.metadata!.name!)]);
  const r = rollout({ targetRef: undefined, selector: { matchLabels: { tier: 'node' } }, waves: [{ name: 'all', maxUnavailable: 2 }] });
  const p = planRollout(input(r, [a, b], nodes, pods), T0);
  const perNode = new Map<string, number>();
  for (const x of p.actions) if (x.type === 'DeletePod') perNode.set(x.node, (perNode.get(x.node) ?? 0) + 1);
  assert.deepEqual([...perNode.entries()].sort(), [['n0', 1], ['n1', 1]]);
  assert.match(p.status.toRevision ?? '', /^agent=.*,csi=/);
});

test('waves run in order: a later wave is untouched until the earlier one is complete and baked', () => {
  const ds = daemonSet('agent');
  const nodes = [node('c0', { labels: { canary: 'true' } }), node('r0'), node('r1')];
  const spec = { waves: [{ name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } }, bakeSeconds: 60 }, { name: 'rest', maxUnavailable: 5 }] };
  let p = planRollout(input(rollout(spec), [ds], nodes, nodes.map((n) => pod(ds, n.metadata!.name!))), T0);
  assert.deepEqual(deleted(p.actions), ['c0']);
  assert.equal(p.status.blockedByReason?.WaitingForWave, 2);
  // canary done: baking for 60 s, nothing else happens
  const pods = [pod(ds, 'c0', { isNew: true, createdMs: T0 }), pod(ds, 'r0'), pod(ds, 'r1')];
  p = planRollout(input(rollout(spec, p.status), [ds], nodes, pods), T0 + 10_000);
  assert.equal(p.status.phase, 'Baking');
  assert.deepEqual(p.actions, []);
  p = planRollout(input(rollout(spec, p.status), [ds], nodes, pods), T0 + 40_000);
  assert.equal(p.status.phase, 'Baking');
  p = planRollout(input(rollout(spec, p.status), [ds], nodes, pods), T0 + 70_001);
  assert.equal(p.status.currentWave, 'rest');
  assert.deepEqual(deleted(p.actions), ['r0', 'r1']);
});

test('manual approval: the wave waits until approved for this toRevision', () => {
  const ds = daemonSet('agent');
  const nodes = [node('n0')];
  const spec = { waves: [{ name: 'all', approval: 'Manual' as const }] };
  const pods = [pod(ds, 'n0')];
  let p = planRollout(input(rollout(spec), [ds], nodes, pods), T0);
  assert.equal(p.status.phase, 'WaitingApproval');
  assert.deepEqual(p.actions, []);
  assert.equal(p.status.blockedNodes?.[0].reason, 'WaitingForApproval');
  p = planRollout(input(rollout(spec, p.status, { 'everynode.dev/approve': 'all@stale' }), [ds], nodes, pods), T0 + 1);
  assert.equal(p.status.phase, 'WaitingApproval');
  p = planRollout(input(rollout(spec, p.status, { 'everynode.dev/approve': `all@${templateHash(ds)}` }), [ds], nodes, pods), T0 + 2);
  assert.equal(p.status.phase, 'Progressing');
  assert.deepEqual(deleted(p.actions), ['n0']);
});

test('paused: nothing is deleted and every waiting node says Paused', () => {
  const ds = daemonSet('agent');
  const nodes = names(3).map((n) => node(n));
  const p = planRollout(input(rollout({ paused: true }), [ds], nodes, nodes.map((n) => pod(ds, n.metadata!.name!))), T0);
  assert.equal(p.status.phase, 'Paused');
  assert.deepEqual(p.actions, []);
  assert.equal(p.status.blockedByReason?.Paused, 3);
});

test('blocker attribution: a node NotReady before its update is cause Node and does not trip the gate', () => {
  const ds = daemonSet('agent');
  const nodes = [node('n0', { notReadySinceMs: T0 - 600_000 }), node('n1'), node('n2')];
  // n0 got the new pod after it went NotReady: still the node's fault
  const pods = [pod(ds, 'n0', { isNew: true, ready: false, createdMs: T0 - 60_000 }), pod(ds, 'n1'), pod(ds, 'n2')];
  const p = planRollout(input(rollout({ health: { nodeRegression: { windowSeconds: 600 } } }), [ds], nodes, pods), T0);
  const b = p.status.blockedNodes?.find((x) => x.node === 'n0');
  assert.equal(b?.reason, 'NodeNotReady');
  assert.equal(b?.cause, 'Node');
  assert.notEqual(p.status.phase, 'Failed');
});

test('blocker attribution: a crash loop after the update while old nodes are fine is cause Revision and trips the gate', () => {
  const ds = daemonSet('agent');
  const nodes = names(4).map((n) => node(n));
  const pods = [pod(ds, 'n0', { isNew: true, ready: false, createdMs: T0 - 60_000, restarts: 5, waiting: 'CrashLoopBackOff' }), ...['n1', 'n2', 'n3'].map((n) => pod(ds, n))];
  const p = planRollout(input(rollout(), [ds], nodes, pods), T0);
  const b = p.status.blockedNodes?.[0];
  assert.deepEqual([b?.node, b?.reason, b?.cause], ['n0', 'CrashLoop', 'Revision']);
  assert.equal(p.status.phase, 'Failed');
  assert.equal(p.status.failure?.reason, 'HealthGate');
  assert.match(p.status.failure?.message ?? '', /n0 \(CrashLoop\)/);
  assert.ok(p.events.some((e) => e.type === 'Warning' && e.reason === 'HealthGate'));
  assert.deepEqual(p.actions, []);
  assert.equal(p.status.conditions?.find((c) => c.type === 'Healthy')?.status, 'False');
});

test('blocker attribution: every node, old and new, crash-looping is cause Node (same rate as the control group)', () => {
  const ds = daemonSet('agent');
  const nodes = names(4).map((n) => node(n));
  const bad = { ready: false, restarts: 5, waiting: 'CrashLoopBackOff' };
  const pods = [pod(ds, 'n0', { ...bad, isNew: true, createdMs: T0 - 60_000 }), ...['n1', 'n2', 'n3'].map((n) => pod(ds, n, bad))];
  const p = planRollout(input(rollout(), [ds], nodes, pods), T0);
  assert.ok(p.status.blockedNodes?.every((b) => b.cause === 'Node'), JSON.stringify(p.status.blockedNodes));
  assert.notEqual(p.status.phase, 'Failed');
});

test('blocker attribution: a node that turns NotReady within the regression window after its update is cause Revision', () => {
  const ds = daemonSet('agent');
  const nodes = [node('n0', { notReadySinceMs: T0 - 30_000 }), node('n1'), node('n2')];
  const pods = [pod(ds, 'n0', { isNew: true, createdMs: T0 - 60_000 }), pod(ds, 'n1'), pod(ds, 'n2')];
  const p = planRollout(input(rollout({ health: { nodeRegression: { windowSeconds: 600 } } }), [ds], nodes, pods), T0);
  assert.equal(p.status.blockedNodes?.find((b) => b.node === 'n0')?.cause, 'Revision');
  assert.equal(p.status.failure?.reason, 'HealthGate');
});

test('the progress deadline trips when no node completes for too long', () => {
  const ds = daemonSet('agent');
  const nodes = names(2).map((n) => node(n));
  const pods = [pod(ds, 'n0', { isNew: true, ready: false, createdMs: T0 }), pod(ds, 'n1')];
  const first = planRollout(input(rollout({ progressDeadlineSeconds: 60, health: { podReadyTimeoutSeconds: 3600 } }), [ds], nodes, pods), T0);
  const again = planRollout(input(rollout({ progressDeadlineSeconds: 60, health: { podReadyTimeoutSeconds: 3600 } }, first.status), [ds], nodes, pods), T0 + 61_000);
  assert.equal(again.status.failure?.reason, 'ProgressDeadlineExceeded');
  assert.equal(again.status.conditions?.find((c) => c.type === 'ProgressDeadlineExceeded')?.status, 'True');
});

test('quarantine: a stuck node leaves the budget; one beyond maxNodes trips the gate', () => {
  const ds = daemonSet('agent');
  const nodes = [node('n0', { notReadySinceMs: T0 - 3_600_000 }), node('n1', { notReadySinceMs: T0 - 3_600_000 }), node('n2')];
  const pods = nodes.map((n) => pod(ds, n.metadata!.name!, { ready: n.metadata!.name === 'n2' }));
  const p = planRollout(input(rollout({ quarantine: { afterSeconds: 60, maxNodes: 1 } }), [ds], nodes, pods), T0);
  assert.deepEqual(p.actions.filter((a) => a.type === 'QuarantineNode').map((a) => (a as { node: string }).node), ['n0']);
  assert.equal(p.status.failure?.reason, 'QuarantineLimit');
  assert.ok((p.status.quarantinedNodes ?? []).length <= 1);
});

test('a RollingUpdate target gets a condition and is not driven; manageStrategy switches it to OnDelete', () => {
  const ds = daemonSet('agent', 'agent:2', 'RollingUpdate');
  const nodes = [node('n0')];
  let p = planRollout(input(rollout(), [ds], nodes, [pod(ds, 'n0')]), T0);
  assert.deepEqual(p.actions, []);
  assert.equal(p.status.conditions?.find((c) => c.type === 'TargetStrategy')?.reason, 'RollingUpdateStrategy');
  p = planRollout(input(rollout({ manageStrategy: true }), [ds], nodes, [pod(ds, 'n0')]), T0);
  assert.deepEqual(p.actions.map((a) => a.type), ['SetOnDelete']);
});

test('a newer revision mid-rollout restarts from the first wave and leaves nodes on the newest revision alone', () => {
  const ds = daemonSet('agent', 'agent:3');
  const nodes = [node('c0', { labels: { canary: 'true' } }), node('r0'), node('r1')];
  const spec = { waves: [{ name: 'canary', nodeSelector: { matchLabels: { canary: 'true' } } }, { name: 'rest', maxUnavailable: 5 }] };
  const status = {
    phase: 'Progressing' as const, toRevision: 'mid', fromRevision: 'old', currentWave: 'rest',
    targets: [{ name: 'agent', fromRevision: 'old', toRevision: 'mid', strategy: 'OnDelete' }],
    waves: [{ name: 'canary', nodes: 1, updated: 1, ready: 1, failed: 0, quarantined: 0, state: 'Complete' as const }, { name: 'rest', nodes: 2, updated: 0, ready: 0, failed: 0, quarantined: 0, state: 'Progressing' as const }],
  };
  const pods = [pod(ds, 'c0'), pod(ds, 'r0', { isNew: true, createdMs: T0 - 1000 }), pod(ds, 'r1')];
  const p = planRollout(input(rollout(spec, status), [ds], nodes, pods), T0);
  assert.equal(p.status.currentWave, 'canary');
  assert.deepEqual(deleted(p.actions), ['c0']);
  assert.equal(p.status.fromRevision, 'old');
  assert.ok(p.events.some((e) => e.reason === 'RolloutStarted' && /restarted/.test(e.message)));
});

test('maxNodes picks the same canaries whatever the input order, and splitBy follows order then sorted values', () => {
  const ds = daemonSet('agent');
  const nodes = names(10).map((n, i) => node(n, { labels: { zone: `z${i % 3}` } }));
  const spec = { waves: [{ name: 'canary', maxNodes: 2 }, { name: 'zones', splitBy: 'zone', order: ['z2'] }] };
  const pods = nodes.map((n) => pod(ds, n.metadata!.name!));
  const a = planRollout(input(rollout(spec), [ds], nodes, pods), T0);
  const b = planRollout(input(rollout(spec), [ds], [...nodes].reverse(), [...pods].reverse()), T0);
  assert.deepEqual(a.actions, b.actions);
  assert.deepEqual(a.status.waves?.map((w) => [w.name, w.nodes]), [['canary', 2], ['zones-z2', 3], ['zones-z0', 3], ['zones-z1', 2]]);
});

test('first sight of a fleet already on the template is Idle; nothing to do', () => {
  const ds = daemonSet('agent');
  const p = planRollout(input(rollout(), [ds], [node('n0')], [pod(ds, 'n0', { isNew: true })]), T0);
  assert.equal(p.status.phase, 'Idle');
  assert.deepEqual(p.actions, []);
});

test('blockedNodes is capped; the total and per-reason counts cover every node', () => {
  const ds = daemonSet('agent');
  const nodes = names(80).map((n) => node(n));
  const p = planRollout(input(rollout(), [ds], nodes, nodes.map((n) => pod(ds, n.metadata!.name!))), T0);
  assert.equal(p.status.blockedNodes?.length, 50);
  assert.equal(p.status.blockedNodesTotal, 79);
  assert.equal(p.status.blockedByReason?.WaitingForBudget, 79);
  assert.equal(typeof p.status.blockedNodes?.[0].since, 'string');
  assert.equal(p.status.blockedNodes?.[0].since, rfc3339(T0));
});

test('a daemon pod that cannot be scheduled on a cordoned node is NodeCordoned, cause Node', () => {
  const ds = daemonSet('agent');
  const cordoned = { ...node('n0'), spec: { unschedulable: true } };
  const p0 = pod(ds, 'n0', { isNew: true, ready: false, createdMs: T0 - 1000 });
  const pending = { ...p0, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available' }] } };
  const p = planRollout(input(rollout(), [ds], [cordoned, node('n1')], [pending, pod(ds, 'n1')]), T0);
  const b = p.status.blockedNodes?.find((x) => x.node === 'n0');
  assert.deepEqual([b?.reason, b?.cause], ['NodeCordoned', 'Node']);
});

test('Pending pods are attributed: InsufficientResources and ImagePull on new pods beyond the control rate are cause Revision', () => {
  const ds = daemonSet('agent');
  const nodes = names(3).map((n) => node(n));
  const p0 = pod(ds, 'n0', { isNew: true, ready: false, createdMs: T0 - 1000 });
  const insufficient = { ...p0, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 1 Insufficient cpu' }] } };
  const p1 = pod(ds, 'n1', { isNew: true, ready: false, createdMs: T0 - 1000, waiting: 'ImagePullBackOff' });
  const p = planRollout(input(rollout({ waves: [{ name: 'all', maxUnavailable: 3 }] }), [ds], nodes, [insufficient, p1, pod(ds, 'n2')]), T0);
  const by = new Map(p.status.blockedNodes?.map((b) => [b.node, [b.reason, b.cause]]));
  assert.deepEqual(by.get('n0'), ['InsufficientResources', 'Revision']);
  assert.deepEqual(by.get('n1'), ['ImagePull', 'Revision']);
  // not failed yet (within podReadyTimeoutSeconds): the gate holds
  assert.notEqual(p.status.phase, 'Failed');
  assert.deepEqual(deleted(p.actions), ['n2']);
});

test('pausing a finished rollout leaves it Complete', () => {
  const ds = daemonSet('agent');
  const done = planRollout(input(rollout({}, { toRevision: templateHash(ds), fromRevision: 'old', phase: 'Progressing', targets: [{ name: 'agent', fromRevision: 'old', toRevision: templateHash(ds), strategy: 'OnDelete' }] }), [ds], [node('n0')], [pod(ds, 'n0', { isNew: true })]), T0);
  assert.equal(done.status.phase, 'Complete');
  const paused = planRollout(input(rollout({ paused: true }, done.status), [ds], [node('n0')], [pod(ds, 'n0', { isNew: true })]), T0 + 1000);
  assert.equal(paused.status.phase, 'Complete');
});
