import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, Pod } from '../api/types.js';
import { benchNodeCIDRMaskSize, convergedStatusProblems, ipamProblems, podPlacementProblems, statusClaimsConverged, statusWritten, withinTolerance } from './checks.js';
import { CidrSet } from '../kcm/ipam/cidrset.js';
import { partList, sizeList } from '../cli/commands/bench.js';

const exact = (n: number): DaemonSet => ({
  metadata: { generation: 2 },
  status: { observedGeneration: 2, desiredNumberScheduled: n, currentNumberScheduled: n, updatedNumberScheduled: n, numberReady: n, numberAvailable: n, numberMisscheduled: 0 },
});

test('an exact status passes; zero counts may be omitted', () => {
  assert.deepEqual(convergedStatusProblems(exact(3), 3), []);
  assert.ok(statusClaimsConverged(exact(0), 0));
});

test('each wrong field is reported, including a stale observedGeneration', () => {
  const ds = exact(3);
  ds.status!.numberReady = 2;
  ds.status!.numberUnavailable = 1;
  ds.status!.observedGeneration = 1;
  assert.deepEqual(convergedStatusProblems(ds, 3), [
    'status.numberReady = 2, want 3', 'status.numberUnavailable = 1, want 0', 'status.observedGeneration = 1, want 2',
  ]);
  assert.equal(statusClaimsConverged(undefined, 3), false);
});

const pod = (name: string, node: string, o: { ready?: boolean; image?: string; terminating?: boolean } = {}): Pod => ({
  metadata: { name, ...(o.terminating ? { deletionTimestamp: 'x' } : {}) },
  spec: { nodeName: node, containers: [{ name: 'c', image: o.image ?? 'a:v1' }] },
  status: { conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});

test('placement: one Ready pod with the image on each expected node, nowhere else', () => {
  const nodes = new Set(['n1', 'n2', 'n3']);
  assert.deepEqual(podPlacementProblems([pod('a', 'n1'), pod('b', 'n2'), pod('c', 'n3'), pod('d', 'n3', { terminating: true })], nodes, 'a:v1'), []);
  assert.deepEqual(podPlacementProblems([pod('a', 'n1'), pod('b', 'n1', { ready: false }), pod('c', 'n9'), pod('e', 'n2', { image: 'a:v0' })], nodes, 'a:v1'), [
    '1 nodes with two or more pods: n1×2', '1 nodes without a pod: n3', '1 pods on unexpected nodes: c→n9', '1 pods not Ready: b', '1 pods not running a:v1: e',
  ]);
});

test('node IPAM check: every node a CIDR, no CIDR on two nodes', () => {
  assert.deepEqual(ipamProblems(new Map([['a', '10.0.0.0/24'], ['b', '10.0.1.0/24']]), 2), []);
  assert.deepEqual(ipamProblems(new Map([['a', '10.0.0.0/24']]), 3), ['2 of 3 nodes have no pod CIDR']);
  assert.deepEqual(ipamProblems(new Map([['a', '10.0.0.0/24'], ['b', '10.0.0.0/24']]), 2), ['1 pod CIDRs are held by more than one node']);
});

test('the bench range fits every size it accepts: /24 up to 65,536 nodes, smaller blocks beyond', () => {
  assert.equal(benchNodeCIDRMaskSize(1), 24);
  assert.equal(benchNodeCIDRMaskSize(50_000), 24);
  assert.equal(benchNodeCIDRMaskSize(65_536), 24);
  assert.equal(benchNodeCIDRMaskSize(65_537), 25);
  assert.equal(benchNodeCIDRMaskSize(100_000), 25);
  for (const n of [1, 50_000, 65_537, 100_000, 1_000_000]) {
    const set = CidrSet.create('10.0.0.0/8', benchNodeCIDRMaskSize(n));
    assert.ok(!('error' in set) && set.capacity >= n, String(n));
  }
});

test('bench --nodes: up to 1,000,000, no longer 10,000', () => {
  assert.deepEqual(sizeList('1000,50000,100000'), [1000, 50_000, 100_000]);
  assert.deepEqual(sizeList('1000000'), [1_000_000]);
  assert.throws(() => sizeList('1000001'), /from 1 to 1000000/);
  assert.throws(() => sizeList('0'), /from 1 to 1000000/);
  assert.throws(() => sizeList('1e5'), /from 1 to 1000000/);
});

test('statusWritten: a new resourceVersion with a changed status, nothing else', () => {
  const at = (rv: string, status?: unknown) => ({ metadata: { resourceVersion: rv }, status });
  assert.equal(statusWritten(at('1', { phase: 'Idle' }), at('2', { phase: 'Progressing' })), true);
  assert.equal(statusWritten(at('1', { phase: 'Idle' }), at('2', { phase: 'Idle' })), false, 'a metadata write (finalizer)');
  assert.equal(statusWritten(at('1', { phase: 'Idle' }), at('1', { phase: 'Idle' })), false, 'a relist of the same version');
  assert.equal(statusWritten(at('1'), at('2', { phase: 'Idle' })), true, 'the first status');
});

test('withinTolerance: relative to the reference, both ways', () => {
  assert.equal(withinTolerance(115, 100, 0.15), true);
  assert.equal(withinTolerance(85, 100, 0.15), true);
  assert.equal(withinTolerance(116, 100, 0.15), false);
  assert.equal(withinTolerance(84, 100, 0.15), false);
  assert.equal(withinTolerance(NaN, 100, 0.15), false);
  assert.equal(withinTolerance(100, 0, 0.15), false);
});

test('--only takes known parts, comma-separated', () => {
  assert.deepEqual([...partList('rollout-waves, rehearsal')], ['rollout-waves', 'rehearsal']);
  assert.throws(() => partList('rollout'), /--only must be a comma-separated list of sizes, compare-storage, footprint, rollout-waves, rehearsal/);
  assert.throws(() => partList(''), /--only/);
});
