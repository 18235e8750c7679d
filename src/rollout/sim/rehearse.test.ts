// Rehearsals of whole rollouts on fleets built from cluster configs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterConfig } from '../../nodes/cluster-config.js';
import type { DaemonSetRolloutSpec } from '../api/types.js';
import { rehearse, type RehearsalConfig } from './rehearse.js';
import { defaultDaemonSet } from '../../cli/commands/rehearse.js';

const FLEET = parseClusterConfig(`
pools:
  - name: canary
    count: 2
    labels: {topology.kubernetes.io/zone: zone-a, everynode.dev/canary: "true"}
    pods: &pods
      startupDelay: {uniform: {min: 1000, max: 5000}}
      readinessDelay: {normal: {mean: 8000, stddev: 3000}}
      rules:
        - {imageRegex: ":crash$", crashLoop: {after: {constant: 3000}}}
  - {name: za, count: 6, labels: {topology.kubernetes.io/zone: zone-a}, pods: *pods}
  - {name: zb, count: 6, labels: {topology.kubernetes.io/zone: zone-b}, pods: *pods}
  - {name: zc, count: 6, labels: {topology.kubernetes.io/zone: zone-c}, pods: *pods}
  - {name: zd, count: 6, labels: {topology.kubernetes.io/zone: zone-d}, pods: *pods}
`);

const ZONES: DaemonSetRolloutSpec = {
  targetRef: { name: 'agent' },
  waves: [
    { name: 'canary', nodeSelector: { matchLabels: { 'everynode.dev/canary': 'true' } }, maxUnavailable: 1, bakeSeconds: 300 },
    { name: 'zones', splitBy: 'topology.kubernetes.io/zone', order: ['zone-c'], maxUnavailable: '50%', bakeSeconds: 60 },
  ],
  health: { maxRestarts: 2 },
  quarantine: { afterSeconds: 600, maxNodes: 2 },
};

const config = (o: Partial<RehearsalConfig> = {}, spec: DaemonSetRolloutSpec = ZONES): RehearsalConfig => ({
  cluster: FLEET,
  rollout: { apiVersion: 'everynode.dev/v1alpha1', kind: 'DaemonSetRollout', metadata: { name: 'agent', namespace: 'default' }, spec },
  daemonSets: [defaultDaemonSet('agent', 'default')],
  image: { image: 'example.com/agent:2' },
  seed: 7,
  ...o,
});

test('the same seed gives the same rehearsal; another seed other start-up times', () => {
  const a = rehearse(config()), b = rehearse(config());
  assert.deepEqual(a, b);
  assert.equal(a.outcome, 'Complete');
  const c = rehearse(config({ seed: 8 }));
  assert.notDeepEqual(c.waves, a.waves);
});

test('a 4-zone rollout: canary first, then the zones in order (order first, then sorted), each after the previous bake', () => {
  const r = rehearse(config());
  assert.equal(r.outcome, 'Complete');
  assert.deepEqual(r.waves.map((w) => [w.name, w.nodes]), [['canary', 2], ['zones-zone-c', 6], ['zones-zone-a', 6], ['zones-zone-b', 6], ['zones-zone-d', 6]]);
  for (let i = 0; i < r.waves.length; i++) {
    const w = r.waves[i];
    assert.ok(w.startMs !== undefined && w.doneMs !== undefined && w.bakedMs !== undefined, w.name);
    assert.ok(w.doneMs! > w.startMs!, `${w.name} takes time`);
    assert.equal(w.bakedMs! - w.doneMs!, i === 0 ? 300_000 : 60_000, `${w.name} bake`);
    if (i > 0) assert.ok(w.startMs! >= r.waves[i - 1].bakedMs!, `${w.name} starts after the previous bake`);
  }
  assert.equal(r.durationMs, r.waves[r.waves.length - 1].bakedMs);
});

test('a crash-looping image trips the gate in the first wave and rolls back; no later wave starts', () => {
  const r = rehearse(config({ image: { image: 'example.com/agent:crash' } }, { ...ZONES, onFailure: 'Rollback' }));
  assert.equal(r.trip?.wave, 'canary');
  assert.equal(r.trip?.reason, 'HealthGate');
  assert.ok(r.trip!.nodes.some((n) => n.reason === 'CrashLoop' && n.cause === 'Revision' && n.node.startsWith('canary-')));
  assert.equal(r.outcome, 'RolledBack');
  assert.ok(r.waves.slice(1).every((w) => w.startMs === undefined));
});

test('--fail-nodes: the nodes that turn NotReady before their update are reported with cause Node and quarantined; the fleet completes', () => {
  const r = rehearse(config({ failNodes: 2, failAfterMs: 0 }));
  assert.equal(r.failedNodes.length, 2);
  for (const f of r.failedNodes) assert.deepEqual([f.reason, f.cause, f.atMs], ['NodeNotReady', 'Node', 0], f.node);
  assert.equal(r.outcome, 'Complete');
  assert.equal(r.trip, undefined);
  assert.deepEqual(rehearse(config({ failNodes: 2, failAfterMs: 0 })).failedNodes, r.failedNodes, 'chosen by the seed');
});

test('a percentage of the fleet fails (rounded down); without quarantine the progress deadline trips', () => {
  const r = rehearse(config({ failNodes: '10%' }, { ...ZONES, quarantine: undefined, progressDeadlineSeconds: 600 }));
  assert.equal(r.failedNodes.length, 2); // 10% of 26
  assert.equal(r.outcome, 'Failed');
  assert.equal(r.trip?.reason, 'ProgressDeadlineExceeded');
});
