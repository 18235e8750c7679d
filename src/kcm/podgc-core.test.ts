import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Node, Pod } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import {
  ORPHAN_QUARANTINE_MS, TAINT_OUT_OF_SERVICE, failedStatusFor, gcOrder, orphanDeletions, podGCPlan, terminatedOverThreshold,
  type PodGCInput,
} from './podgc-core.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
type PodOpts = { node?: string; phase?: string; reason?: string; deleting?: boolean; created?: number; uid?: string };
const pod = (name: string, o: PodOpts = {}): Pod => ({
  metadata: { name, namespace: 'default', uid: o.uid ?? `uid-${name}`, creationTimestamp: rfc3339(o.created ?? T0), ...(o.deleting ? { deletionTimestamp: rfc3339(T0) } : {}) },
  spec: { containers: [{ name: 'c', image: 'x' }], ...(o.node ? { nodeName: o.node } : {}) },
  status: { ...(o.phase ? { phase: o.phase } : {}), ...(o.reason ? { reason: o.reason } : {}) },
});
const node = (name: string, ready: 'True' | 'False' | 'Unknown' | null = 'True', outOfService = false): Node => ({
  metadata: { name },
  spec: outOfService ? { taints: [{ key: TAINT_OUT_OF_SERVICE, value: 'nodeshutdown', effect: 'NoExecute' }] } : {},
  status: ready ? { conditions: [{ type: 'Ready', status: ready }] } : {},
});
const input = (i: Partial<PodGCInput>): PodGCInput => ({ pods: [], nodes: [], nowMs: T0, absentSince: new Map(), terminatedThreshold: 12_500, quarantineMs: ORPHAN_QUARANTINE_MS, ...i });
const names = (ds: { pod: Pod }[]) => ds.map((d) => d.pod.metadata!.name);

test('gcTerminated: nothing at or below the threshold; beyond it the oldest go, evicted first', () => {
  const pods = [
    pod('new', { phase: 'Succeeded', created: T0 + 3000 }),
    pod('old', { phase: 'Failed', created: T0 + 1000 }),
    pod('evicted', { phase: 'Failed', reason: 'Evicted', created: T0 + 9000 }),
    pod('running', { phase: 'Running', created: T0 }),
    pod('pending', { phase: 'Pending', created: T0 }),
    pod('b-tie', { phase: 'Succeeded', created: T0 + 2000 }),
    pod('a-tie', { phase: 'Succeeded', created: T0 + 2000 }),
  ];
  assert.deepEqual(terminatedOverThreshold(pods, 5), []);
  assert.deepEqual(names(terminatedOverThreshold(pods, 4).map((p) => ({ pod: p }))), ['evicted']);
  assert.deepEqual(names(terminatedOverThreshold(pods, 1).map((p) => ({ pod: p }))), ['evicted', 'old', 'a-tie', 'b-tie']);
  assert.deepEqual(terminatedOverThreshold(pods, 0), [], '0 disables it, as upstream');
  assert.deepEqual(names(podGCPlan(input({ pods, terminatedThreshold: 2 })).deletions), ['evicted', 'old', 'a-tie']);
  assert.ok(podGCPlan(input({ pods, terminatedThreshold: 2 })).deletions.every((d) => d.reason === 'terminated'));
});

test('gcTerminating: only terminating pods on a not-Ready node that is tainted out-of-service', () => {
  const nodes = [node('ok', 'True', true), node('down', 'False', true), node('lost', 'Unknown', true), node('nocond', null, true), node('down-untainted', 'False')];
  const pods = ['ok', 'down', 'lost', 'nocond', 'down-untainted'].flatMap((n) => [pod(`t-${n}`, { node: n, deleting: true, phase: 'Running' }), pod(`r-${n}`, { node: n, phase: 'Running' })]);
  const d = podGCPlan(input({ pods, nodes })).deletions;
  assert.deepEqual(names(d).sort(), ['t-down', 't-lost', 't-nocond']);
  assert.ok(d.every((x) => x.reason === 'terminating-out-of-service' && !x.condition));
});

test('gcUnscheduledTerminating: terminating pods never bound are deleted; pending ones are not', () => {
  const d = podGCPlan(input({ pods: [pod('gone', { deleting: true }), pod('pending')] })).deletions;
  assert.deepEqual(names(d), ['gone']);
  assert.equal(d[0].reason, 'unscheduled-terminating');
});

test('gcOrphaned: a missing node is quarantined, then confirmed, then its pods deleted with DisruptionTarget', () => {
  const pods = [pod('a', { node: 'vanished', phase: 'Running' }), pod('b', { node: 'vanished', phase: 'Succeeded' }), pod('c', { node: 'here', phase: 'Running' })];
  const nodes = [node('here')];
  const first = podGCPlan(input({ pods, nodes }));
  assert.deepEqual(first.deletions, [], 'nothing is deleted from the cache alone');
  assert.deepEqual(first.nodesToConfirm, []);
  assert.deepEqual([...first.absentSince], [['vanished', T0]]);
  const still = podGCPlan(input({ pods, nodes, absentSince: first.absentSince, nowMs: T0 + ORPHAN_QUARANTINE_MS - 1 }));
  assert.deepEqual(still.nodesToConfirm, []);
  assert.deepEqual([...still.absentSince], [['vanished', T0]], 'the quarantine counts from the first sighting');
  const due = podGCPlan(input({ pods, nodes, absentSince: still.absentSince, nowMs: T0 + ORPHAN_QUARANTINE_MS }));
  assert.deepEqual(due.nodesToConfirm, ['vanished']);
  assert.equal(due.absentSince.size, 0, 'a confirmed node starts a fresh quarantine if its pods linger');
  const orphans = orphanDeletions(pods, new Set(due.nodesToConfirm), T0 + ORPHAN_QUARANTINE_MS);
  assert.deepEqual(names(orphans), ['a', 'b']);
  assert.deepEqual(orphans[0].condition, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: rfc3339(T0 + ORPHAN_QUARANTINE_MS) });
  assert.deepEqual(failedStatusFor(orphans[0]), { phase: 'Failed', conditions: [orphans[0].condition] });
  assert.equal(failedStatusFor(orphans[1]), undefined, 'a finished pod keeps its phase');
});

test('gcOrphaned: a node that comes back leaves quarantine; one without pods is forgotten', () => {
  const pods = [pod('a', { node: 'flaky', phase: 'Running' })];
  const back = podGCPlan(input({ pods, nodes: [node('flaky')], absentSince: new Map([['flaky', T0 - 1000], ['empty', T0 - 99_000]]) }));
  assert.equal(back.absentSince.size, 0);
  assert.deepEqual(back.nodesToConfirm, []);
});

test('a pod matching several passes is deleted once, under the first', () => {
  const pods = [pod('x', { node: 'down', deleting: true, phase: 'Failed' }), pod('y', { phase: 'Failed' })];
  const d = podGCPlan(input({ pods, nodes: [node('down', 'False', true)], terminatedThreshold: 1 })).deletions;
  assert.deepEqual(d.map((x) => [x.pod.metadata!.name, x.reason]), [['x', 'terminated']]);
  const d2 = podGCPlan(input({ pods, nodes: [node('down', 'False', true)], terminatedThreshold: 0 })).deletions;
  assert.deepEqual(d2.map((x) => [x.pod.metadata!.name, x.reason]), [['x', 'terminating-out-of-service']]);
});

test('gcOrder is a total order', () => {
  const arb = fc.record({ name: fc.constantFrom('a', 'b', 'c'), created: fc.integer({ min: 0, max: 3 }), evicted: fc.boolean() })
    .map((r) => pod(r.name, { created: T0 + r.created, phase: 'Failed', ...(r.evicted ? { reason: 'Evicted' } : {}) }));
  fc.assert(fc.property(arb, arb, arb, (a, b, c) => {
    assert.equal(Math.sign(gcOrder(a, b)), -Math.sign(gcOrder(b, a)) || 0);
    if (gcOrder(a, b) <= 0 && gcOrder(b, c) <= 0) assert.ok(gcOrder(a, c) <= 0);
  }));
});

// Invariants over random clusters: PodGC never touches a running pod on a live node, and never
// deletes a pod twice in a pass.
test('property: only eligible pods are deleted, each once, and orphans only after confirmation', () => {
  const nodeArb = fc.record({ name: fc.constantFrom('n0', 'n1', 'n2', 'n3'), ready: fc.constantFrom('True', 'False', 'Unknown', null), oos: fc.boolean() });
  const podArb = fc.record({
    node: fc.option(fc.constantFrom('n0', 'n1', 'n2', 'n3', 'n4'), { nil: undefined }),
    phase: fc.constantFrom('Pending', 'Running', 'Succeeded', 'Failed', undefined),
    deleting: fc.boolean(), created: fc.integer({ min: 0, max: 100 }),
  });
  fc.assert(fc.property(fc.uniqueArray(nodeArb, { selector: (n) => n.name }), fc.array(podArb, { maxLength: 30 }), fc.integer({ min: 0, max: 10 }),
    fc.array(fc.tuple(fc.constantFrom('n0', 'n1', 'n2', 'n3', 'n4'), fc.integer({ min: -80_000, max: 0 })), { maxLength: 5 }), (ns, ps, threshold, absent) => {
      const nodes = ns.map((n) => node(n.name, n.ready as 'True' | null, n.oos));
      const pods = ps.map((p, i) => pod(`p${i}`, { ...p, created: T0 + p.created }));
      const plan = podGCPlan(input({ pods, nodes, terminatedThreshold: threshold, absentSince: new Map(absent.map(([n, d]) => [n, T0 + d])) }));
      const byName = new Map(nodes.map((n) => [n.metadata!.name!, n]));
      assert.equal(new Set(plan.deletions.map((d) => d.pod)).size, plan.deletions.length);
      for (const d of plan.deletions) {
        const p = d.pod;
        const terminated = p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
        const n = byName.get(p.spec?.nodeName ?? '');
        const downOos = !!n && n.status?.conditions?.[0]?.status !== 'True' && !!n.spec?.taints?.length;
        assert.ok((terminated && threshold > 0) || (p.metadata?.deletionTimestamp && (!p.spec?.nodeName || downOos)), `unexpected deletion ${JSON.stringify(p)}`);
      }
      const terminatedCount = pods.filter((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed').length;
      const terminatedDeleted = plan.deletions.filter((d) => d.reason === 'terminated').length;
      assert.equal(terminatedDeleted, threshold > 0 ? Math.max(0, terminatedCount - threshold) : 0);
      for (const n of [...plan.nodesToConfirm, ...plan.absentSince.keys()]) {
        assert.ok(!byName.has(n) && pods.some((p) => p.spec?.nodeName === n), `${n} is missing and has pods`);
      }
      assert.ok(plan.nodesToConfirm.every((n) => !plan.absentSince.has(n)));
    }));
});
