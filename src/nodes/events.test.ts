import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventBudget, kubeletNodeEvent, kubeletPodEvent, kubeletStartEvents, readyTransitionEvent } from './events.js';

const T0 = Date.UTC(2026, 0, 1);

test('a pod event names the container and the kubelet host', () => {
  const pod = { metadata: { name: 'web', namespace: 'ns', uid: 'u1', resourceVersion: '7' } };
  const e = kubeletPodEvent(pod, 'node-3', { type: 'Normal', reason: 'Pulling', message: 'Pulling image "x"', container: 'c' }, T0, 5);
  assert.equal(e.namespace, 'ns');
  const b = e.body as Record<string, any>;
  assert.deepEqual(b.involvedObject, { apiVersion: 'v1', kind: 'Pod', namespace: 'ns', name: 'web', uid: 'u1', resourceVersion: '7', fieldPath: 'spec.containers{c}' });
  assert.deepEqual(b.source, { component: 'kubelet', host: 'node-3' });
  assert.deepEqual([b.reportingComponent, b.reportingInstance, b.count, b.type], ['kubelet', 'node-3', 1, 'Normal']);
  assert.notEqual(b.metadata.name, (kubeletPodEvent(pod, 'node-3', { type: 'Normal', reason: 'Pulling', message: '' }, T0, 6).body as any).metadata.name);
  assert.equal((kubeletPodEvent(pod, 'n', { type: 'Normal', reason: 'X', message: '' }, T0, 1).body as any).involvedObject.fieldPath, undefined);
});

test('a node event is the kubelet\'s: uid is the node name, in default', () => {
  const e = kubeletNodeEvent('n1', { type: 'Normal', reason: 'Starting', message: 'Starting kubelet.' }, T0, 0);
  assert.equal(e.namespace, 'default');
  assert.deepEqual((e.body as any).involvedObject, { kind: 'Node', name: 'n1', uid: 'n1' });
  assert.deepEqual((e.body as any).source, { component: 'kubelet', host: 'n1' });
});

test('start and Ready-transition events', () => {
  assert.deepEqual(kubeletStartEvents('n1', true).map((e) => e.reason), ['Starting', 'NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID', 'NodeAllocatableEnforced', 'NodeReady']);
  assert.equal(kubeletStartEvents('n1', false).at(-1)!.reason, 'NodeAllocatableEnforced');
  assert.deepEqual(readyTransitionEvent('n1', 'Unknown', 'True'), { type: 'Normal', reason: 'NodeReady', message: 'Node n1 status is now: NodeReady' });
  assert.deepEqual(readyTransitionEvent('n1', 'True', 'False'), { type: 'Normal', reason: 'NodeNotReady', message: 'Node n1 status is now: NodeNotReady' });
  assert.equal(readyTransitionEvent('n1', 'True', 'True'), undefined);
  assert.equal(readyTransitionEvent('n1', 'True', undefined), undefined);
});

test('property: the budget never grants more than burst + rate × elapsed', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 300 }), (gaps) => {
    const b = new EventBudget(10, 5);
    let now = T0, granted = 0;
    for (const g of gaps) { now += g; if (b.take(now)) granted++; }
    assert.ok(granted <= 5 + Math.floor(((now - T0) / 1000) * 10) + 1);
  }));
  const b = new EventBudget(10, 2);
  assert.deepEqual([b.take(T0), b.take(T0), b.take(T0), b.take(T0 + 100)], [true, true, false, true]);
});
