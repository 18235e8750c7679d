import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, Pod } from '../api/types.js';
import { convergedStatusProblems, podPlacementProblems, statusClaimsConverged } from './checks.js';

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
