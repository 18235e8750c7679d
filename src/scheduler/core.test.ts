import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod, PodDisruptionBudget, Taint } from '../api/types.js';
import {
  filterNode, filterNodes, fitMessage, leastAllocatedScore, schedule, selectVictims, victimsOnNode,
  insufficientResources, hostPortsConflict, unschedulableCondition, pinnedNodeNames, type PodsByNode,
} from './core.js';

const node = (name: string, opts: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean } = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
  spec: { taints: opts.taints, unschedulable: opts.unschedulable },
  status: { allocatable: { cpu: opts.cpu ?? '4', memory: opts.memory ?? '8Gi', pods: opts.pods ?? '110' } },
});
let uid = 0;
const pod = (opts: { cpu?: string; memory?: string; priority?: number; ns?: string; labels?: Record<string, string>; hostPort?: number; start?: string; spec?: Pod['spec'] } = {}): Pod => ({
  metadata: { name: `p${++uid}`, namespace: opts.ns ?? 'default', uid: `u${uid}`, labels: opts.labels },
  spec: {
    priority: opts.priority ?? 0,
    containers: [{ name: 'c', image: 'x', resources: { requests: { ...(opts.cpu ? { cpu: opts.cpu } : {}), ...(opts.memory ? { memory: opts.memory } : {}) } },
      ports: opts.hostPort ? [{ containerPort: 80, hostPort: opts.hostPort }] : undefined }],
    ...opts.spec,
  },
  status: { phase: 'Running', startTime: opts.start },
});
const byNode = (m: Record<string, Pod[]>): PodsByNode => new Map(Object.entries(m));

test('each filter, in default plugin order', () => {
  const n = node('n1', { labels: { zone: 'a' } });
  assert.equal(filterNode(pod(), n, []), undefined);
  assert.equal(filterNode(pod(), node('n', { unschedulable: true }), [])?.plugin, 'NodeUnschedulable');
  assert.equal(filterNode(pod({ spec: { containers: [], tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } }), node('n', { unschedulable: true }), []), undefined);
  assert.equal(filterNode(pod({ spec: { containers: [], nodeName: 'other' } }), n, [])?.plugin, 'NodeName');
  const tainted = node('t', { taints: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }, { key: 'soft', effect: 'PreferNoSchedule' }] });
  assert.deepEqual(filterNode(pod(), tainted, []), { plugin: 'TaintToleration', reasons: ['node(s) had untolerated taint {gpu: yes}'], unresolvable: true });
  assert.equal(filterNode(pod({ spec: { containers: [], tolerations: [{ key: 'gpu', operator: 'Exists' }] } }), tainted, []), undefined, 'PreferNoSchedule ignored');
  assert.equal(filterNode(pod({ spec: { containers: [], nodeSelector: { zone: 'b' } } }), n, [])?.plugin, 'NodeAffinity');
  const byName = { containers: [], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } };
  assert.equal(filterNode(pod({ spec: byName }), n, []), undefined);
  assert.equal(filterNode(pod({ spec: byName }), node('n2'), [])?.plugin, 'NodeAffinity');
  assert.equal(filterNode(pod({ hostPort: 8080 }), n, [pod({ hostPort: 8080 })])?.plugin, 'NodePorts');
  assert.deepEqual(filterNode(pod({ cpu: '3', memory: '9Gi' }), n, [pod({ cpu: '2' })])?.reasons, ['Insufficient cpu', 'Insufficient memory']);
  assert.deepEqual(filterNode(pod(), node('n', { pods: '1' }), [pod()])?.reasons, ['Too many pods']);
});

test('resource arithmetic: effective requests vs allocatable minus used', () => {
  const n = node('n', { cpu: '1', memory: '1Gi' });
  assert.deepEqual(insufficientResources(pod({ cpu: '500m' }), n, [pod({ cpu: '500m' })]), []);
  assert.deepEqual(insufficientResources(pod({ cpu: '501m' }), n, [pod({ cpu: '500m' })]), [{ resource: 'cpu', requested: 501n, used: 500n, capacity: 1000n }]);
  assert.deepEqual(insufficientResources(pod({ spec: { containers: [{ name: 'c', resources: { requests: { 'example.com/gpu': '1' } } }] } }), n, []).map((i) => i.resource), ['example.com/gpu']);
  assert.deepEqual(insufficientResources(pod(), n, []), [], 'a pod without requests always fits');
});

test('host ports: protocol and address aware', () => {
  const withPort = (port: number, hostIP?: string, protocol?: string): Pod => ({ spec: { containers: [{ name: 'c', ports: [{ containerPort: 1, hostPort: port, hostIP, protocol }] }] } });
  assert.equal(hostPortsConflict(withPort(80), [withPort(80)]), true);
  assert.equal(hostPortsConflict(withPort(80), [withPort(81)]), false);
  assert.equal(hostPortsConflict(withPort(80, undefined, 'UDP'), [withPort(80)]), false);
  assert.equal(hostPortsConflict(withPort(80, '10.0.0.1'), [withPort(80, '10.0.0.2')]), false);
  assert.equal(hostPortsConflict(withPort(80, '10.0.0.1'), [withPort(80)]), true);
});

test('fitMessage: histogram sorted as strings', () => {
  assert.equal(fitMessage(3, [['Insufficient cpu'], ["node(s) didn't match Pod's node affinity/selector"], ['Insufficient cpu']]),
    "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu.");
  assert.equal(fitMessage(0, []), '0/0 nodes are available:');
});

test('least-allocated scoring prefers the emptier node', () => {
  const n = node('n', { cpu: '1', memory: '1Gi' });
  assert.equal(leastAllocatedScore(pod({ cpu: '500m', memory: '512Mi' }), n, []), 50);
  // no requests → 100m / 200Mi defaults: cpu 90, memory floor(824/1024*100)=80 → 85
  assert.equal(leastAllocatedScore(pod(), n, []), 85);
  const r = schedule(pod({ cpu: '100m' }), [node('busy'), node('idle')], byNode({ busy: [pod({ cpu: '3' })] }));
  assert.deepEqual(r, { node: 'idle' });
});

test('schedule: real unschedulable message with the preemption suffix', () => {
  const nodes = [node('a', { cpu: '1' }), node('b', { cpu: '1' }), node('c', { labels: { x: 'y' }, cpu: '8' })];
  const p = pod({ cpu: '2', spec: { containers: [{ name: 'c', resources: { requests: { cpu: '2' } } }], affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }] } } } } });
  const r = schedule(p, nodes, byNode({}));
  assert.ok('unschedulable' in r);
  assert.equal(r.message, "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient cpu. "
    + "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod..");
  const c = unschedulableCondition(r, 'T');
  assert.deepEqual([c.type, c.status, c.reason], ['PodScheduled', 'False', 'Unschedulable']);
  const never = schedule(pod({ cpu: '2', priority: 10, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '2' } } }], preemptionPolicy: 'Never' } }), [node('a', { cpu: '1' })], byNode({}));
  assert.ok('unschedulable' in never && never.message.endsWith('preemption: not eligible due to preemptionPolicy=Never..'));
  const gated = schedule(pod({ spec: { containers: [], schedulingGates: [{ name: 'g' }] } }), nodes, byNode({}));
  assert.ok('unschedulable' in gated && gated.reason === 'SchedulingGated');
});

test('preemption: minimal set of strictly lower-priority pods', () => {
  const n = node('n', { cpu: '4' });
  const low1 = pod({ cpu: '1', priority: 1 }), low2 = pod({ cpu: '2', priority: 1 }), same = pod({ cpu: '1', priority: 100 });
  const hi = pod({ cpu: '2', priority: 100 });
  // 4 cpu used; needs 2: evicting low2 alone suffices; reprieve keeps low1 (more important? equal priority → start order)
  const r = victimsOnNode(hi, n, [low1, low2, same], []);
  assert.ok(!('failure' in r));
  assert.deepEqual(r.victims.map((p) => p.metadata!.name), [low2.metadata!.name]);
  // equal priority is never a victim
  assert.deepEqual(victimsOnNode(pod({ cpu: '4', priority: 100 }), n, [same], []), { failure: ['No preemption victims found for incoming pod'] });
  // even evicting everything lower is not enough
  assert.deepEqual(victimsOnNode(pod({ cpu: '4', priority: 100 }), n, [same, low1], []), { failure: ['Insufficient cpu'] });
});

test('preemption: node choice — fewest PDB violations, then lowest top priority, then fewest victims', () => {
  const pdb = (labels: Record<string, string>, allowed: number): PodDisruptionBudget => ({ metadata: { namespace: 'default', name: 'b' }, spec: { selector: { matchLabels: labels } }, status: { disruptionsAllowed: allowed, currentHealthy: 1, desiredHealthy: 1, expectedPods: 1 } });
  const hi = pod({ cpu: '2', priority: 100 });
  const nodes = [node('a', { cpu: '2' }), node('b', { cpu: '2' })];
  const guarded = pod({ cpu: '2', priority: 1, labels: { app: 'db' } });
  const free = pod({ cpu: '2', priority: 5 });
  const r1 = selectVictims(hi, nodes, byNode({ a: [guarded], b: [free] }), [pdb({ app: 'db' }, 0)]);
  assert.ok('victims' in r1 && r1.node === 'b' && r1.pdbViolations === 0);
  // PDBs are respected only where possible: the only choice violates it
  const r2 = selectVictims(hi, [nodes[0]], byNode({ a: [guarded] }), [pdb({ app: 'db' }, 0)]);
  assert.ok('victims' in r2 && r2.pdbViolations === 1);
  // without PDBs, lower top priority wins
  const r3 = selectVictims(hi, nodes, byNode({ a: [guarded], b: [free] }), []);
  assert.ok('victims' in r3 && r3.node === 'a');
  // same top priority: fewer victims wins
  const r4 = selectVictims(hi, nodes, byNode({ a: [pod({ cpu: '1', priority: 1 }), pod({ cpu: '1', priority: 1 })], b: [pod({ cpu: '2', priority: 1 })] }), []);
  assert.ok('victims' in r4 && r4.node === 'b' && r4.victims.length === 1);
  // a PDB with allowance 1 tolerates one eviction
  const r5 = selectVictims(hi, [nodes[0]], byNode({ a: [guarded] }), [pdb({ app: 'db' }, 1)]);
  assert.ok('victims' in r5 && r5.pdbViolations === 0);
});

test('schedule returns the preemption plan with the plain fit message', () => {
  const victim = pod({ cpu: '4', priority: 0 });
  const r = schedule(pod({ cpu: '1', priority: 1000 }), [node('n')], byNode({ n: [victim] }));
  assert.ok('unschedulable' in r);
  assert.equal(r.message, '0/1 nodes are available: 1 Insufficient cpu.');
  assert.deepEqual(r.preemption?.victims, [victim]);
  assert.equal(r.preemption?.node, 'n');
});

test('terminal pods release their resources', () => {
  const done: Pod = { ...pod({ cpu: '4' }), status: { phase: 'Succeeded' } };
  assert.equal(filterNodes(pod({ cpu: '1' }), [node('n')], byNode({ n: [done] })).feasible.length, 1);
});

test('a pod pinned by matchFields metadata.name is placed on its node without looking at the others', () => {
  const pinnedTo = (...names: string[]): Pod => ({
    metadata: { name: 'ds-x', namespace: 'default' },
    spec: {
      containers: [{ name: 'c', image: 'i' }],
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: names }] }] } } },
    },
  });
  assert.deepEqual(pinnedNodeNames(pinnedTo('b')), new Set(['b']));
  assert.equal(pinnedNodeNames({ metadata: {}, spec: { containers: [] } }), undefined);
  const nodes = [node('a'), node('b'), node('c')];
  const lookedAt: string[] = [];
  const podsByNode = { get: (n: string) => { lookedAt.push(n); return []; } } as unknown as PodsByNode;
  assert.deepEqual(schedule(pinnedTo('b'), nodes, podsByNode), { node: 'b' });
  assert.deepEqual([...new Set(lookedAt)], ['b']);
  // Pinned to a node that cannot take it: the full filter explains why, as before.
  const r = schedule(pinnedTo('zz'), nodes, { get: () => [] } as unknown as PodsByNode);
  assert.ok('unschedulable' in r && /didn't match Pod's node affinity/.test(r.message), JSON.stringify(r));
});
