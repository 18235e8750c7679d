// The checker must flag what it exists to flag (a checker that cannot fail is worthless) and
// must not flag what the chaos itself causes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DaemonSet, Node, Pod, Taint } from '../../api/types.js';
import { convergenceGaps, evaluate, expectedStatus, INITIAL_STATE, isAvailable, scaled, shouldRun, targetNode, unavailableBudget, type CheckerState, type Snapshot } from './invariants.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const UID = 'ds-uid';

function ds(o: { maxUnavailable?: number | string; maxSurge?: number | string; image?: string; nodeSelector?: Record<string, string>; generation?: number } = {}): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'chaos', uid: UID, generation: o.generation ?? 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: o.maxUnavailable ?? 1, maxSurge: o.maxSurge ?? 0 } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}), containers: [{ name: 'agent', image: o.image ?? 'img:v2' }] } },
    },
  };
}

function node(name: string, o: { ready?: boolean; labels?: Record<string, string>; annotations?: Record<string, string>; taints?: { key: string; effect: string }[] } = {}): Node {
  return {
    metadata: { name, labels: o.labels ?? {}, annotations: o.annotations ?? {} },
    spec: { taints: o.taints as Taint[] | undefined },
    status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

let seq = 0;
function pod(nodeName: string, o: { image?: string; ready?: boolean; deleting?: boolean; created?: string; phase?: string; pinned?: boolean; name?: string } = {}): Pod {
  return {
    metadata: {
      name: o.name ?? `agent-${++seq}`, namespace: 'chaos', creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: UID, controller: true }],
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:09:00Z' } : {}),
    },
    spec: {
      containers: [{ name: 'agent', image: o.image ?? 'img:v2' }],
      ...(o.pinned ? { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }] } } } } : { nodeName }),
    },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2026-01-01T00:01:00Z' }] },
  };
}

const nodes = (n: number) => Array.from({ length: n }, (_, i) => node(`n${i}`));
const snap = (d: DaemonSet, ns: Node[], ps: Pod[]): Snapshot => ({ nodes: ns, pods: ps, daemonSets: [d] });

/** Evaluate a sequence of snapshots, as the checker does event by event. */
function run(steps: Snapshot[], disturbed: Set<string> = new Set()) {
  let state: CheckerState = INITIAL_STATE;
  const all = [];
  for (const s of steps) { const r = evaluate(state, s, disturbed, NOW); state = r.state; all.push(...r.violations); }
  return { state, violations: all };
}

test('scaled and budget: ints as-is, percentages rounded up, both zero means 1, OnDelete has none', () => {
  assert.equal(scaled(2, 10), 2);
  assert.equal(scaled('25%', 10), 3);
  assert.equal(scaled('bogus', 10), 0);
  assert.equal(unavailableBudget(ds({ maxUnavailable: '50%' }), 3), 2);
  assert.equal(unavailableBudget(ds({ maxUnavailable: 0, maxSurge: 0 }), 3), 1);
  assert.equal(unavailableBudget(ds({ maxUnavailable: 0, maxSurge: 2 }), 3), 0);
  const onDelete = ds();
  onDelete.spec!.updateStrategy = { type: 'OnDelete' };
  assert.equal(unavailableBudget(onDelete, 3), undefined);
});

test('shouldRun: nodeSelector, untolerated NoSchedule taints; the daemon tolerations are automatic', () => {
  const d = ds({ nodeSelector: { tier: 'edge' } });
  assert.equal(shouldRun(d, node('a', { labels: { tier: 'edge' } })), true);
  assert.equal(shouldRun(d, node('a', { labels: { tier: 'general' } })), false);
  assert.equal(shouldRun(ds(), node('a', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] })), false);
  assert.equal(shouldRun(ds(), node('a', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' }] })), true);
  assert.equal(shouldRun(ds(), node('a', { taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] })), true);
  assert.equal(shouldRun(ds(), node('a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] })), true);
});

test('targetNode and availability', () => {
  assert.equal(targetNode(pod('n3', { pinned: true })), 'n3');
  assert.equal(targetNode(pod('n4')), 'n4');
  const p = pod('n1');
  assert.equal(isAvailable(p, 0, NOW), true);
  assert.equal(isAvailable(p, 600, Date.parse('2026-01-01T00:05:00Z')), false);
  assert.equal(isAvailable(pod('n1', { ready: false }), 0, NOW), false);
});

test('flags two live pods on a node without surge, but not a terminating one beside its replacement', () => {
  const d = ds();
  const bad = run([snap(d, nodes(2), [pod('n0'), pod('n0'), pod('n1')])]);
  assert.equal(bad.violations.length, 1);
  assert.equal(bad.violations[0].kind, 'duplicate-pods');
  assert.equal(bad.violations[0].node, 'n0');
  const ok = run([snap(d, nodes(2), [pod('n0', { deleting: true, image: 'img:v1' }), pod('n0', { ready: false }), pod('n1')])]);
  assert.deepEqual(ok.violations, []);
  const finished = run([snap(d, nodes(1), [pod('n0', { phase: 'Failed' }), pod('n0')])]);
  assert.deepEqual(finished.violations, []);
});

test('with maxSurge: two pods per node only while a rollout is in progress, never three', () => {
  const d = ds({ maxUnavailable: 0, maxSurge: 1 });
  assert.deepEqual(run([snap(d, nodes(2), [pod('n0', { image: 'img:v1' }), pod('n0', { ready: false }), pod('n1', { image: 'img:v1' })])]).violations, []);
  const three = run([snap(d, nodes(1), [pod('n0', { image: 'img:v1' }), pod('n0', { image: 'img:v0' }), pod('n0', { ready: false })])]);
  assert.equal(three.violations.filter((v) => v.kind === 'duplicate-pods').length, 1);
  const settled = run([snap(d, nodes(2), [pod('n0'), pod('n0'), pod('n1')])]);
  assert.match(settled.violations[0].detail, /no rollout in progress/);
});

test('flags more nodes without an available pod than maxUnavailable, once they have been available', () => {
  const d = ds({ maxUnavailable: 1 });
  const ns = nodes(4);
  const up = [pod('n0', { image: 'img:v1' }), pod('n1', { image: 'img:v1' }), pod('n2', { image: 'img:v1' }), pod('n3', { image: 'img:v1' })];
  const twoDown = [pod('n0', { image: 'img:v1', deleting: true }), pod('n1', { image: 'img:v1', deleting: true }), up[2], up[3]];
  const r = run([snap(d, ns, up), snap(d, ns, twoDown)]);
  assert.equal(r.violations.length, 1);
  assert.equal(r.violations[0].kind, 'budget');
  assert.match(r.violations[0].detail, /2 nodes .* budget maxUnavailable 1: n0, n1/);
  assert.deepEqual(r.state.peakDown.get('agent'), { down: 2, budget: 1 });
  // One down is within the budget.
  assert.deepEqual(run([snap(d, ns, up), snap(d, ns, [twoDown[0], ...up.slice(1)])]).violations, []);
  // A missing pod counts like an unavailable one.
  assert.equal(run([snap(d, ns, up), snap(d, ns, up.slice(2))]).violations.length, 1);
});

test('surge keeps every node available: one old pod gone before its replacement is available is a violation', () => {
  const d = ds({ maxUnavailable: 0, maxSurge: 1 });
  const ns = nodes(2);
  const before = [pod('n0', { image: 'img:v1' }), pod('n1', { image: 'img:v1' })];
  const early = [pod('n0', { image: 'img:v1', deleting: true }), pod('n0', { ready: false }), before[1]];
  assert.equal(run([snap(d, ns, before), snap(d, ns, early)]).violations[0]?.kind, 'budget');
});

test('no budget violation for nodes the chaos disturbed, nodes seen unhealthy, or nodes never yet available', () => {
  const d = ds({ maxUnavailable: 1 });
  const ns = nodes(3);
  const up = ns.map((n) => pod(n.metadata!.name!, { image: 'img:v1' }));
  const down = [pod('n0', { ready: false, image: 'img:v1' }), pod('n1', { ready: false, image: 'img:v1' }), up[2]];
  // Declared disturbed before its pod went unready.
  assert.deepEqual(run([snap(d, ns, up), snap(d, ns, down)], new Set(['n0'])).violations, []);
  // Seen NotReady (or annotated) after being Ready: out of the count from then on, even once Ready again.
  const sick = [node('n0', { ready: false }), ns[1], ns[2]];
  assert.deepEqual(run([snap(d, ns, up), snap(d, sick, up), snap(d, ns, down)]).violations, []);
  const annotated = [node('n0', { annotations: { 'everynode.dev/heartbeat': 'stopped' } }), ns[1], ns[2]];
  assert.deepEqual(run([snap(d, ns, up), snap(d, annotated, up), snap(d, ns, down)]).violations, []);
  // A new node whose first pod is still starting.
  const grown = [...ns, node('n3'), node('n4')];
  assert.deepEqual(run([snap(d, ns, up), snap(d, grown, [...up, pod('n3', { ready: false })])]).violations, []);
  // A node that registers (not Ready yet) is not a fault: once its pod has been available, it counts.
  const registering = [...ns, node('n3', { ready: false })];
  const joined = [...up, pod('n3')];
  const r = run([snap(d, registering, up), snap(d, grown.slice(0, 4), joined), snap(d, grown.slice(0, 4), [up[0], pod('n1', { deleting: true }), up[2], pod('n3', { deleting: true })])]);
  assert.equal(r.violations.length, 1);
});

test('percentage budgets use the largest desired count seen, so a deleted node does not shrink them', () => {
  const d = ds({ maxUnavailable: '25%' });
  const five = nodes(5);
  const up = five.map((n) => pod(n.metadata!.name!, { image: 'img:v1' }));
  // 25 % of 5 = 2; after n4 goes, 25 % of 4 would be 1, but two deletions the controller made under the old count are fine.
  const after = [pod('n0', { deleting: true }), pod('n1', { deleting: true }), up[2], up[3]];
  assert.deepEqual(run([snap(d, five, up), snap(d, five.slice(0, 4), after)], new Set(['n4'])).violations, []);
});

test('property: with at most maxUnavailable of the available nodes taken down, nothing is flagged; with one more, a budget violation is', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 }), (n, budget, extra) => {
    const d = ds({ maxUnavailable: budget });
    const ns = nodes(n);
    const up = ns.map((x) => pod(x.metadata!.name!, { image: 'img:v1' }));
    const k = Math.min(n, budget + extra);
    const down = up.map((p, i) => (i < k ? pod(p.spec!.nodeName!, { image: 'img:v1', deleting: true }) : p));
    const v = run([snap(d, ns, up), snap(d, ns, down)]).violations.filter((x) => x.kind === 'budget');
    return k > budget ? v.length === 1 : v.length === 0;
  }));
});

test('expectedStatus counts like updateDaemonSetStatus: oldest pod per node, misscheduled, unavailable', () => {
  const d = ds({ nodeSelector: { tier: 'edge' } });
  const edge = (name: string) => node(name, { labels: { tier: 'edge' } });
  const ns = [edge('e0'), edge('e1'), edge('e2'), node('g0')];
  const ps = [
    pod('e0', { image: 'img:v1', created: '2026-01-01T00:00:00Z' }), pod('e0', { ready: false, created: '2026-01-01T00:05:00Z' }),
    pod('e1', { ready: false }),
    pod('g0'),
  ];
  assert.deepEqual(expectedStatus(d, ns, ps, NOW), {
    desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1, numberAvailable: 1, numberUnavailable: 2, updatedNumberScheduled: 1,
  });
});

test('convergenceGaps: empty only with one current available pod per node, observedGeneration and an exact status', () => {
  const ns = nodes(2);
  const ps = [pod('n0'), pod('n1')];
  const good: DaemonSet = { ...ds({ generation: 3 }), status: { observedGeneration: 3, desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0, numberReady: 2, numberAvailable: 2, updatedNumberScheduled: 2 } };
  assert.deepEqual(convergenceGaps(good, snap(good, ns, ps), NOW), []);
  const stale: DaemonSet = { ...good, status: { ...good.status!, observedGeneration: 2 } };
  assert.match(convergenceGaps(stale, snap(stale, ns, ps), NOW).join(), /observedGeneration 2 != generation 3/);
  const wrongCount: DaemonSet = { ...good, status: { ...good.status!, numberReady: 1 } };
  assert.match(convergenceGaps(wrongCount, snap(wrongCount, ns, ps), NOW).join(), /status.numberReady 1 != 2/);
  assert.match(convergenceGaps(good, snap(good, ns, [pod('n0'), pod('n1', { image: 'img:v1' })]), NOW).join(), /n1: pod .* not current/);
  assert.match(convergenceGaps(good, snap(good, ns, [pod('n0')]), NOW).join(), /n1 has 0 pods/);
  assert.match(convergenceGaps(good, snap(good, ns, [...ps, pod('gone')]), NOW).join(), /vanished node gone/);
});
