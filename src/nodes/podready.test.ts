import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../api/types.js';
import { rfc3339 } from '../api/meta.js';
import { nodeIsReady, notReadyCondition, podsToMarkNotReady, regardingPod } from './podready.js';

const T0 = Date.UTC(2026, 0, 1);
const node = (status?: string): Node => ({ metadata: { name: 'n' }, status: status ? { conditions: [{ type: 'Ready', status }] } : {} });
const pod = (name: string, ready?: string): Pod => ({
  metadata: { name, namespace: 'ns', uid: `u-${name}`, resourceVersion: '3' },
  status: { conditions: [{ type: 'PodScheduled', status: 'True' }, ...(ready ? [{ type: 'Ready', status: ready, lastTransitionTime: rfc3339(T0 - 5000) }] : [])] },
});

test('only Ready=True is a ready node', () => {
  assert.deepEqual([node('True'), node('False'), node('Unknown'), node()].map(nodeIsReady), [true, false, false, false]);
});

test('only pods whose Ready is True are marked, and only Ready changes, with a new transition time', () => {
  const pods = [pod('a', 'True'), pod('b', 'False'), pod('c')];
  assert.deepEqual(podsToMarkNotReady(pods).map((p) => p.metadata!.name), ['a']);
  assert.deepEqual(notReadyCondition(pods[0], T0), { type: 'Ready', status: 'False', lastTransitionTime: rfc3339(T0) });
  assert.deepEqual(regardingPod(pods[0]), { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'a', uid: 'u-a', resourceVersion: '3' });
});
