import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Node, Pod, PodDisruptionBudget } from '../api/types.js';
import { planMakeRoom } from './makeroom.js';

const node = (cpu: string, memory: string, pods = 110): Node => ({ metadata: { name: 'n1' }, status: { allocatable: { cpu, memory, pods: String(pods) } } });
const pod = (name: string, cpuMilli: number, priority: number, o: { daemon?: boolean; app?: string; terminating?: boolean; phase?: string } = {}): Pod => ({
  metadata: {
    name, namespace: 'default', labels: { app: o.app ?? name },
    ...(o.daemon ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true }] } : {}),
    ...(o.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { nodeName: 'n1', priority, containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: `${cpuMilli}m` } } }] },
  status: { phase: o.phase ?? 'Running' },
});
const pdb = (app: string, allowed: number): PodDisruptionBudget => ({
  metadata: { name: `pdb-${app}`, namespace: 'default' }, spec: { selector: { matchLabels: { app } } }, status: { disruptionsAllowed: allowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 },
});
const names = (r: ReturnType<typeof planMakeRoom>) => (r.fits ? r.evict.map((p) => p.metadata!.name) : r.reason);

const daemon = pod('agent', 500, 2_000_000_000, { daemon: true });

test('already fits: nothing evicted', () => {
  assert.deepEqual(planMakeRoom({ node: node('2', '1Gi'), pods: [pod('a', 500, 0)], pending: daemon, pdbs: [] }), { fits: true, evict: [] });
});

test('lowest priority first, fewest: one big low-priority pod rather than two small ones', () => {
  const pods = [pod('hi', 900, 100), pod('small1', 300, 0), pod('small2', 300, 0), pod('big', 600, 0)];
  assert.deepEqual(names(planMakeRoom({ node: node('2', '1Gi'), pods, pending: daemon, pdbs: [] })), ['big']);
  // Higher-priority pods are taken only when the lower ones are not enough; then the low one is reprieved.
  assert.deepEqual(names(planMakeRoom({ node: node('2', '1Gi'), pods: [pod('hi', 1600, 100), pod('lo', 100, 0)], pending: daemon, pdbs: [] })), ['hi']);
});

test('never a daemon pod, a terminating pod, a pod of equal or higher priority, or one whose PDB allows no disruption', () => {
  const pods = [pod('ds', 400, 0, { daemon: true }), pod('term', 400, 0, { terminating: true }), pod('same', 400, 2_000_000_000), pod('guarded', 400, 0), pod('free', 400, 5)];
  const r = planMakeRoom({ node: node('2.4', '1Gi'), pods, pending: daemon, pdbs: [pdb('guarded', 0)] });
  assert.deepEqual(names(r), ['free']);
  const blocked = planMakeRoom({ node: node('1', '1Gi'), pods: [pod('guarded', 800, 0)], pending: daemon, pdbs: [pdb('guarded', 0)] });
  assert.equal(blocked.fits, false);
  // The budget is what blocks (evicting the pod would make room): it is named.
  assert.deepEqual(blocked.fits ? [] : blocked.blockedBy, ['default/pdb-guarded']);
  assert.match(names(blocked) as string, /evicting default\/guarded would make room on node n1, but PodDisruptionBudget default\/pdb-guarded allows no disruption/);
  const short = planMakeRoom({ node: node('1', '1Gi'), pods: [pod('guarded', 800, 0), pod('same', 200, 2_000_000_000)], pending: pod('agent', 900, 2_000_000_000, { daemon: true }), pdbs: [pdb('guarded', 0)] });
  assert.deepEqual(short.fits ? 'fits' : short.blockedBy, [], 'not even evicting the guarded pod would be enough: no budget to blame');
  assert.match(names(short) as string, /would not free enough cpu on node n1/);
});

test('a PDB with one disruption left gives up one of its pods, not two', () => {
  const pods = [pod('w1', 500, 0, { app: 'web' }), pod('w2', 500, 0, { app: 'web' }), pod('other', 400, 1)];
  assert.deepEqual(names(planMakeRoom({ node: node('1.5', '1Gi'), pods, pending: pod('agent', 1000, 10, { daemon: true }), pdbs: [pdb('web', 1)] })), ['w1', 'other']);
});

test('never a mirror (static) pod', () => {
  const mirror = { ...pod('static', 800, 0), metadata: { ...pod('static', 800, 0).metadata, annotations: { 'kubernetes.io/config.mirror': 'abc' } } };
  const r = planMakeRoom({ node: node('1', '1Gi'), pods: [mirror], pending: daemon, pdbs: [] });
  assert.equal(r.fits, false);
});

test('terminal pods hold nothing; the pods slot counts', () => {
  assert.deepEqual(names(planMakeRoom({ node: node('1', '1Gi'), pods: [pod('done', 900, 0, { phase: 'Succeeded' })], pending: daemon, pdbs: [] })), []);
  assert.deepEqual(names(planMakeRoom({ node: node('8', '1Gi', 2), pods: [pod('a', 1, 0), pod('b', 1, 1)], pending: daemon, pdbs: [] })), ['a']);
});

const arbPods = fc.array(fc.record({
  cpu: fc.integer({ min: 0, max: 1500 }), priority: fc.integer({ min: -5, max: 5 }), daemon: fc.boolean(), terminating: fc.boolean(), guarded: fc.constantFrom('none', 'zero', 'one'),
}), { maxLength: 8 });

test('property: the plan fits, chooses only eligible pods, spends no PDB beyond its budget, and reprieves every pod it can', () => {
  fc.assert(fc.property(arbPods, fc.integer({ min: 0, max: 4000 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: -5, max: 6 }), (specs, capMilli, wantMilli, prio) => {
    const pods = specs.map((s, i) => pod(`p${i}`, s.cpu, s.priority, { daemon: s.daemon, terminating: s.terminating }));
    const pdbs = specs.flatMap((s, i) => (s.guarded === 'none' ? [] : [pdb(`p${i}`, s.guarded === 'zero' ? 0 : 1)]));
    const pending = pod('agent', wantMilli, prio, { daemon: true });
    const n = node(`${capMilli}m`, '1Gi');
    const r = planMakeRoom({ node: n, pods, pending, pdbs });
    const used = (kept: Pod[]) => kept.reduce((a, p, i) => a + (specs[Number(p.metadata!.name!.slice(1))]?.cpu ?? i * 0), 0);
    const eligible = pods.filter((p, i) => !specs[i].daemon && !specs[i].terminating && specs[i].priority < prio && specs[i].guarded !== 'zero');
    if (!r.fits) {
      // Even evicting every eligible pod would not make room.
      assert.ok(used(pods.filter((p) => !eligible.includes(p))) + wantMilli > capMilli);
      return;
    }
    const gone = new Set(r.evict);
    for (const v of r.evict) assert.ok(eligible.includes(v), `${v.metadata!.name} is eligible`);
    const kept = pods.filter((p) => !gone.has(p));
    assert.ok(used(kept) + wantMilli <= capMilli, 'fits');
    for (const v of r.evict) assert.ok(used([...kept, v]) + wantMilli > capMilli, `${v.metadata!.name} was needed`);
  }), { numRuns: 300 });
});
