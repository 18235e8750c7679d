import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../api/types.js';
import { defaultConvertor, tableConvertorFor, toTable } from './tables.js';
import { podConvertor } from './tables/pods.js';
import { eventConvertor } from './tables/events.js';
import { daemonSetConvertor } from './tables/apigroups.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

const pod: KObject = {
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name: 'done', namespace: 'jobs', uid: 'u1', resourceVersion: '41', labels: { app: 'x' }, creationTimestamp: '2024-05-01T11:00:00Z' },
  spec: { containers: [{ name: 'c' }] },
  status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, image: '', imageID: '', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] },
};

test('toTable builds a meta.k8s.io/v1 Table with PartialObjectMetadata rows by default', () => {
  const table = toTable(podConvertor, [pod], NOW, { resourceVersion: '42', continue: 'abc', remainingItemCount: 7, includeObject: 'Metadata', includeColumns: true });
  assert.deepEqual(JSON.parse(JSON.stringify(table)), {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '42', continue: 'abc', remainingItemCount: 7 },
    columnDefinitions: podConvertor.columns,
    rows: [{
      cells: ['done', '0/1', 'Completed', '0', '60m', '<none>', '<none>', '<none>', '<none>'],
      conditions: [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata },
    }],
  });
});

test('includeObject Object embeds the object, None omits it; later watch events drop the columns', () => {
  const full = toTable(podConvertor, [pod], NOW, { resourceVersion: '1', includeObject: 'Object', includeColumns: true });
  assert.deepEqual((full.rows as { object: unknown }[])[0].object, pod);
  const bare = toTable(podConvertor, [pod], NOW, { resourceVersion: '1', includeObject: 'None', includeColumns: false });
  assert.equal('object' in (bare.rows as object[])[0], false);
  assert.equal(bare.columnDefinitions, null);
  assert.deepEqual(bare.metadata, { resourceVersion: '1' });
  const empty = toTable(eventConvertor, [], NOW, { resourceVersion: '9', includeObject: 'Metadata', includeColumns: true });
  assert.deepEqual(empty.rows, []);
});

test('rows without conditions carry no conditions field', () => {
  const running = { ...pod, status: { phase: 'Running' } };
  const table = toTable(podConvertor, [running], NOW, { resourceVersion: '1', includeObject: 'None', includeColumns: true });
  assert.equal('conditions' in (table.rows as object[])[0], false);
});

test('tableConvertorFor picks the per-kind printer and falls back to Name, Created At', () => {
  assert.equal(tableConvertorFor('', 'pods'), podConvertor);
  assert.equal(tableConvertorFor('events.k8s.io', 'events'), eventConvertor);
  assert.equal(tableConvertorFor('apps', 'daemonsets'), daemonSetConvertor);
  for (const [group, resource] of [['rbac.authorization.k8s.io', 'roles'], ['rbac.authorization.k8s.io', 'clusterroles'],
    ['apiextensions.k8s.io', 'customresourcedefinitions'], ['example.com', 'widgets'], ['apps', 'pods']]) {
    assert.equal(tableConvertorFor(group, resource), defaultConvertor, `${group}/${resource}`);
  }
  assert.deepEqual(defaultConvertor.columns.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
  assert.deepEqual(defaultConvertor.cells({ metadata: { name: 'view', creationTimestamp: '2024-05-01T11:00:00Z' } }, NOW), ['view', '2024-05-01T11:00:00Z']);
  assert.deepEqual(defaultConvertor.cells({ metadata: { name: 'x' } }, NOW), ['x', '0001-01-01T00:00:00Z']);
});

test('every printer emits one cell per column, even for a nearly empty object', () => {
  const resources = [
    ['', 'pods'], ['', 'nodes'], ['', 'namespaces'], ['', 'events'], ['', 'configmaps'], ['', 'secrets'], ['', 'serviceaccounts'],
    ['', 'services'], ['apps', 'daemonsets'], ['apps', 'controllerrevisions'], ['coordination.k8s.io', 'leases'],
    ['scheduling.k8s.io', 'priorityclasses'], ['policy', 'poddisruptionbudgets'], ['rbac.authorization.k8s.io', 'rolebindings'],
    ['rbac.authorization.k8s.io', 'clusterrolebindings'], ['example.com', 'widgets'],
  ];
  for (const [group, resource] of resources) {
    const conv = tableConvertorFor(group, resource);
    const cells = conv.cells({ metadata: { name: 'n' } }, NOW);
    assert.equal(cells.length, conv.columns.length, `${group}/${resource}`);
    assert.ok(cells.every((c) => ['string', 'number', 'boolean'].includes(typeof c)), `${group}/${resource} cells are JSON scalars`);
    assert.equal(conv.columns.filter((c) => c.format === 'name').length, 1, `${group}/${resource} has one name column`);
  }
});
