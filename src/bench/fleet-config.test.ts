import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchClusterConfig, parsedBenchConfig, plannedNodeNames, splitEvenly, ZONE_LABEL, zoneName } from './fleet-config.js';

test('one pool: node-0 … node-N-1, instant pods', () => {
  const c = parsedBenchConfig({ nodes: 3 });
  assert.deepEqual(plannedNodeNames(c), ['node-0', 'node-1', 'node-2']);
  assert.equal(c.pools.length, 1);
  assert.deepEqual(c.pools[0].pods.startupDelay, { constant: 0 });
  assert.deepEqual(c.pools[0].pods.readinessDelay, { constant: 0 });
  assert.deepEqual(c.pools[0].labels, {});
});

test('zones: the same N nodes in zone pools, each labelled with its zone', () => {
  const c = parsedBenchConfig({ nodes: 10, zones: 4 });
  assert.deepEqual(c.pools.map((p) => [p.name, p.count, p.labels[ZONE_LABEL]]), [
    ['zone-a', 3, 'zone-a'], ['zone-b', 3, 'zone-b'], ['zone-c', 2, 'zone-c'], ['zone-d', 2, 'zone-d'],
  ]);
  const names = plannedNodeNames(c);
  assert.equal(names.length, 10);
  assert.equal(new Set(names).size, 10);
  assert.deepEqual(names.slice(0, 4), ['zone-a-0', 'zone-a-1', 'zone-a-2', 'zone-b-0']);
});

test('pod delays are passed to every pool', () => {
  const pods = { startupDelay: { uniform: { min: 1000, max: 5000 } }, readinessDelay: { normal: { mean: 8000, stddev: 3000 } } };
  const c = parsedBenchConfig({ nodes: 8, zones: 4, pods });
  for (const p of c.pools) assert.deepEqual({ startupDelay: p.pods.startupDelay, readinessDelay: p.pods.readinessDelay }, pods);
});

test('the CIDR mask fits the fleet, as before', () => {
  assert.equal(benchClusterConfig({ nodes: 100_000, zones: 4 }).nodeCIDRMaskSize, 25);
  assert.equal(benchClusterConfig({ nodes: 10_000 }).nodeCIDRMaskSize, 24);
});

test('splitEvenly sums to n, parts differ by at most one', () => {
  for (const [n, k] of [[0, 4], [1, 4], [10_000, 4], [10_001, 4], [7, 3]] as const) {
    const parts = splitEvenly(n, k);
    assert.equal(parts.length, k);
    assert.equal(parts.reduce((a, b) => a + b, 0), n);
    assert.ok(Math.max(...parts) - Math.min(...parts) <= 1);
  }
  assert.equal(zoneName(0), 'zone-a');
  assert.equal(zoneName(3), 'zone-d');
  assert.throws(() => zoneName(26));
});
