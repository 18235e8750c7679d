// Two core defects the controller shell's e2e tests found: a NotReady node (tainted
// not-ready:NoSchedule) dropped out of the rollout though its old pod keeps running, and a
// quarantined node that recovered was never retried once the other nodes had completed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../../api/types.js';
import { planRollout } from './plan.js';
import { daemonSet, input, node, pod, rollout, T0 } from './testkit.js';

const notReady = (name: string): Node => {
  const n = node(name, { notReadySinceMs: T0 - 60_000 });
  return { ...n, spec: { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] } };
};

test('a NotReady node with an old daemon pod is managed and blocked with cause Node, not dropped', () => {
  const ds = daemonSet('agent');
  const nodes = [node('n0'), notReady('n1')];
  const pods = [pod(ds, 'n0', { isNew: true }), pod(ds, 'n1')];
  const plan = planRollout(input(rollout(), [ds], nodes, pods), T0);
  assert.equal(plan.status.waves?.[0].nodes, 2);
  const b = plan.status.blockedNodes?.find((x) => x.node === 'n1');
  assert.equal(b?.cause, 'Node');
  assert.equal(b?.reason, 'NodeNotReady');
  assert.equal(plan.status.failure, undefined);
  assert.ok(!plan.actions.some((a) => a.type === 'DeletePod' && a.node === 'n1'), 'nothing deleted on the sick node');
});

test('a NotReady node without a daemon pod stays out of the rollout', () => {
  const ds = daemonSet('agent');
  const plan = planRollout(input(rollout(), [ds], [node('n0'), notReady('n1')], [pod(ds, 'n0', { isNew: true })]), T0);
  assert.equal(plan.status.waves?.[0].nodes, 1);
});

test('a quarantined node that recovered is retried after the others completed', () => {
  const ds = daemonSet('agent');
  const spec = { quarantine: { afterSeconds: 10, maxNodes: 1 } };
  const nodes = [node('n0'), node('n1')];
  const pods = [pod(ds, 'n0', { isNew: true }), pod(ds, 'n1')];
  const complete = planRollout(input(rollout(spec), [ds], nodes, pods), T0).status;
  // As after the quarantine: the rollout Complete without n1, n1 Ready again and on the old pod.
  const prev = { ...complete, phase: 'Complete' as const, quarantinedNodes: ['n1'], waves: complete.waves?.map((w) => ({ ...w, state: 'Complete' as const })) };
  const plan = planRollout(input(rollout(spec, prev), [ds], nodes, pods), T0 + 1000);
  assert.equal(plan.status.phase, 'Progressing');
  assert.deepEqual(plan.actions.filter((a) => a.type === 'DeletePod').map((a) => (a as { node: string }).node), ['n1']);
});
