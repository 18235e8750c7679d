import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import { Catalog, def } from '../resources/catalog.js';
import { compareVersions, customResourceDefs, customResourceStrategy } from './customresource.js';
import { acceptNames, computeStatus } from './strategy.js';
import { defaultCRD, validateCRD } from './validation.js';
import type { CustomResourceDefinition } from './types.js';

const base = (): CustomResourceDefinition => ({
  metadata: { name: 'foos.x.example.io' },
  spec: {
    group: 'x.example.io', scope: 'Cluster', names: { plural: 'foos', kind: 'Foo' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }],
  },
});

const errors = (crd: CustomResourceDefinition) => { defaultCRD(crd); return validateCRD(crd).map(fieldErrorMessage); };

test('ValidateCustomResourceDefinition: a minimal CRD is valid once defaulted', () => {
  const crd = base();
  assert.deepEqual(errors(crd), []);
  assert.equal(crd.spec!.names!.singular, 'foo');
  assert.equal(crd.spec!.names!.listKind, 'FooList');
  assert.deepEqual(crd.spec!.conversion, { strategy: 'None' });
});

test('ValidateCustomResourceDefinition: names, versions, printer columns, scale', () => {
  const crd = base();
  crd.spec!.names = { plural: 'Foos', kind: 'Foo', listKind: 'Foo', shortNames: ['f_1'] };
  crd.spec!.versions = [
    { name: 'v1', served: false, storage: true, schema: { openAPIV3Schema: { type: 'object' } }, additionalPrinterColumns: [{ name: 'X', type: 'float', jsonPath: 'spec.x' }], subresources: { scale: { specReplicasPath: '.status.x', statusReplicasPath: '' } } },
    { name: 'v1', served: false, storage: true },
  ];
  const msgs = errors(crd);
  for (const want of [
    'metadata.name: Invalid value: "foos.x.example.io": must be spec.names.plural+"."+spec.group',
    'spec.names.listKind: Invalid value: "Foo": kind and listKind may not be the same',
    'spec.versions[1].name: Duplicate value: "v1"',
    'spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required',
    'spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: "float": supported values: "integer", "number", "string", "boolean", "date"',
    'spec.versions[0].additionalPrinterColumns[0].JSONPath: Invalid value: "spec.x": must be a simple json path',
    'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.x": should be a json path under .spec',
    'spec.versions[0].subresources.scale.statusReplicasPath: Required value',
  ]) assert.ok(msgs.includes(want), `missing ${want} in\n${msgs.join('\n')}`);
  assert.ok(msgs.some((m) => m.startsWith('spec.versions: Invalid value') && m.endsWith('must have exactly one version marked as storage version')));
  assert.ok(msgs.some((m) => m.startsWith('spec.names.plural: Invalid value: "Foos"')));
  assert.ok(msgs.some((m) => m.startsWith('spec.names.shortNames[0]: Invalid value: "f_1"')));
});

test('groups of the Kubernetes project need the API approval annotation', () => {
  const crd = base();
  crd.metadata!.name = 'foos.widgets.k8s.io';
  crd.spec!.group = 'widgets.k8s.io';
  assert.deepEqual(errors(crd), ['metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111']);
  crd.metadata!.annotations = { 'api-approved.kubernetes.io': 'https://github.com/kubernetes/kubernetes/pull/1' };
  assert.deepEqual(errors(crd), []);
});

test('structural schemas: types required, list-map keys must be scalar item properties', () => {
  const crd = base();
  crd.spec!.versions![0]!.schema = { openAPIV3Schema: { type: 'object', properties: {
    a: { properties: {} },
    b: { 'x-kubernetes-int-or-string': true },
    c: { 'x-kubernetes-preserve-unknown-fields': true },
    d: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k', 'o'], items: { type: 'object', properties: { k: { type: 'string' }, o: { type: 'object' } } } },
  } } };
  assert.deepEqual(errors(crd), [
    'spec.versions[0].schema.openAPIV3Schema.properties[a].type: Required value: must not be empty for specified object fields',
    'spec.versions[0].schema.openAPIV3Schema.properties[d].items.properties[o].type: Invalid value: "object": must be a scalar type if parent array is a list map',
  ]);
});

test('names: a conflicting CRD keeps what it had, the first one keeps its names', () => {
  const first = base();
  defaultCRD(first);
  first.status = computeStatus(first, [], 0);
  assert.deepEqual(first.status.acceptedNames, { plural: 'foos', singular: 'foo', kind: 'Foo', listKind: 'FooList' });
  const second = base();
  second.metadata!.name = 'bars.x.example.io';
  second.spec!.names = { plural: 'bars', singular: 'bar', kind: 'Foo', listKind: 'BarList' };
  const verdict = acceptNames(second, [first]);
  assert.equal(verdict.condition.status, 'False');
  assert.equal(verdict.condition.reason, 'KindConflict');
  const other = base();
  other.spec!.group = 'y.example.io';
  assert.equal(acceptNames(other, [first]).condition.status, 'True', 'other groups do not conflict');
  const st = computeStatus(second, [first], 0);
  assert.equal(st.conditions!.find((c) => c.type === 'Established')!.status, 'False');
  assert.equal(customResourceDefs({ ...second, status: st }).length, 0, 'not established, not served');
});

test('kube-aware version priority: GA, then beta, then alpha, then the rest', () => {
  const sorted = ['v1alpha1', 'foo', 'v1beta1', 'v2', 'v1', 'v11alpha2', 'v1beta2', 'bar'].sort(compareVersions);
  assert.deepEqual(sorted, ['v2', 'v1', 'v1beta2', 'v1beta1', 'v11alpha2', 'v1alpha1', 'bar', 'foo']);
  fc.assert(fc.property(fc.array(fc.constantFrom('v1', 'v2', 'v1beta1', 'v2beta3', 'v1alpha1', 'x', 'y10'), { maxLength: 8 }), (vs) => {
    const a = [...vs].sort(compareVersions);
    assert.deepEqual([...a].sort(compareVersions), a);
    for (let i = 1; i < a.length; i++) assert.ok(compareVersions(a[i - 1]!, a[i]!) <= 0);
  }));
});

test('generation: bumped by spec changes; by status changes only without a status subresource', () => {
  const old = { metadata: { name: 'a', generation: 4 }, spec: { x: 1 }, status: { y: 1 } };
  const bump = (statusEnabled: boolean, next: Record<string, unknown>) => {
    const s = customResourceStrategy({ crdName: 'c', statusEnabled, terminating: false, table: { columns: [], cells: () => [] }, normalize: () => {} });
    const obj = structuredClone({ ...old, ...next, metadata: { ...old.metadata } });
    s.prepareForUpdate!(obj, old, undefined as never);
    return obj.metadata.generation;
  };
  assert.equal(bump(true, { spec: { x: 2 } }), 5);
  assert.equal(bump(true, { status: { y: 2 } }), 4);
  assert.equal(bump(false, { status: { y: 2 } }), 5);
  assert.equal(bump(false, { metadata: { labels: { a: 'b' } } }), 4);
});

test('catalog: custom entries replace as a whole, never shadow a built-in, readers keep their snapshot', () => {
  const c = new Catalog();
  c.add(def({ group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', namespaced: true }));
  c.freeze();
  const before = c.all();
  const g0 = c.generation;
  const mk = (version: string, resource = 'foos', group = 'x.io') => def({ group, version, resource, kind: 'Foo', namespaced: false });
  assert.deepEqual(c.setCustom('foos.x.io', [mk('v1'), mk('v2')]), []);
  assert.ok(c.generation > g0);
  assert.equal(before.length, 1, 'a listing taken before is unchanged');
  assert.deepEqual(c.groups().get('x.io'), ['v1', 'v2']);
  c.setCustom('foos.x.io', [mk('v2')]);
  assert.equal(c.lookup('x.io', 'v1', 'foos'), undefined);
  assert.ok(c.lookup('x.io', 'v2', 'foos'));
  const rejected = c.setCustom('daemonsets.apps', [mk('v1', 'daemonsets', 'apps')]);
  assert.equal(rejected.length, 1);
  assert.equal(c.lookup('apps', 'v1', 'daemonsets')!.kind, 'DaemonSet');
  assert.equal(c.setCustom('other.x.io', [mk('v2')]).length, 1, 'another CRD\'s resource is not taken over');
  c.setCustom('foos.x.io', []);
  assert.equal(c.groups().has('x.io'), false);
  assert.throws(() => c.add(mk('v9')), /frozen/);
});
