// Spec §9.2 unit scenarios 1–34 (daemon_controller_test.go): one test per scenario.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../api/types.js';
import { claimObjects } from './claim.js';
import { nodeShouldRunDaemonPod } from './eligibility.js';
import { groupPodsByNode } from './manage.js';
import { slowStart } from '../slowstart.js';
import { plan, planStatusOnly } from './plan.js';
import { failedPodBackoffKey } from './backoff.js';
import { statusNeedsWrite } from './status.js';
import { targetNodeName } from './pods.js';
import { daemonSetKeysForPodChange, nodeChangeMatters } from './triggers.js';
import { counts, DS_LABELS, FakeCluster, makeDs, makeNode, makeNodes, makePod, setReady, T0, type Strategy } from './testkit.js';

const STRATEGIES: Strategy[] = ['OnDelete', 'RollingUpdate'];
const podsOn = (c: FakeCluster, node: string) => c.pods.filter((p) => targetNodeName(p) === node);

test('1 simple daemon set launches pods on every node', () => {
  for (const strategy of STRATEGIES) {
    const c = new FakeCluster(makeDs({ strategy }), makeNodes(0, 5));
    assert.deepEqual(counts(c.sync()), [5, 0, 0]);
  }
});

test('2 created pods are pinned by a single matchFields term, not bound', () => {
  for (const strategy of STRATEGIES) {
    const p = new FakeCluster(makeDs({ strategy }), makeNodes(0, 5)).sync();
    const seen = new Set<string>();
    for (const { nodeName, pod } of p.createPods) {
      assert.equal(pod.spec?.nodeName, undefined);
      const terms = pod.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
      assert.equal(terms.length, 1);
      assert.deepEqual(terms[0].matchFields, [{ key: 'metadata.name', operator: 'In', values: [nodeName] }]);
      seen.add(nodeName);
    }
    assert.deepEqual([...seen].sort(), ['node-0', 'node-1', 'node-2', 'node-3', 'node-4']);
  }
  const direct = new FakeCluster(makeDs(), makeNodes(0, 1), true).sync();
  assert.equal(direct.createPods[0].pod.spec?.nodeName, 'node-0');
  assert.ok(direct.createPods[0].pod.spec?.affinity?.nodeAffinity);
});

test('3 create errors: slow start bounds the calls and status reflects the 10 created pods', async () => {
  for (const strategy of STRATEGIES) {
    const c = new FakeCluster(makeDs({ strategy }), makeNodes(0, 100));
    const p = plan(c.snapshot());
    assert.equal(p.createPods.length, 100);
    // The shell (slowStart) stops starting creates at the first failure: with 10 allowed creates
    // the calls stay in proportion to the successes (upstream's batches give 1+2+4+8).
    let calls = 0;
    const { results, notStarted } = await slowStart(p.createPods, async () => {
      const n = ++calls;
      await new Promise<void>((r) => setImmediate(r));
      if (n > 10) throw new Error('exceeded quota');
    });
    assert.equal(results.filter((r) => r.ok).length, 10);
    assert.ok(calls <= 2 * 10 + 1, `calls ${calls}`);
    assert.equal(results.length + notStarted, 100);
    c.apply({ ...p, writeStatus: false }, 10);
    // The shell then stores the status of what exists: desired 100, current 10, updated 10.
    const { status } = planStatusOnly(c.snapshot());
    assert.deepEqual([status.desiredNumberScheduled, status.currentNumberScheduled, status.updatedNumberScheduled], [100, 10, 10]);
    assert.equal(plan(c.snapshot()).createPods.length, 90);
  }
  assert.equal(new FakeCluster(makeDs(), makeNodes(0, 300)).sync().createPods.length, 250);
});

// Upstream's unit test sees currentNumberScheduled 5 after one sync because its fake client adds
// pods to the cache at once; we report what is observed, so the count follows on the next sync,
// as it does against a real API server.
test('4 one sync creates pods and reports currentNumberScheduled 5', () => {
  for (const strategy of STRATEGIES) {
    const c = new FakeCluster(makeDs({ strategy }), makeNodes(0, 5));
    const p = c.sync();
    assert.equal(p.createPods.length, 5);
    assert.equal(p.writeStatus, true);
    assert.equal(p.status.currentNumberScheduled, 0);
    assert.equal(p.status.desiredNumberScheduled, 5);
    const next = c.sync();
    assert.equal(next.status.currentNumberScheduled, 5);
  }
});

test('5 pod writes and the status write are planned together (the shell reports the pod error first)', () => {
  for (const strategy of STRATEGIES) {
    const p = new FakeCluster(makeDs({ strategy }), makeNodes(0, 1)).sync();
    assert.deepEqual(counts(p), [1, 0, 0]);
    assert.equal(p.writeStatus, true);
  }
});

test('6 no nodes does nothing; one node gets one pod', () => {
  for (const strategy of STRATEGIES) {
    assert.deepEqual(counts(new FakeCluster(makeDs({ strategy }), []).sync()), [0, 0, 0]);
    assert.deepEqual(counts(new FakeCluster(makeDs({ strategy }), makeNodes(0, 1)).sync()), [1, 0, 0]);
  }
});

test('7 not-ready, network-unavailable and pressure nodes still get a pod', () => {
  const notReady = makeNode('nr');
  (notReady as { status: Node['status'] }).status = { conditions: [{ type: 'Ready', status: 'False' }] };
  const netDown = makeNode('net');
  (netDown as { status: Node['status'] }).status = { conditions: [{ type: 'NetworkUnavailable', status: 'True' }] };
  const pressure = makeNode('pressure', { taints: ['disk-pressure', 'memory-pressure', 'pid-pressure'].map((k) => ({ key: `node.kubernetes.io/${k}`, effect: 'NoSchedule' })) });
  for (const strategy of STRATEGIES) {
    for (const node of [notReady, netDown, pressure]) assert.deepEqual(counts(new FakeCluster(makeDs({ strategy }), [node]).sync()), [1, 0, 0]);
  }
});

test('8 insufficient capacity does not stop creation and emits no events', () => {
  const node = makeNode('small');
  (node as { status: Node['status'] }).status = { allocatable: { cpu: '100m', memory: '10Mi', pods: '1' } };
  const ds = makeDs();
  ds.spec!.template.spec!.containers[0].resources = { requests: { cpu: '8', memory: '64Gi' } };
  assert.deepEqual(counts(new FakeCluster(ds, [node]).sync()), [1, 0, 0]);
});

test('9 a daemon set being deleted does nothing, and an orphan is not adopted', () => {
  for (const strategy of STRATEGIES) {
    const ds = makeDs({ strategy });
    const deleting = { ...ds, metadata: { ...ds.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } };
    const c = new FakeCluster(deleting, makeNodes(0, 1));
    const orphan = makePod(ds, 'node-0');
    orphan.metadata!.ownerReferences = [];
    assert.deepEqual(claimObjects(deleting, [orphan]).adopt, []);
    const p = c.sync();
    assert.deepEqual(counts(p), [0, 0, 0]);
    assert.equal(p.writeStatus, false);
  }
});

test('10 host ports are never checked', () => {
  const ds = makeDs();
  ds.spec!.template.spec!.containers[0].ports = [{ containerPort: 666, hostPort: 666 }];
  const c = new FakeCluster(ds, makeNodes(0, 2));
  c.pods.push(makePod(ds, 'node-0')); // own pod already using the port
  assert.deepEqual(counts(c.sync()), [1, 0, 0]);
  assert.deepEqual(nodeShouldRunDaemonPod(makeNode('node-0'), ds), { shouldRun: true, shouldContinueRunning: true });
});

test('11 an empty selector only warns SelectingAll', () => {
  for (const strategy of STRATEGIES) {
    const ds = makeDs({ strategy });
    ds.spec!.selector = {};
    ds.spec!.template.spec!.nodeSelector = { nothing: 'matches' };
    const c = new FakeCluster(ds, makeNodes(0, 1));
    const p = c.sync();
    assert.deepEqual(counts(p), [0, 0, 1]);
    assert.equal(p.events[0].reason, 'SelectingAll');
    assert.equal(p.events[0].type, 'Warning');
    assert.equal(p.writeStatus, false);
  }
});

test('12 deals with existing pods: duplicates pruned, non-matching owned pods released', () => {
  for (const strategy of STRATEGIES) {
    const ds = makeDs({ strategy });
    const c = new FakeCluster(ds, makeNodes(0, 5));
    const all = [
      makePod(ds, 'node-1'), ...[1, 2].map(() => makePod(ds, 'node-2')), ...[1, 2, 3, 4, 5].map(() => makePod(ds, 'node-3')),
      ...[1, 2].map(() => makePod(ds, 'node-4', { labels: { name: 'other' } })),
    ];
    const claim = claimObjects(ds, all);
    assert.equal(claim.release.length, 2);
    c.pods = claim.owned;
    const p = c.sync();
    assert.deepEqual(counts(p), [2, 5, 0]);
    assert.deepEqual(p.createPods.map((x) => x.nodeName), ['node-0', 'node-4']);
  }
});

test('13 nodeSelector picks 3 of 7 nodes; pods on unselected nodes are deleted', () => {
  const blue = { color: 'blue' };
  for (const strategy of STRATEGIES) {
    const ds = makeDs({ strategy });
    ds.spec!.template.spec!.nodeSelector = blue;
    assert.deepEqual(counts(new FakeCluster(ds, [...makeNodes(0, 4), ...makeNodes(4, 3, blue)]).sync()), [3, 0, 0]);

    const c = new FakeCluster(ds, [...makeNodes(0, 5), ...makeNodes(5, 5, blue)]);
    c.pods = [makePod(ds, 'node-0'), makePod(ds, 'node-0'), makePod(ds, 'node-1'), makePod(ds, 'node-4')];
    assert.deepEqual(counts(c.sync()), [5, 4, 0]);

    const d = new FakeCluster(ds, [...makeNodes(0, 5), ...makeNodes(5, 5, blue)]);
    d.pods = [
      ...Array.from({ length: 10 }, () => makePod(ds, 'node-0')), ...Array.from({ length: 6 }, () => makePod(ds, 'node-1')),
      makePod(ds, 'node-5'), ...Array.from({ length: 5 }, () => makePod(ds, 'node-6')),
    ];
    assert.deepEqual(counts(d.sync()), [3, 20, 0]);
  }
});

test('14 nodeSelector matching nothing, and template nodeName variants', () => {
  for (const strategy of STRATEGIES) {
    const nodes = [...makeNodes(0, 4), ...makeNodes(4, 1, { color: 'blue' })];
    const run = (mut: (d: ReturnType<typeof makeDs>) => void) => { const ds = makeDs({ strategy }); mut(ds); return counts(new FakeCluster(ds, nodes).sync()); };
    assert.deepEqual(run((d) => { d.spec!.template.spec!.nodeSelector = { color: 'red' }; }), [0, 0, 0]);
    assert.deepEqual(run((d) => { d.spec!.template.spec!.nodeName = 'node-1'; }), [1, 0, 0]);
    assert.deepEqual(run((d) => { d.spec!.template.spec!.nodeName = 'node-99'; }), [0, 0, 0]);
    assert.deepEqual(run((d) => { d.spec!.template.spec!.nodeName = 'node-4'; d.spec!.template.spec!.nodeSelector = { color: 'blue' }; }), [1, 0, 0]);
    assert.deepEqual(run((d) => { d.spec!.template.spec!.nodeName = 'node-1'; d.spec!.template.spec!.nodeSelector = { color: 'blue' }; }), [0, 0, 0]);
  }
});

test('15 required node affinity selects the blue nodes', () => {
  for (const strategy of STRATEGIES) {
    const ds = makeDs({ strategy });
    ds.spec!.template.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'color', operator: 'In', values: ['blue'] }] }] } } };
    const p = new FakeCluster(ds, [...makeNodes(0, 4), ...makeNodes(4, 3, { color: 'blue' })]).sync();
    assert.deepEqual(p.createPods.map((x) => x.nodeName), ['node-4', 'node-5', 'node-6']);
    // The user's terms are replaced by the pin; the rest of the affinity is kept.
    const terms = p.createPods[0].pod.spec!.affinity!.nodeAffinity!.requiredDuringSchedulingIgnoredDuringExecution!.nodeSelectorTerms;
    assert.equal(terms.length, 1);
    assert.equal(terms[0].matchExpressions, undefined);
  }
});

test('16 numberReady follows readiness; observedGeneration is set on a full sync', () => {
  for (const strategy of STRATEGIES) {
    const ds = makeDs({ strategy });
    (ds.metadata as { generation: number }).generation = 7;
    const c = new FakeCluster(ds, makeNodes(0, 2));
    c.pods = [makePod(ds, 'node-0'), makePod(ds, 'node-1')];
    let p = c.sync();
    assert.equal(p.status.numberReady, 0);
    assert.equal(p.status.observedGeneration, 7);
    c.markAllReady();
    p = c.sync();
    assert.equal(p.status.numberReady, 2);
    assert.equal(p.status.numberAvailable, 2);
  }
});

test('17 failed pods are killed; the replacement comes on the next sync', () => {
  const cases: [number, number, number[]][] = [[0, 1, [0, 0, 0]], [0, 0, [1, 0, 0]], [1, 0, [0, 1, 1]], [1, 3, [0, 3, 1]]];
  for (const strategy of STRATEGIES) {
    for (const [failed, normal, expected] of cases) {
      const ds = makeDs({ strategy });
      const c = new FakeCluster(ds, makeNodes(0, 1));
      for (let i = 0; i < failed; i++) c.pods.push(makePod(ds, 'node-0', { phase: 'Failed' }));
      for (let i = 0; i < normal; i++) c.pods.push(makePod(ds, 'node-0', { createdMs: T0 + i * 1000 }));
      const p = c.sync();
      assert.deepEqual(counts(p), expected, `${failed} failed, ${normal} normal`);
      if (failed) assert.match(p.events[0].message, /^Found failed daemon pod default\/pod-\d+ on node node-0, will try to kill it$/);
    }
  }
  const ds = makeDs();
  const c = new FakeCluster(ds, makeNodes(0, 1));
  c.pods = [makePod(ds, 'node-0', { phase: 'Failed' })];
  c.sync();
  assert.deepEqual(counts(c.sync()), [1, 0, 0]);
});

test('18 failed-pod back-off: 1s, doubling, exact expiry', () => {
  // observedGeneration is part of the key, so start with it already caught up.
  const ds = { ...makeDs(), status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, observedGeneration: 1 } };
  const c = new FakeCluster(ds, makeNodes(0, 1));
  const failAgain = () => { c.pods = [makePod(ds, 'node-0', { phase: 'Failed' })]; };
  failAgain();
  assert.deepEqual(counts(c.sync()), [0, 1, 1]);
  const key = failedPodBackoffKey(ds, 'node-0');
  assert.equal(c.backoff[key].delayMs, 1000);
  failAgain();
  let p = c.sync();
  assert.deepEqual(counts(p), [0, 0, 0]);
  assert.equal(p.requeueAfterMs, 1000);
  assert.equal(c.backoff[key].delayMs, 1000);
  c.nowMs += 999;
  assert.deepEqual(counts(c.sync()), [0, 0, 0]);
  c.nowMs += 1;
  p = c.sync();
  assert.deepEqual(counts(p), [0, 1, 1]);
  assert.equal(c.backoff[key].delayMs, 2000);
  // Succeeded pods are deleted without back-off.
  c.pods = [makePod(ds, 'node-0', { phase: 'Succeeded' })];
  p = c.sync();
  assert.deepEqual(counts(p), [0, 1, 1]);
  assert.equal(p.events[0].reason, 'SucceededDaemonPod');
});

test('19 taints: NoSchedule keeps, NoExecute evicts, tolerations admit', () => {
  for (const strategy of STRATEGIES) {
    const ds = makeDs({ strategy });
    const withPod = (taint: string) => {
      const c = new FakeCluster(ds, [makeNode('node-0', { taints: [{ key: 'k', value: 'v', effect: taint }] })]);
      c.pods = [makePod(ds, 'node-0')];
      return counts(c.sync());
    };
    assert.deepEqual(withPod('NoSchedule'), [0, 0, 0]);
    assert.deepEqual(withPod('NoExecute'), [0, 1, 0]);
    const tainted = [makeNode('node-0', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] })];
    assert.deepEqual(counts(new FakeCluster(ds, tainted).sync()), [0, 0, 0]);
    const tolerant = makeDs({ strategy });
    tolerant.spec!.template.spec!.tolerations = [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }];
    assert.deepEqual(counts(new FakeCluster(tolerant, tainted).sync()), [1, 0, 0]);
    assert.deepEqual(counts(new FakeCluster(tolerant, makeNodes(0, 1)).sync()), [1, 0, 0]);
  }
});

test('20 not-ready and unreachable NoExecute taints are auto-tolerated', () => {
  for (const strategy of STRATEGIES) {
    for (const [key, status] of [['node.kubernetes.io/not-ready', 'False'], ['node.kubernetes.io/unreachable', 'Unknown']]) {
      const node = makeNode('node-0', { taints: [{ key, effect: 'NoExecute' }] });
      (node as { status: Node['status'] }).status = { conditions: [{ type: 'Ready', status }] };
      assert.deepEqual(counts(new FakeCluster(makeDs({ strategy }), [node]).sync()), [1, 0, 0]);
    }
  }
});

test('21 a terminating pod is not replaced until it is gone', () => {
  for (const strategy of STRATEGIES) {
    const ds = makeDs({ strategy });
    const c = new FakeCluster(ds, makeNodes(0, 1));
    c.pods = [makePod(ds, 'node-0', { deleting: true })];
    assert.deepEqual(counts(c.sync()), [0, 0, 0]);
  }
});

test('22 nodeShouldRunDaemonPod table', () => {
  const ds = makeDs();
  ds.spec!.template.spec!.containers[0].resources = { requests: { cpu: '100' } };
  const yes = { shouldRun: true, shouldContinueRunning: true }, no = { shouldRun: false, shouldContinueRunning: false };
  assert.deepEqual(nodeShouldRunDaemonPod(makeNode('n'), ds), yes);
  const named = makeDs(); named.spec!.template.spec!.nodeName = 'other';
  assert.deepEqual(nodeShouldRunDaemonPod(makeNode('n'), named), no);
  const sel = makeDs(); sel.spec!.template.spec!.nodeSelector = { a: 'b' };
  assert.deepEqual(nodeShouldRunDaemonPod(makeNode('n'), sel), no);
  const aff = makeDs();
  aff.spec!.template.spec!.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }] } } };
  assert.deepEqual(nodeShouldRunDaemonPod(makeNode('n'), aff), no);
  const cordoned = makeNode('n', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(cordoned, makeDs()), yes);
  const notReadyNoSchedule = makeNode('n', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(notReadyNoSchedule, makeDs()), { shouldRun: false, shouldContinueRunning: true });
  const prefer = makeNode('n', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(prefer, makeDs()), yes);
  const netUnavailable = makeNode('n', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(netUnavailable, makeDs()), { shouldRun: false, shouldContinueRunning: true });
  const hostNet = makeDs(); hostNet.spec!.template.spec!.hostNetwork = true;
  assert.deepEqual(nodeShouldRunDaemonPod(netUnavailable, hostNet), yes);
});

test('23 node updates matter only for labels and taints', () => {
  const base = makeNode('n');
  assert.equal(nodeChangeMatters(base, structuredClone(base)), false);
  assert.equal(nodeChangeMatters(base, makeNode('n', { labels: { a: 'b' } })), true);
  assert.equal(nodeChangeMatters(base, makeNode('n', { taints: [{ key: 'k', effect: 'NoSchedule' }] })), true);
  const moreCapacity = structuredClone(base);
  (moreCapacity as { status: Node['status'] }).status = { allocatable: { cpu: '64' } };
  assert.equal(nodeChangeMatters(base, moreCapacity), false);
  const small = makeNode('n');
  (small as { status: Node['status'] }).status = { allocatable: { cpu: '1m' } };
  assert.deepEqual(counts(new FakeCluster(makeDs(), [small]).sync()), [1, 0, 0]);
});

test('24 deleting pods that are not daemon pods enqueues nothing', () => {
  const ds = makeDs();
  const other = makePod(ds, 'node-0', { labels: { app: 'x' } });
  other.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }];
  const orphan = makePod(ds, 'node-0');
  orphan.metadata!.ownerReferences = [];
  const unscheduled = { ...orphan, spec: { containers: [] } };
  for (const pod of [other, orphan, unscheduled]) assert.deepEqual(daemonSetKeysForPodChange(pod, undefined, [ds]), []);
});

test('25 pods on vanished nodes: bound ones are left to PodGC, pending pinned ones deleted', () => {
  for (const strategy of STRATEGIES) {
    const ds = makeDs({ strategy });
    const bound = new FakeCluster(ds, makeNodes(0, 1));
    bound.pods = [makePod(ds, 'node-0'), makePod(ds, 'gone')];
    assert.deepEqual(counts(bound.sync()), [0, 0, 0]);
    const pending = new FakeCluster(ds, makeNodes(0, 1));
    pending.pods = [makePod(ds, 'node-0'), makePod(ds, 'gone', { pinned: true, phase: 'Pending' })];
    const p = pending.sync();
    assert.deepEqual(counts(p), [0, 1, 0]);
    assert.equal(p.deletePods[0].reason, 'node-gone');
  }
});

test('26 grouping pods by node: claimed pods incl. terminal; deleted terminal ones only on request', () => {
  const ds = makeDs();
  const owned = makePod(ds, 'node-0');
  const orphan = makePod(ds, 'node-1', { phase: 'Succeeded' }); orphan.metadata!.ownerReferences = [];
  const failedOrphan = makePod(ds, 'node-1', { phase: 'Failed' }); failedOrphan.metadata!.ownerReferences = [];
  const deletedTerminal = makePod(ds, 'node-2', { phase: 'Failed', deleting: true });
  const nonMatching = makePod(ds, 'node-3', { labels: { app: 'x' } }); nonMatching.metadata!.ownerReferences = [];
  const otherOwner = makePod(ds, 'node-3'); otherOwner.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'bar', uid: 'uid-bar', controller: true }];
  const { owned: claimed } = claimObjects(ds, [owned, orphan, failedOrphan, deletedTerminal, nonMatching, otherOwner]);
  const names = (m: Map<string, Pod[]>) => Object.fromEntries([...m].map(([k, v]) => [k, v.map((p) => p.metadata!.name)]));
  assert.deepEqual(names(groupPodsByNode(claimed)), {
    'node-0': [owned.metadata!.name], 'node-1': [orphan.metadata!.name, failedOrphan.metadata!.name],
  });
  assert.deepEqual(names(groupPodsByNode(claimed, true))['node-2'], [deletedTerminal.metadata!.name]);
});

test('27 pod event handlers enqueue the owner or the matching daemon sets', () => {
  const foo1 = makeDs({ name: 'foo1', uid: 'u1' }), foo2 = makeDs({ name: 'foo2', uid: 'u2' });
  const foo3 = makeDs({ name: 'foo3', uid: 'u3' }); foo3.spec!.selector = { matchLabels: { other: 'x' } };
  const dses = [foo3, foo2, foo1];
  const owned0 = makePod(foo1, 'node-0');
  const owned = { ...owned0, metadata: { ...owned0.metadata, resourceVersion: '1' } };
  assert.deepEqual(daemonSetKeysForPodChange(undefined, owned, dses), ['default/foo1']);
  const ownedUpdated = { ...owned, metadata: { ...owned.metadata, resourceVersion: '2' } };
  assert.deepEqual(daemonSetKeysForPodChange(owned, ownedUpdated, dses), ['default/foo1']);
  assert.deepEqual(daemonSetKeysForPodChange(owned, undefined, dses), ['default/foo1']);
  const orphan = { ...owned, metadata: { ...owned.metadata, ownerReferences: [] } };
  assert.deepEqual(daemonSetKeysForPodChange(undefined, orphan, dses), ['default/foo1', 'default/foo2']);
  const sameLabels = { ...orphan, metadata: { ...orphan.metadata, resourceVersion: '3' } };
  assert.deepEqual(daemonSetKeysForPodChange(orphan, sameLabels, dses), []);
  const relabelled = { ...orphan, metadata: { ...orphan.metadata, resourceVersion: '3', labels: { ...DS_LABELS, extra: 'y' } } };
  assert.deepEqual(daemonSetKeysForPodChange(orphan, relabelled, dses), ['default/foo1', 'default/foo2']);
  const moved = { ...owned, metadata: { ...owned.metadata, resourceVersion: '4', ownerReferences: [{ ...owned.metadata!.ownerReferences![0], name: 'foo2', uid: 'u2' }] } };
  assert.equal(daemonSetKeysForPodChange(owned, moved, dses).length, 2);
  const released = { ...owned, metadata: { ...owned.metadata, resourceVersion: '4', ownerReferences: [] } };
  assert.equal(daemonSetKeysForPodChange(owned, released, dses).length, 2);
  assert.deepEqual(daemonSetKeysForPodChange(orphan, undefined, dses), []);
  assert.deepEqual(daemonSetKeysForPodChange(owned, owned, dses), []);
});

test('28 surge mode deals with existing pods like scenario 12', () => {
  const ds = makeDs({ maxSurge: 1 });
  const c = new FakeCluster(ds, makeNodes(0, 5));
  const all = [
    makePod(ds, 'node-1'), ...[1, 2].map(() => makePod(ds, 'node-2')), ...[1, 2, 3, 4, 5].map(() => makePod(ds, 'node-3')),
    ...[1, 2].map(() => makePod(ds, 'node-4', { labels: { name: 'other' } })),
  ];
  c.pods = claimObjects(ds, all).owned;
  assert.deepEqual(counts(c.sync()), [2, 5, 0]);
});

/** node-1 carries a current pod (t=100), an old pod (t=50) and another old Ready pod (t=60). */
function surgeSetup(opts: { oldestReady: boolean; minReadySeconds?: number; newReadySinceMs?: number }) {
  const ds = makeDs({ maxSurge: 1 });
  if (opts.minReadySeconds) ds.spec!.minReadySeconds = opts.minReadySeconds;
  const c = new FakeCluster(ds, makeNodes(0, 4));
  const hash = plan(c.snapshot()).createRevision!.metadata!.labels!['controller-revision-hash'];
  const at = (s: number) => T0 + s * 1000;
  const fresh = makePod(ds, 'node-1', { name: 'new', hash, createdMs: at(100), ready: opts.newReadySinceMs !== undefined, readySinceMs: opts.newReadySinceMs });
  const old50 = makePod(ds, 'node-1', { name: 'old-50', hash: 'old', createdMs: at(50), ready: opts.oldestReady });
  const old60 = makePod(ds, 'node-1', { name: 'old-60', hash: 'old', createdMs: at(60), ready: true });
  c.pods = [fresh, old50, old60];
  return { c, at };
}

test('29 surge preserves the oldest Ready old pod next to an unready new one', () => {
  const { c } = surgeSetup({ oldestReady: true });
  const p = c.sync();
  assert.deepEqual(p.deletePods.map((d) => d.name), ['old-60']);
  assert.deepEqual(p.createPods.map((x) => x.nodeName), ['node-0', 'node-2', 'node-3']);
});

test('30 surge deletes unready old pods', () => {
  const { c } = surgeSetup({ oldestReady: false });
  const p = c.sync();
  assert.deepEqual(p.deletePods.map((d) => d.name).sort(), ['old-50', 'old-60']);
  assert.equal(p.createPods.length, 3);
});

test('31 surge keeps the old Ready pod until the new one is available for minReadySeconds', () => {
  const early = surgeSetup({ oldestReady: true, minReadySeconds: 15, newReadySinceMs: T0 + 50_000 });
  early.c.nowMs = T0 + 60_000;
  const p = early.c.sync();
  assert.deepEqual(p.deletePods.map((d) => d.name), ['old-60']);
  assert.equal(p.requeueAfterMs, 5_001);
  const late = surgeSetup({ oldestReady: true, minReadySeconds: 15, newReadySinceMs: T0 + 50_000 });
  late.c.nowMs = T0 + 70_000;
  assert.deepEqual(late.c.sync().deletePods.map((d) => d.name).sort(), ['old-50', 'old-60']);
});

test('32 surge at max still replaces an old pod that is terminating', () => {
  const ds = makeDs({ maxSurge: 1 });
  const c = new FakeCluster(ds, makeNodes(0, 5));
  const hash = plan(c.snapshot()).createRevision!.metadata!.labels!['controller-revision-hash'];
  c.pods = [
    makePod(ds, 'node-0', { hash, createdMs: T0 + 10_000 }), makePod(ds, 'node-0', { hash: 'old', ready: true }),
    ...['node-1', 'node-2', 'node-3'].map((n) => makePod(ds, n, { hash: 'old', ready: true })),
    makePod(ds, 'node-4', { hash: 'old', ready: true, deleting: true }),
  ];
  const p = c.sync();
  assert.deepEqual(counts(p), [1, 0, 0]);
  assert.equal(p.createPods[0].nodeName, 'node-4');
});

test('33 status writes are skipped when nothing changed', () => {
  const c = new FakeCluster(makeDs(), makeNodes(0, 2));
  c.sync();
  c.markAllReady();
  const p = c.sync();
  assert.equal(p.writeStatus, true);
  assert.equal(c.sync().writeStatus, false);
  const ds = c.ds;
  assert.equal(statusNeedsWrite(ds, { ...ds.status!, numberReady: 1 }), true);
  const newer = { ...ds, metadata: { ...ds.metadata, generation: 5 } };
  assert.equal(statusNeedsWrite(newer, ds.status!), true);
  assert.equal(statusNeedsWrite(ds, { ...ds.status!, collisionCount: 1 }), true);
});

test('34 a recreated daemon set (new UID) starts clean', () => {
  const old = makeDs({ uid: 'old' });
  const c = new FakeCluster(old, makeNodes(0, 1));
  c.sync();
  const recreated = makeDs({ uid: 'new' });
  const claim = claimObjects(recreated, c.pods);
  assert.deepEqual(claim.owned, []); // still owned by the old UID until GC
  assert.deepEqual(counts(plan({ ...c.snapshot(), ds: recreated, pods: claim.owned, revisions: [] })), [1, 0, 0]);
  assert.notEqual(failedPodBackoffKey(old, 'node-0'), failedPodBackoffKey(recreated, 'node-0'));
});
