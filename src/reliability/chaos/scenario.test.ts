import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseClusterConfig } from '../../nodes/cluster-config.js';
import { clusterYaml, daemonSetObject, IMAGE, planRun } from './scenario.js';

test('a plan is a function of its seed', () => {
  assert.deepEqual(planRun(5), planRun(5));
  assert.notDeepEqual(planRun(5), planRun(6));
});

test('property: plans stay within their bounds', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
    const p = planRun(seed, { chaosMs: 12_000 });
    const total = p.pools.general + p.pools.edge;
    assert.ok(total >= 12 && total <= 22);
    assert.ok(p.actions.every((a, i) => a.atMs >= 0 && a.atMs < p.chaosMs && (i === 0 || p.actions[i - 1].atMs <= a.atMs)));
    // Every fault is healed within the chaos; faults hit distinct nodes.
    const faults = p.actions.filter((a) => a.kind === 'fault' || a.kind === 'deleteNode').map((a) => (a as { node: string }).node);
    assert.equal(new Set(faults).size, faults.length);
    for (const a of p.actions) if (a.kind === 'fault') assert.ok(p.actions.some((h) => h.kind === 'heal' && h.node === a.node && h.atMs >= a.atMs));
    // Images only move forward within a DaemonSet.
    for (const d of p.daemonSets) {
      const v = p.actions.filter((a) => a.kind === 'setImage' && a.ds === d.name).map((a) => Number((a as { image: string }).image.split(':v')[1]));
      assert.deepEqual(v, v.map((_, i) => i + 2));
    }
    // Kills are spaced, surge DaemonSets have maxUnavailable 0 (as validation demands).
    const kills = p.actions.filter((a) => a.kind === 'kill').map((a) => a.atMs);
    assert.ok(kills.length >= 1 && kills.every((t, i) => i === 0 || t - kills[i - 1] >= 2_500));
    for (const d of p.daemonSets) assert.ok(d.maxSurge === 0 || d.maxUnavailable === 0);
    return true;
  }), { numRuns: 200 });
});

test('the cluster file parses and the DaemonSet objects roll images on RollingUpdate', () => {
  const p = planRun(3);
  const c = parseClusterConfig(clusterYaml(p));
  assert.deepEqual(c.pools.map((x) => [x.name, x.count, x.labels.tier]), [['general', p.pools.general, 'general'], ['edge', p.pools.edge, 'edge']]);
  const ds = daemonSetObject(p.daemonSets[1], 'chaos');
  assert.equal(ds.spec?.updateStrategy?.type, 'RollingUpdate');
  assert.equal(ds.spec?.template.spec?.containers[0].image, `${IMAGE}:v1`);
  assert.equal(ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable, 0);
});
