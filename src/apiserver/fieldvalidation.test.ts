import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinSchemas } from './openapi/index.js';
import { fieldValidationOutcome, parseFieldValidation, pruneUnknownFields, schemaNameFor, unknownFields } from './fieldvalidation.js';

const ds = schemaNameFor(builtinSchemas, 'apps', 'v1', 'DaemonSet')!;

/** What kubectl sends for a DaemonSet manifest, including the fields a real server tolerates. */
const manifest = () => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet',
  metadata: {
    name: 'd', namespace: 'default', creationTimestamp: null, labels: { a: 'b' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {} } } } }],
  },
  spec: {
    selector: { matchLabels: { a: 'b' } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
    template: {
      metadata: { labels: { a: 'b' }, creationTimestamp: null },
      spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1' } }, ports: [{ containerPort: 80 }] }] },
    },
  },
  status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
});

test('schemaNameFor finds kinds by group-version-kind, including the legacy extensions DaemonSet', () => {
  assert.equal(ds, 'io.k8s.api.apps.v1.DaemonSet');
  assert.equal(schemaNameFor(builtinSchemas, '', 'v1', 'Pod'), 'io.k8s.api.core.v1.Pod');
  assert.equal(schemaNameFor(builtinSchemas, 'extensions', 'v1beta1', 'DaemonSet'), 'io.k8s.api.extensions.v1beta1.DaemonSet');
  assert.equal(schemaNameFor(builtinSchemas, 'apps', 'v1', 'Nope'), undefined);
});

test('a real manifest (status, managedFields, null timestamps, maps, int-or-string, quantities) has no unknown fields', () => {
  assert.deepEqual(unknownFields(builtinSchemas, ds, manifest()), []);
});

test('unknown fields are reported with upstream paths, nested in objects and arrays', () => {
  const m = manifest() as Record<string, any>;
  m.spec.foo = 1;
  m.spec.template.spec.containers[0].bar = 'x';
  m.metadata.baz = true;
  m.top = {};
  assert.deepEqual(unknownFields(builtinSchemas, ds, m).sort(), ['metadata.baz', 'spec.foo', 'spec.template.spec.containers[0].bar', 'top']);
});

test('pruneUnknownFields removes exactly the unknown fields', () => {
  const m = manifest() as Record<string, any>;
  m.spec.foo = 1;
  m.spec.template.spec.containers[0].bar = 'x';
  assert.deepEqual(pruneUnknownFields(builtinSchemas, ds, m).sort(), ['spec.foo', 'spec.template.spec.containers[0].bar']);
  assert.deepEqual(m, manifest());
});

test('outcome per mode: Strict refuses with one joined message, Warn warns per field, Ignore is silent', () => {
  assert.deepEqual(fieldValidationOutcome('Strict', ['spec.foo']), { error: 'strict decoding error: unknown field "spec.foo"', warnings: [] });
  assert.equal(fieldValidationOutcome('Strict', ['a', 'b']).error, 'strict decoding error: unknown field "a", unknown field "b"');
  assert.deepEqual(fieldValidationOutcome('Warn', ['spec.foo']), { warnings: ['unknown field "spec.foo"'] });
  assert.deepEqual(fieldValidationOutcome('Ignore', ['spec.foo']), { warnings: [] });
  assert.deepEqual(fieldValidationOutcome('Strict', []), { warnings: [] });
});

test('parseFieldValidation defaults to Warn and rejects unknown values', () => {
  assert.equal(parseFieldValidation(null), 'Warn');
  assert.equal(parseFieldValidation('Strict'), 'Strict');
  assert.equal(parseFieldValidation('Ignore'), 'Ignore');
  assert.equal(parseFieldValidation('strict'), undefined);
});
