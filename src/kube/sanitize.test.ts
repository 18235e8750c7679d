import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { collectionKind, sanitizeObject } from './sanitize.js';

const POD = 'io.k8s.api.core.v1.Pod';
const NODE = 'io.k8s.api.core.v1.Node';

describe('collectionKind', () => {
  it('maps list/watch paths to their kind', () => {
    assert.equal(collectionKind('/api/v1/pods')?.kind, 'Pod');
    assert.equal(collectionKind('/api/v1/namespaces/x/pods')?.kind, 'Pod');
    assert.equal(collectionKind('/apis/apps/v1/namespaces/x/daemonsets')?.schema, 'io.k8s.api.apps.v1.DaemonSet');
    assert.equal(collectionKind('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases')?.apiVersion, 'coordination.k8s.io/v1');
    assert.equal(collectionKind('/apis/policy/v1/poddisruptionbudgets')?.kind, 'PodDisruptionBudget');
    assert.equal(collectionKind('/apis/example.com/v1/widgets'), undefined);
  });
});

describe('sanitizeObject', () => {
  it('removes the issue #9 shapes and says where', () => {
    const pod = sanitizeObject<Record<string, any>>({ metadata: { name: 'p', namespace: 'd', ownerReferences: '', labels: null }, spec: { containers: [] } }, POD);
    assert.deepEqual(pod.object?.metadata, { name: 'p', namespace: 'd' });
    assert.deepEqual(pod.problems, ['metadata.ownerReferences: expected array, got string ""']);
    const node = sanitizeObject<Record<string, any>>({ metadata: { name: 'n' }, status: { conditions: [null, { type: 'Ready', status: 'True' }], capacity: { cpu: 4, memory: {} } } }, NODE);
    assert.deepEqual(node.object?.status, { conditions: [{ type: 'Ready', status: 'True' }], capacity: { cpu: 4 } });
    assert.deepEqual([...node.problems].sort(), ['status.capacity.memory: expected string or number, got object', 'status.conditions[0]: expected a value, got null']);
    assert.deepEqual(sanitizeObject({ metadata: { name: 'n' }, status: { conditions: 0 } }, NODE).problems, ['status.conditions: expected array, got number 0']);
  });

  it('checks integers, int32 ranges, booleans and timestamps', () => {
    const r = sanitizeObject<Record<string, any>>({
      metadata: { name: 'p', namespace: 'd', creationTimestamp: 'yesterday', generation: 1.5 },
      spec: { priority: 2 ** 40, hostNetwork: 'yes', containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] },
    }, POD);
    assert.deepEqual(r.object?.metadata, { name: 'p', namespace: 'd' });
    assert.deepEqual(r.object?.spec, { containers: [{ name: 'c', ports: [{}] }] });
    assert.equal(r.problems.length, 5);
  });

  it('keeps fields the schema does not know, and valid objects untouched', () => {
    const o = { metadata: { name: 'p', namespace: 'd', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }], futureField: { x: 1 } } };
    const before = structuredClone(o);
    const r = sanitizeObject(o, POD);
    assert.deepEqual(r.problems, []);
    assert.deepEqual(r.object, before);
  });

  it('skips an object whose identity is unusable', () => {
    for (const raw of [null, 'pod', [], { metadata: 'x' }, { metadata: { name: 5 } }, { metadata: {} }, { metadata: { name: '' } }, { metadata: { name: 'p', namespace: 3 } }, { metadata: { name: 'p', uid: {} } }]) {
      const r = sanitizeObject(raw, POD);
      assert.equal(r.object, undefined, JSON.stringify(raw));
      assert.ok(r.problems.length > 0);
    }
  });

  it('checks a revision\'s data as a DaemonSet patch', () => {
    const r = sanitizeObject<Record<string, any>>({ metadata: { name: 'r', namespace: 'd' }, revision: 1, data: { spec: { template: { spec: { containers: 'x' } } } } }, 'io.k8s.api.apps.v1.ControllerRevision');
    assert.deepEqual(r.object?.data, { spec: { template: { spec: {} } } });
  });

  it('never throws, and what it admits admits again without a problem', () => {
    const kinds = [POD, NODE, 'io.k8s.api.apps.v1.DaemonSet', 'io.k8s.api.apps.v1.ControllerRevision', undefined];
    fc.assert(fc.property(fc.constantFrom(...kinds), fc.anything(), fc.anything(), fc.anything(), (kind, spec, status, labels) => {
      const r = sanitizeObject({ metadata: { name: 'x', namespace: 'd', labels }, spec, status }, kind);
      if (r.object) assert.deepEqual(sanitizeObject(structuredClone(r.object), kind).problems, []);
    }), { numRuns: 500 });
  });
});
