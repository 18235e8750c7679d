import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { builtinSchemas } from './openapi/index.js';
import { checkTypes, decodeErrorMessage, exceedsDepth, maxDepth } from './typecheck.js';
import { unknownFields } from './fieldvalidation.js';

const schemaOf: Record<string, string> = {
  Pod: 'io.k8s.api.core.v1.Pod',
  Node: 'io.k8s.api.core.v1.Node',
  ConfigMap: 'io.k8s.api.core.v1.ConfigMap',
  Namespace: 'io.k8s.api.core.v1.Namespace',
  Event: 'io.k8s.api.core.v1.Event',
  DaemonSet: 'io.k8s.api.apps.v1.DaemonSet',
  Lease: 'io.k8s.api.coordination.v1.Lease',
};

const check = (kind: string, body: unknown) => checkTypes(builtinSchemas, schemaOf[kind], body);
const messageOf = (kind: string, body: unknown) => check(kind, body)?.message;

describe('checkTypes: wrongly typed fields, worded as encoding/json words them', () => {
  const cases: Array<[kind: string, body: unknown, message: string, path: string]> = [
    // The two bodies of issue #9 that were stored and then crashed the controller.
    ['Pod', { metadata: { ownerReferences: '' } }, 'json: cannot unmarshal string into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference', 'metadata.ownerReferences'],
    ['Node', { status: { conditions: 0 } }, 'json: cannot unmarshal number into Go struct field NodeStatus.status.conditions of type []v1.NodeCondition', 'status.conditions'],
    ['Node', { status: { conditions: {} } }, 'json: cannot unmarshal object into Go struct field NodeStatus.status.conditions of type []v1.NodeCondition', 'status.conditions'],
    ['Pod', { spec: { containers: 'x' } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container', 'spec.containers'],
    ['Pod', { spec: { containers: ['x'] } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container', 'spec.containers[0]'],
    ['Pod', { spec: { containers: [{ name: 'a' }, { name: 5 }] } }, 'json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string', 'spec.containers[1].name'],
    ['Pod', { metadata: { labels: 5 } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type map[string]string', 'metadata.labels'],
    ['Pod', { metadata: { labels: { a: 1 } } }, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string', 'metadata.labels.a'],
    ['Pod', { metadata: { name: true } }, 'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.name of type string', 'metadata.name'],
    ['Pod', { metadata: 'x' }, 'json: cannot unmarshal string into Go struct field Pod.metadata of type v1.ObjectMeta', 'metadata'],
    ['Pod', { spec: [] }, 'json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec', 'spec'],
    ['Pod', { kind: 5 }, 'json: cannot unmarshal number into Go struct field Pod.kind of type string', 'kind'],
    ['Pod', { spec: { hostNetwork: 'true' } }, 'json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool', 'spec.hostNetwork'],
    ['ConfigMap', { data: { a: 1 } }, 'json: cannot unmarshal number into Go struct field ConfigMap.data of type string', 'data.a'],
    ['ConfigMap', { immutable: 'yes' }, 'json: cannot unmarshal string into Go struct field ConfigMap.immutable of type bool', 'immutable'],
    ['Namespace', { spec: { finalizers: [1] } }, 'json: cannot unmarshal number into Go struct field NamespaceSpec.spec.finalizers of type string', 'spec.finalizers[0]'],
    ['Event', { involvedObject: [] }, 'json: cannot unmarshal array into Go struct field Event.involvedObject of type v1.ObjectReference', 'involvedObject'],
    ['Event', { count: '1' }, 'json: cannot unmarshal string into Go struct field Event.count of type int32', 'count'],
    ['DaemonSet', { spec: { template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: '80' }] }] } } } },
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32', 'spec.template.spec.containers[0].ports[0].containerPort'],
    ['DaemonSet', { spec: { revisionHistoryLimit: 1.5 } }, 'json: cannot unmarshal number 1.5 into Go struct field DaemonSetSpec.spec.revisionHistoryLimit of type int32', 'spec.revisionHistoryLimit'],
    ['Lease', { spec: { leaseDurationSeconds: 3000000000 } }, 'json: cannot unmarshal number 3000000000 into Go struct field LeaseSpec.spec.leaseDurationSeconds of type int32', 'spec.leaseDurationSeconds'],
    ['Lease', { spec: { holderIdentity: {} } }, 'json: cannot unmarshal object into Go struct field LeaseSpec.spec.holderIdentity of type string', 'spec.holderIdentity'],
  ];
  for (const [kind, body, message, path] of cases) {
    test(`${kind} ${JSON.stringify(body)}`, () => {
      assert.deepEqual(check(kind, body), { message, path });
    });
  }

  test('the first mismatch in document order is reported, as the decoder reports its earliest error', () => {
    assert.equal(check('Pod', { metadata: { name: 1, labels: 2 } })?.path, 'metadata.name');
    assert.equal(check('Pod', { spec: { containers: 1 }, metadata: { name: 1 } })?.path, 'spec.containers');
  });

  test('timestamps must parse as RFC 3339, as metav1.Time.UnmarshalJSON requires', () => {
    assert.match(messageOf('Lease', { spec: { renewTime: 'yesterday' } }) ?? '', /^parsing time "yesterday" as "2006-01-02T15:04:05Z07:00".*LeaseSpec\.spec\.renewTime/);
    assert.match(messageOf('Lease', { spec: { renewTime: 5 } }) ?? '', /cannot unmarshal number into Go struct field LeaseSpec.spec.renewTime of type v1.MicroTime/);
    assert.equal(check('Lease', { spec: { renewTime: '2024-01-02T03:04:05.123456Z', acquireTime: '2024-01-02T03:04:05+02:00' } }), undefined);
  });

  test('the 400 message carries kind and version as transformDecodeError puts them', () => {
    const m = check('Pod', { metadata: { ownerReferences: '' } })!;
    assert.equal(decodeErrorMessage('Pod', 'v1', m),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference');
  });
});

describe('checkTypes: what the decoder accepts', () => {
  test('a complete, well-typed DaemonSet passes unchanged', () => {
    const ds = {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', labels: { a: 'b' }, annotations: {} },
      spec: {
        selector: { matchLabels: { a: 'b' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['v'] }] },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%', maxSurge: 0 } },
        template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { cpu: '100m', memory: 1024 } } }], terminationGracePeriodSeconds: 30 } },
      },
      status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
    };
    const copy = structuredClone(ds);
    assert.equal(check('DaemonSet', ds), undefined);
    assert.deepEqual(ds, copy);
  });

  test('int-or-string fields take an int32 or a string, nothing else', () => {
    const ds = (v: unknown) => ({ spec: { updateStrategy: { rollingUpdate: { maxUnavailable: v } } } });
    for (const ok of [1, 0, '25%', 'x']) assert.equal(check('DaemonSet', ds(ok)), undefined, String(ok));
    assert.equal(messageOf('DaemonSet', ds(1.5)), 'json: cannot unmarshal number 1.5 into Go struct field RollingUpdateDaemonSet.spec.updateStrategy.rollingUpdate.maxUnavailable of type intstr.IntOrString');
    for (const bad of [true, {}, [], 2 ** 40]) assert.ok(check('DaemonSet', ds(bad)), JSON.stringify(bad));
  });

  test('quantities take a string or a number', () => {
    const pod = (v: unknown) => ({ spec: { containers: [{ name: 'c', resources: { requests: { cpu: v } } }] } });
    for (const ok of ['100m', 1, 0.5]) assert.equal(check('Pod', pod(ok)), undefined, String(ok));
    for (const bad of [true, {}, ['1']]) assert.ok(check('Pod', pod(bad)), JSON.stringify(bad));
  });

  test('free-form fields (RawExtension, FieldsV1) take any JSON', () => {
    assert.equal(check('Pod', { metadata: { managedFields: [{ manager: 'm', fieldsV1: { 'f:x': { '.': {} }, n: 1 } }] } }), undefined);
  });

  test('unknown fields are left to field validation, whatever their type', () => {
    const body = { spec: { bogus: 5, containers: [{ name: 'c', nope: [] }] } };
    assert.equal(check('Pod', body), undefined);
    assert.deepEqual(body, { spec: { bogus: 5, containers: [{ name: 'c', nope: [] }] } });
  });
});

describe('checkTypes: unknown fields reported in the same walk', () => {
  const bodies: Array<[string, unknown]> = [
    ['Pod', { bogus: 1, metadata: { name: 'p', nope: {}, labels: { a: 'b' } }, spec: { containers: [{ name: 'c', bar: [1] }, { name: 'd' }], x: { y: 1 } } }],
    ['DaemonSet', { spec: { template: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1' } }, z: 1 }] } }, updateStrategy: { q: 1 } } }],
    ['ConfigMap', { data: { anything: 'goes' }, metadata: { managedFields: [{ fieldsV1: { 'f:x': {} }, bogus: 2 }] } }],
    ['Node', { status: { conditions: [{ type: 'Ready', status: 'True', extra: 1 }], capacity: { cpu: '4' } } }],
  ];
  for (const [kind, body] of bodies) {
    test(`${kind}: the same paths as fieldvalidation's unknownFields`, () => {
      const seen: string[] = [];
      assert.equal(checkTypes(builtinSchemas, schemaOf[kind], structuredClone(body), (path) => seen.push(path)), undefined);
      assert.deepEqual(seen, unknownFields(builtinSchemas, schemaOf[kind], body));
      assert.ok(seen.length > 0);
    });
  }

  test('the callback can prune in place, as Warn and Ignore need', () => {
    const body = { bogus: 1, spec: { containers: [{ name: 'c', bar: 1 }] } };
    checkTypes(builtinSchemas, schemaOf.Pod, body, (_p, parent, key) => { delete parent[key]; });
    assert.deepEqual(body, { spec: { containers: [{ name: 'c' }] } });
  });
});

describe('checkTypes: null is absent, as decoding into Go structs makes it', () => {
  test('a null struct field is removed, wherever it is', () => {
    const body = { metadata: { name: 'p', labels: null, ownerReferences: null }, spec: null, status: { phase: null } };
    assert.equal(check('Pod', body), undefined);
    assert.deepEqual(body, { metadata: { name: 'p' }, status: {} });
  });

  test('a null map value becomes the element zero value', () => {
    const body = { metadata: { labels: { a: null } }, data: { k: null } };
    assert.equal(check('ConfigMap', body), undefined);
    assert.deepEqual(body, { metadata: { labels: { a: '' } }, data: { k: '' } });
  });

  test('a null list item is a zero-value element: an empty struct (validation then rejects an empty Container with 422), "" for strings', () => {
    const pod = { spec: { containers: [null, { name: 'c', args: [null, 'x'] }] } };
    assert.equal(check('Pod', pod), undefined);
    assert.deepEqual(pod, { spec: { containers: [{}, { name: 'c', args: ['', 'x'] }] } });
    // kube-apiserver stores `conditions: [null]` on a Node as one empty condition.
    const node = { status: { conditions: [null] } };
    assert.equal(check('Node', node), undefined);
    assert.deepEqual(node, { status: { conditions: [{}] } });
  });
});

describe('checkTypes: partial objects of patches (null list items refused)', () => {
  const partial = (kind: string, body: unknown) => checkTypes(builtinSchemas, schemaOf[kind], body, undefined, 'refuse');

  test('a null list item cannot be merged and is refused, with its path', () => {
    assert.deepEqual(partial('Pod', { metadata: { finalizers: ['a', null] } }),
      { message: 'json: cannot unmarshal null into Go struct field ObjectMeta.metadata.finalizers of type string', path: 'metadata.finalizers[1]' });
    assert.equal(partial('Pod', { spec: { containers: [null] } })?.path, 'spec.containers[0]');
  });

  test('nulls that delete (struct fields, map values) stay, and so do $patch directives and $-keys', () => {
    const body = {
      metadata: { labels: { a: null }, annotations: null },
      spec: { containers: [{ $patch: 'replace' }, { name: 'c', $patch: 'delete' }], 'nodeSelector': { $patch: 'replace', x: 'y' } },
      'metadata/$setElementOrder': 1, '$setElementOrder/containers': [{ name: 'c' }], '$retainKeys': ['spec'],
    };
    assert.equal(partial('Pod', structuredClone(body)), undefined);
    assert.equal(partial('Pod', { metadata: { finalizers: [{ $patch: 'replace' }, 'a'] } }), undefined);
  });
});

describe('exceedsDepth', () => {
  const nested = (n: number) => { let v: unknown = 1; for (let i = 0; i < n; i++) v = i % 2 ? { a: v } : [v]; return v; };

  test('counts container levels, scalars excluded', () => {
    assert.equal(exceedsDepth(1, 0), false);
    assert.equal(exceedsDepth({}, 1), false);
    assert.equal(exceedsDepth({ a: {} }, 1), true);
    assert.equal(exceedsDepth(nested(maxDepth)), false);
    assert.equal(exceedsDepth(nested(maxDepth + 1)), true);
  });

  test('a 100,000-deep document is measured without a stack overflow', () => {
    assert.equal(exceedsDepth(nested(100_000)), true);
  });

  test('agrees with a recursive depth count on arbitrary JSON', () => {
    const depth = (v: unknown): number => (typeof v !== 'object' || v === null ? 0 : 1 + Math.max(0, ...Object.values(v).map(depth)));
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 7 }), (v, limit) => {
      assert.equal(exceedsDepth(v, limit), depth(v) > limit);
    }));
  });
});
