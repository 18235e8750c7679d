// Make-room's decisions per sync (makeRoomRound), its blockers in the status (withRoomBlockers),
// and the core seeing a daemon pod the scheduler could not bind (the node it lacks room on).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { KObject, Node, Pod, PodDisruptionBudget } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import { pinToNode } from '../controller/core/pods.js';
import { templateHash } from '../controller/core/history.js';
import { lackOfRoom, makeRoomRound, type MakeRoomRoundInput } from './makeroom-round.js';
import { withRoomBlockers } from './makeroom-status.js';
import { slimPod } from './controller-slim.js';
import { planRollout } from './core/plan.js';
import { daemonSet, input, node as coreNode, pod as corePod, rollout, T0 } from './core/testkit.js';
import type { DaemonSetRolloutStatus } from './api/types.js';

const ds = daemonSet('agent');
const NEW = templateHash(ds);
const node = (name: string, cpu = '4'): Node => ({ metadata: { name }, status: { allocatable: { cpu, memory: '8Gi', pods: '110' } } });
const unschedulable = (message: string) => ({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message }] });

/** The new revision's daemon pod, pinned to its node by affinity and not yet bound, as the DaemonSet controller creates it. */
function pendingDaemon(nodeName: string, o: { cpu?: string; hash?: string; status?: Pod['status']; priority?: number } = {}): Pod {
  const base = corePod(ds, nodeName, { isNew: true });
  return {
    ...base,
    metadata: { ...base.metadata, name: `agent-${nodeName}`, labels: { app: 'agent', 'controller-revision-hash': o.hash ?? NEW } },
    spec: { affinity: pinToNode(undefined, nodeName), priority: o.priority ?? 1000, containers: [{ name: 'agent', image: 'agent:2', resources: { requests: { cpu: o.cpu ?? '1500m' } } }] },
    status: o.status ?? unschedulable('0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn\'t match Pod\'s node affinity/selector. preemption: not eligible due to preemptionPolicy=Never..'),
  };
}
const filler = (name: string, nodeName: string, cpu: string, o: { priority?: number; terminating?: boolean; app?: string } = {}): Pod => ({
  metadata: { name, namespace: 'batch', uid: `uid-${name}`, labels: { app: o.app ?? name }, ...(o.terminating ? { deletionTimestamp: rfc3339(T0) } : {}) },
  spec: { nodeName, priority: o.priority ?? 0, containers: [{ name: 'c', image: 'x', resources: { requests: { cpu } } }] },
  status: { phase: 'Running' },
});
const pdb = (app: string, allowed: number): PodDisruptionBudget => ({ metadata: { name: `${app}-pdb`, namespace: 'batch' }, spec: { minAvailable: 1, selector: { matchLabels: { app } } }, status: { disruptionsAllowed: allowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } });

function round(daemonPods: Pod[], others: Pod[], o: Partial<MakeRoomRoundInput> = {}) {
  const nodes = new Map(['n1', 'n2'].map((n) => [n, node(n)]));
  return makeRoomRound({
    daemonPods, targets: [{ uid: ds.metadata!.uid!, toRevision: NEW }], pdbs: [],
    node: (n) => nodes.get(n), podsOn: (n) => others.filter((p) => p.spec?.nodeName === n), ...o,
  });
}
const summary = (r: ReturnType<typeof round>) => r.map((d) => (d.action === 'Evict' ? `${d.node}:evict ${d.evict.map((p) => p.metadata!.name).join(',')}` : d.action === 'Wait' ? `${d.node}:wait` : `${d.node}:${d.reason}`));

test('what counts as lack of room: the scheduler\'s Insufficient/Too many pods, the kubelet\'s OutOf* rejection; nothing else', () => {
  assert.ok(lackOfRoom(pendingDaemon('n1')));
  assert.ok(lackOfRoom(pendingDaemon('n1', { status: unschedulable('0/1 nodes are available: 1 Too many pods.') })));
  assert.ok(lackOfRoom(pendingDaemon('n1', { status: { phase: 'Failed', reason: 'OutOfcpu', message: 'Pod was rejected: Node didn\'t have enough resource: cpu' } })));
  assert.equal(lackOfRoom(pendingDaemon('n1', { status: unschedulable('0/1 nodes are available: 1 node(s) had untolerated taint {x: }.') })), undefined);
  assert.equal(lackOfRoom(pendingDaemon('n1', { status: { phase: 'Failed', reason: 'NodeAffinity' } })), undefined);
  assert.equal(lackOfRoom(pendingDaemon('n1', { status: { phase: 'Running' } })), undefined);
  assert.equal(lackOfRoom({ ...pendingDaemon('n1'), metadata: { deletionTimestamp: rfc3339(T0) } }), undefined, 'a leaving pod needs no room');
});

test('a new daemon pod that lacks room evicts the lowest-priority pod that makes room, on its own node only', () => {
  const others = [filler('big', 'n1', '3'), filler('small', 'n1', '500m', { priority: 10 }), filler('hi', 'n1', '0', { priority: 5000 }), filler('other-node', 'n2', '3')];
  assert.deepEqual(summary(round([pendingDaemon('n1')], others)), ['n1:evict big']);
});

test('only the targets\' new revision gets room; a stopped node waits for its terminating pods first', () => {
  assert.deepEqual(round([pendingDaemon('n1', { hash: 'old' })], [filler('big', 'n1', '3')]), [], 'an old-revision pod is not the rollout\'s');
  assert.deepEqual(round([pendingDaemon('n1')], [filler('big', 'n1', '3')], { targets: [{ uid: 'another', toRevision: NEW }] }), [], 'not a target');
  assert.deepEqual(summary(round([pendingDaemon('n1')], [filler('big', 'n1', '3'), filler('leaving', 'n1', '1', { terminating: true })])), ['n1:wait'], 'one round at a time: earlier victims (or the old daemon pod) leave first');
  assert.deepEqual(round([pendingDaemon('n1')], [filler('small', 'n1', '1')]), [], 'it fits already: the scheduler\'s retry places it');
});

test('blocked: by a budget (EvictionBlocked, naming it), or by pods it may not evict (InsufficientResources)', () => {
  const byPdb = round([pendingDaemon('n1')], [filler('big', 'n1', '3')], { pdbs: [pdb('big', 0)] });
  assert.deepEqual(summary(byPdb), ['n1:EvictionBlocked']);
  assert.match(byPdb[0].action === 'Blocked' ? byPdb[0].message : '', /PodDisruptionBudget batch\/big-pdb allows no disruption/);
  const higher = round([pendingDaemon('n1')], [filler('important', 'n1', '3', { priority: 1000 })]);
  assert.deepEqual(summary(higher), ['n1:InsufficientResources'], 'equal priority is never evicted');
  const daemonOnly = round([pendingDaemon('n1')], [{ ...filler('other-agent', 'n1', '3'), metadata: { ...filler('other-agent', 'n1', '3').metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'cni', uid: 'cni', controller: true }] } }]);
  assert.deepEqual(summary(daemonOnly), ['n1:InsufficientResources'], 'never another daemon pod');
});

test('the kubelet-rejected pod (bound, Failed OutOfcpu) gets room on its node; one decision per node', () => {
  const rejected: Pod = { ...pendingDaemon('n1', { status: { phase: 'Failed', reason: 'OutOfcpu' } }), spec: { ...pendingDaemon('n1').spec!, nodeName: 'n1' } };
  const second = { ...pendingDaemon('n1'), metadata: { ...pendingDaemon('n1').metadata, name: 'agent-n1-z' } };
  assert.deepEqual(summary(round([second, rejected], [filler('big', 'n1', '3'), rejected])), ['n1:evict big']);
});

test('property: every eviction is of a lower-priority, non-daemon, live pod on the pending pod\'s node, and leaves room', () => {
  fc.assert(fc.property(fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 3000 }), priority: fc.integer({ min: 0, max: 2000 }), onN1: fc.boolean(), terminating: fc.boolean() }), { maxLength: 6 }), fc.integer({ min: 100, max: 4000 }), (specs, want) => {
    const others = specs.map((s, i) => filler(`p${i}`, s.onN1 ? 'n1' : 'n2', `${s.cpu}m`, { priority: s.priority, terminating: s.terminating }));
    const r = round([pendingDaemon('n1', { cpu: `${want}m` })], others);
    assert.ok(r.length <= 1);
    for (const d of r) {
      if (d.action !== 'Evict') continue;
      assert.ok(!others.some((p) => p.spec?.nodeName === 'n1' && p.metadata?.deletionTimestamp), 'never while pods are leaving');
      for (const v of d.evict) assert.ok(v.spec?.nodeName === 'n1' && (v.spec?.priority ?? 0) < 1000 && !v.metadata?.deletionTimestamp);
      const kept = others.filter((p) => p.spec?.nodeName === 'n1' && !d.evict.includes(p));
      const used = kept.reduce((a, p) => a + Number.parseInt(String(p.spec!.containers[0].resources!.requests!.cpu), 10), 0);
      assert.ok(used + want <= 4000);
    }
  }), { numRuns: 200 });
});

test('the blockers replace the core\'s entry for their node and keep their since while they stay', () => {
  const status: DaemonSetRolloutStatus = {
    phase: 'Progressing', blockedNodesTotal: 2, blockedByReason: { InsufficientResources: 1, WaitingForBudget: 1 },
    blockedNodes: [
      { node: 'n1', wave: 'all', reason: 'InsufficientResources', message: '0/3 nodes are available: 1 Insufficient cpu', since: rfc3339(T0), cause: 'Revision' },
      { node: 'n2', wave: 'all', reason: 'WaitingForBudget', message: 'budget', since: rfc3339(T0), cause: 'Budget' },
    ],
  };
  const blocker = { node: 'n1', reason: 'EvictionBlocked' as const, message: 'make-room: PodDisruptionBudget batch/big-pdb allows no disruption' };
  const first = withRoomBlockers(status, [blocker], status, T0 + 5000, () => 'all');
  assert.deepEqual(first.blockedNodes?.[0], { ...status.blockedNodes![0], reason: 'EvictionBlocked', message: blocker.message, since: rfc3339(T0 + 5000) });
  assert.deepEqual(first.blockedByReason, { EvictionBlocked: 1, WaitingForBudget: 1 });
  assert.equal(first.blockedNodesTotal, 2);
  const again = withRoomBlockers(status, [blocker], first, T0 + 9000, () => 'all');
  assert.deepEqual(again, first, 'an unchanged sync writes the same status');
  const added = withRoomBlockers(status, [{ node: 'n3', reason: 'EvictionBlocked', message: 'm' }], status, T0, (n) => (n === 'n3' ? 'all' : undefined));
  assert.deepEqual(added.blockedNodes?.map((b) => `${b.node}:${b.cause}`), ['n1:Revision', 'n3:Node', 'n2:Budget']);
  assert.equal(added.blockedNodesTotal, 3);
  assert.deepEqual(withRoomBlockers(status, [{ node: 'elsewhere', reason: 'EvictionBlocked', message: 'm' }], status, T0, () => undefined), status, 'not a node of this rollout');
});

test('the core reports a new daemon pod the scheduler could not bind on the node it is pinned to (InsufficientResources)', () => {
  const pending = pendingDaemon('n1');
  const plan = planRollout(input(rollout(), [ds], [coreNode('n0'), coreNode('n1')], [corePod(ds, 'n0', { isNew: true }), pending]), T0);
  const b = plan.status.blockedNodes?.find((x) => x.node === 'n1');
  assert.equal(b?.reason, 'InsufficientResources');
  assert.match(b?.message ?? '', /Insufficient cpu/);
});

test('property: the slim pods the controller caches give the core the same plan as whole pods', () => {
  const states = fc.record({ isNew: fc.boolean(), ready: fc.boolean(), restarts: fc.integer({ min: 0, max: 6 }), waiting: fc.constantFrom(undefined, 'CrashLoopBackOff', 'ImagePullBackOff', 'ContainerCreating'), deleting: fc.boolean(), createdAgoMs: fc.integer({ min: 0, max: 3_600_000 }) });
  fc.assert(fc.property(fc.array(states, { minLength: 1, maxLength: 6 }), fc.boolean(), (ss, pendingOne) => {
    const nodes = ss.map((_, i) => coreNode(`n${i}`, { labels: { zone: i % 2 ? 'a' : 'b' } }));
    const pods: Pod[] = ss.map((s, i) => {
      const p = corePod(ds, `n${i}`, { ...s, createdMs: T0 - s.createdAgoMs, readySinceMs: T0 - s.createdAgoMs });
      return { ...p, metadata: { ...p.metadata, annotations: { 'kubectl.kubernetes.io/last-applied': 'x'.repeat(100) }, labels: { ...p.metadata!.labels, extra: 'y' } }, spec: { ...p.spec!, tolerations: [{ operator: 'Exists' }] } };
    });
    if (pendingOne) pods.push(pendingDaemon('n0'));
    const r = rollout({ waves: [{ name: 'b', nodeSelector: { matchLabels: { zone: 'b' } }, maxUnavailable: 1 }, { name: 'rest', maxUnavailable: 2 }], health: { maxRestarts: 2, podReadyTimeoutSeconds: 600 } });
    const whole = planRollout(input(r, [ds], nodes, pods), T0);
    const slim = planRollout(input(r, [ds], nodes, pods.map((p) => slimPod(p as Pod & KObject))), T0);
    assert.deepEqual(slim, whole);
  }), { numRuns: 150 });
});

test('the slim pod keeps what make-room reads and drops the rest', () => {
  const p = { ...filler('big', 'n1', '3'), metadata: { ...filler('big', 'n1', '3').metadata, managedFields: [{}], annotations: { big: 'x'.repeat(1000), 'kubernetes.io/config.mirror': 'm' } } } as Pod & KObject;
  const s = slimPod({ ...p, spec: { ...p.spec!, overhead: { cpu: '100m' }, volumes: [{ name: 'v' }] } } as Pod & KObject);
  assert.deepEqual(s.metadata, { name: 'big', namespace: 'batch', uid: 'uid-big', labels: { app: 'big' }, annotations: { 'kubernetes.io/config.mirror': 'm' } });
  assert.deepEqual(s.spec, { nodeName: 'n1', priority: 0, overhead: { cpu: '100m' }, containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '3' } } }] });
});
