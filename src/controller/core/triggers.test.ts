import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types.js';
import { isStatusOnlyPodChange } from './triggers.js';

const pod = (extra: Partial<Pod> = {}): Pod => ({
  metadata: { name: 'p', labels: { app: 'a' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'd', uid: 'u', controller: true }], ...extra.metadata },
  spec: { containers: [{ name: 'c' }], ...extra.spec },
  status: { phase: 'Pending', ...extra.status },
});

test('binding and readiness are status-only; deletion, relabelling, re-owning and failure are not', () => {
  const base = pod();
  assert.equal(isStatusOnlyPodChange(base, pod({ spec: { containers: [{ name: 'c' }], nodeName: 'n1' } })), true, 'bound by the scheduler');
  assert.equal(isStatusOnlyPodChange(base, pod({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } })), true, 'became ready');
  assert.equal(isStatusOnlyPodChange(base, pod({ metadata: { name: 'p', labels: { app: 'a' }, ownerReferences: base.metadata!.ownerReferences, deletionTimestamp: '2026-01-01T00:00:00Z' } })), false);
  assert.equal(isStatusOnlyPodChange(base, pod({ metadata: { name: 'p', labels: { app: 'b' }, ownerReferences: base.metadata!.ownerReferences } })), false);
  assert.equal(isStatusOnlyPodChange(base, pod({ metadata: { name: 'p', labels: { app: 'a' }, ownerReferences: [] } })), false, 'released');
  assert.equal(isStatusOnlyPodChange(base, pod({ status: { phase: 'Failed' } })), false, 'a failed daemon pod is replaced at once');
  assert.equal(isStatusOnlyPodChange(pod({ status: { phase: 'Failed' } }), pod({ status: { phase: 'Failed', reason: 'x' } })), true);
});
