// Whole-rollout scenarios on the time-compressed simulation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate, zonedFleet, type SimConfig } from './fleet.js';
import { scaleIntOrPercent } from '../api/intorpercent.js';

const ZONES = ['zone-a', 'zone-b', 'zone-c', 'zone-d'];
const zoneOf = (node: string) => node.slice(0, 6);

function zoneRollout(over: Partial<SimConfig> = {}): SimConfig {
  return {
    nodes: zonedFleet(ZONES, 8),
    daemonSets: [{ name: 'node-exporter', image: 'exporter:1' }],
    rollout: {
      targetRef: { name: 'node-exporter' },
      waves: [{ name: 'zones', splitBy: 'topology.kubernetes.io/zone', order: ['zone-c'], maxUnavailable: '25%', bakeSeconds: 60 }],
      health: { podReadyTimeoutSeconds: 120, maxRestarts: 2 },
    },
    readyAfterMs: 10_000, stepMs: 5_000, maxSteps: 400,
    script: [{ atMs: 5_000, daemonSet: 'node-exporter', image: 'exporter:2' }],
    ...over,
  };
}

test('a 4-wave zone rollout follows wave order (order first, then sorted) and keeps each budget at every step', () => {
  const result = simulate(zoneRollout());
  assert.equal(result.rollout.status?.phase, 'Complete');
  const order: string[] = [];
  for (const step of result.steps) {
    for (const a of step.actions) {
      if (a.type !== 'DeletePod') continue;
      const z = zoneOf(a.node);
      if (order[order.length - 1] !== z) order.push(z);
    }
    // budget: 25% of 8 = 2 unavailable nodes per zone wave, and only one zone at a time
    const zones = new Set(step.unavailableNodes.map(zoneOf));
    assert.ok(zones.size <= 1, `at ${step.atMs}ms unavailable in ${[...zones]}`);
    assert.ok(step.unavailableNodes.length <= 2, `at ${step.atMs}ms ${step.unavailableNodes.length} unavailable`);
  }
  assert.deepEqual(order, ['zone-c', 'zone-a', 'zone-b', 'zone-d']);
  assert.ok(result.pods.every((p) => p.spec?.containers[0].image === 'exporter:2'));
  const waves = result.rollout.status?.waves ?? [];
  assert.deepEqual(waves.map((w) => w.name), ['zones-zone-c', 'zones-zone-a', 'zones-zone-b', 'zones-zone-d']);
  // bake: each wave starts at least 60 s after the previous one completed
  for (let i = 1; i < waves.length; i++) {
    assert.ok(Date.parse(waves[i].startedAt!) - Date.parse(waves[i - 1].completedAt!) >= 60_000);
  }
});

test('a crash-looping image trips the gate in the canary wave and is rolled back, no node outside the canary touched', () => {
  const cfg = zoneRollout({
    nodes: zonedFleet(ZONES, 6, 2),
    crashImages: ['exporter:bad'], crashEveryMs: 5_000,
    script: [{ atMs: 5_000, daemonSet: 'node-exporter', image: 'exporter:bad' }],
  });
  cfg.rollout = {
    targetRef: { name: 'node-exporter' },
    waves: [
      { name: 'canary', nodeSelector: { matchLabels: { 'everynode.dev/canary': 'true' } }, maxUnavailable: 2, bakeSeconds: 300 },
      { name: 'rest', maxUnavailable: '25%' },
    ],
    health: { maxRestarts: 2, podReadyTimeoutSeconds: 300 },
    onFailure: 'Rollback',
  };
  const result = simulate(cfg);
  const touched = new Set(result.steps.flatMap((s) => s.actions.flatMap((a) => ('node' in a && a.type !== 'QuarantineNode' && a.type !== 'ReleaseNode' ? [a.node] : []))));
  assert.deepEqual([...touched].sort(), ['zone-a-node-000', 'zone-a-node-001']);
  const s = result.rollout.status!;
  assert.equal(s.phase, 'Failed');
  assert.equal(s.conditions?.find((c) => c.type === 'RolledBack')?.status, 'True');
  assert.ok(result.steps.some((st) => st.actions.some((a) => a.type === 'RollbackTemplate')));
  assert.ok(result.pods.every((p) => p.spec?.containers[0].image === 'exporter:1'), 'every pod back on the stable image');
  assert.equal(result.daemonSets[0].spec?.template.spec?.containers[0].image, 'exporter:1');
});

test('a node that goes NotReady before its update is quarantined (cause Node) and the fleet completes', () => {
  const cfg = zoneRollout({ nodes: zonedFleet(ZONES, 4).map((n) => (n.name === 'zone-b-node-002' ? { ...n, notReadyAtMs: 0 } : n)) });
  cfg.rollout = {
    targetRef: { name: 'node-exporter' },
    waves: [{ name: 'zones', splitBy: 'topology.kubernetes.io/zone', maxUnavailable: 1 }],
    quarantine: { afterSeconds: 120, maxNodes: 1 },
  };
  const result = simulate(cfg);
  const s = result.rollout.status!;
  assert.equal(s.phase, 'Complete');
  assert.deepEqual(s.quarantinedNodes, ['zone-b-node-002']);
  const b = s.blockedNodes?.find((x) => x.node === 'zone-b-node-002');
  assert.equal(b?.cause, 'Node');
  assert.equal(b?.reason, 'NodeNotReady');
  assert.ok(result.nodes.find((n) => n.metadata?.name === 'zone-b-node-002')?.metadata?.annotations?.['everynode.dev/quarantined']);
  assert.equal(s.failure, undefined);
});

test('image-only changes are patched in place (same pod UIDs)', () => {
  const cfg = zoneRollout();
  cfg.rollout = { ...cfg.rollout, inPlace: 'IfPossible' };
  const before = simulate({ ...cfg, script: [], maxSteps: 1 }).pods.map((p) => p.metadata?.uid).sort();
  const result = simulate(cfg);
  assert.equal(result.rollout.status?.phase, 'Complete');
  assert.deepEqual(result.pods.map((p) => p.metadata?.uid).sort(), before);
  assert.ok(result.pods.every((p) => p.spec?.containers[0].image === 'exporter:2'));
  assert.ok(result.steps.every((s) => s.actions.every((a) => a.type !== 'DeletePod')));
});

test('scaleIntOrPercent rounds budgets up and thresholds down', () => {
  assert.equal(scaleIntOrPercent('25%', 8, true), 2);
  assert.equal(scaleIntOrPercent('10%', 5, true), 1);
  assert.equal(scaleIntOrPercent('10%', 5, false), 0);
  assert.equal(scaleIntOrPercent('x', 5, false), undefined);
});

test('a node NotReady before its update is cause Node; a canary that goes NotReady after its update is cause Revision and trips the gate', () => {
  const nodes = zonedFleet(ZONES, 3, 2).map((n) => (n.name === 'zone-c-node-001' ? { ...n, notReadyAtMs: 0 } : n.name === 'zone-a-node-001' ? { ...n, notReadyAtMs: 60_000 } : n));
  const cfg = zoneRollout({ nodes });
  cfg.rollout = {
    targetRef: { name: 'node-exporter' },
    waves: [
      { name: 'canary', nodeSelector: { matchLabels: { 'everynode.dev/canary': 'true' } }, maxUnavailable: 2, bakeSeconds: 600 },
      { name: 'rest', maxUnavailable: 2 },
    ],
    health: { nodeRegression: { windowSeconds: 600 } },
  };
  const s = simulate(cfg).rollout.status!;
  assert.equal(s.phase, 'Failed');
  assert.equal(s.failure?.reason, 'HealthGate');
  assert.match(s.failure!.message, /zone-a-node-001 \(NodeNotReady\)/);
  const by = new Map(s.blockedNodes?.map((b) => [b.node, b]));
  assert.equal(by.get('zone-a-node-001')?.cause, 'Revision');
  assert.deepEqual([by.get('zone-c-node-001')?.reason, by.get('zone-c-node-001')?.cause], ['NodeNotReady', 'Node']);
  assert.equal(s.waves?.[1].updated, 0, 'the rest wave never started');
});

test('two DaemonSets on the same nodes are never unavailable together on a node (perNodeMaxUnavailable 1)', () => {
  const cfg = zoneRollout({
    daemonSets: [{ name: 'cni', image: 'cni:1' }, { name: 'csi', image: 'csi:1' }],
    script: [{ atMs: 5_000, daemonSet: 'cni', image: 'cni:2' }, { atMs: 5_000, daemonSet: 'csi', image: 'csi:2' }],
  });
  cfg.rollout = { selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['cni', 'csi'] }] }, waves: [{ name: 'all', maxUnavailable: '50%' }] };
  const result = simulate(cfg);
  assert.equal(result.rollout.status?.phase, 'Complete');
  for (const step of result.steps) for (const [n, k] of Object.entries(step.unavailablePerNode)) assert.ok(k <= 1, `${n} at ${step.atMs}: ${k}`);
});
