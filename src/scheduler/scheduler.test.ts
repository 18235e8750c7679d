import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../api/types.js';
import { nodeChangeMatters, wantsScheduling } from './scheduler.js';

test('only unbound, live pods for the default scheduler are ours', () => {
  const p = (spec: Partial<NonNullable<Pod['spec']>>, extra: Partial<Pod> = {}): Pod => ({ metadata: { name: 'p' }, spec: { containers: [], ...spec }, ...extra });
  assert.equal(wantsScheduling(p({})), true);
  assert.equal(wantsScheduling(p({ schedulerName: 'default-scheduler' })), true);
  assert.equal(wantsScheduling(p({ schedulerName: 'other' })), false);
  assert.equal(wantsScheduling(p({ nodeName: 'n' })), false);
  assert.equal(wantsScheduling(p({}, { metadata: { name: 'p', deletionTimestamp: 'x' } })), false);
  assert.equal(wantsScheduling(p({}, { status: { phase: 'Failed' } })), false);
});

test('heartbeats do not count as node changes; labels, taints and allocatable do', () => {
  const n: Node = { metadata: { name: 'n', labels: { a: '1' } }, spec: {}, status: { allocatable: { cpu: '1' }, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '1' }] } };
  assert.equal(nodeChangeMatters(n, { ...n, status: { ...n.status, conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2' }] } }), false);
  assert.equal(nodeChangeMatters(n, { ...n, metadata: { name: 'n', labels: { a: '2' } } }), true);
  assert.equal(nodeChangeMatters(n, { ...n, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } }), true);
  assert.equal(nodeChangeMatters(n, { ...n, status: { ...n.status, allocatable: { cpu: '2' } } }), true);
});
