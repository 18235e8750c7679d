import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fieldErrorMessage } from '../../api/fielderrors.js';
import { applyDefaults, prune, validateValue, type JSONSchemaProps } from './schema.js';

const messages = (v: unknown, s: JSONSchemaProps) => validateValue(v, s).map(fieldErrorMessage);

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 5, pattern: '^[a-z]+$' },
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        ratio: { type: 'number', minimum: 0, exclusiveMinimum: true },
        mode: { type: 'string', enum: ['a', 'b'], default: 'a' },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', items: { type: 'string' }, maxItems: 2, minItems: 1, 'x-kubernetes-list-type': 'set' },
        ports: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port'],
          items: { type: 'object', properties: { port: { type: 'integer' }, name: { type: 'string' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'integer' } } },
        when: { type: 'string', format: 'date-time' },
        maybe: { type: 'string', nullable: true },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        nested: { type: 'object', default: {}, properties: { level: { type: 'integer', default: 3 } } },
      },
    },
    status: { type: 'object', properties: { ready: { type: 'boolean' } } },
  },
};

test('validation messages and paths are upstream\'s', () => {
  assert.deepEqual(messages({ spec: {} }, schema), ['spec.name: Required value']);
  assert.deepEqual(messages({ spec: { name: 'ABC' } }, schema), [`spec.name: Invalid value: "ABC": spec.name in body should match '^[a-z]+$'`]);
  assert.deepEqual(messages({ spec: { name: '' } }, schema), [
    'spec.name: Invalid value: "": spec.name in body should be at least 1 chars long',
    `spec.name: Invalid value: "": spec.name in body should match '^[a-z]+$'`,
  ]);
  assert.deepEqual(messages({ spec: { name: 'abcdef' } }, schema), ['spec.name: Too long: may not be more than 5 bytes']);
  assert.deepEqual(messages({ spec: { name: 'a', replicas: 'x' } }, schema), ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']);
  assert.deepEqual(messages({ spec: { name: 'a', replicas: 1.5 } }, schema), ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']);
  assert.deepEqual(messages({ spec: { name: 'a', replicas: 11 } }, schema), ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']);
  assert.deepEqual(messages({ spec: { name: 'a', replicas: -1 } }, schema), ['spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0']);
  assert.deepEqual(messages({ spec: { name: 'a', ratio: 0 } }, schema), ['spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0']);
  assert.deepEqual(messages({ spec: { name: 'a', mode: 'c' } }, schema), ['spec.mode: Unsupported value: "c": supported values: "a", "b"']);
  assert.deepEqual(messages({ spec: { name: 'a', port: 80 } }, schema), []);
  assert.deepEqual(messages({ spec: { name: 'a', port: 'http' } }, schema), []);
  assert.deepEqual(messages({ spec: { name: 'a', port: true } }, schema), ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"']);
  assert.deepEqual(messages({ spec: { name: 'a', tags: ['x', 'y', 'z'] } }, schema), ['spec.tags: Too many: 3: must have at most 2 items']);
  assert.deepEqual(messages({ spec: { name: 'a', tags: [] } }, schema), ['spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items']);
  assert.deepEqual(messages({ spec: { name: 'a', tags: ['x', 'x'] } }, schema), ['spec.tags[1]: Duplicate value: "x"']);
  assert.deepEqual(messages({ spec: { name: 'a', ports: [{ port: 80, name: 'a' }, { port: 80, name: 'b' }] } }, schema), ['spec.ports[1]: Duplicate value: {"port":80}']);
  assert.deepEqual(messages({ spec: { name: 'a', labels: { a: 1 } } }, schema), ['spec.labels[a]: Invalid value: "integer": spec.labels[a] in body must be of type string: "integer"']);
  assert.deepEqual(messages({ spec: { name: 'a', free: { known: 'x', other: 1 } } }, schema), ['spec.free.known: Invalid value: "string": spec.free.known in body must be of type integer: "string"']);
  assert.deepEqual(messages({ spec: { name: 'a', when: 'yesterday' } }, schema), ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"']);
  assert.deepEqual(messages({ spec: { name: 'a', when: '2024-01-02T03:04:05Z', maybe: null } }, schema), []);
  assert.deepEqual(messages({ spec: { name: 'a', template: { spec: {} } } }, schema), [
    'spec.template.apiVersion: Required value: must not be empty', 'spec.template.kind: Required value: must not be empty',
  ]);
  assert.deepEqual(messages({ spec: 'x' }, schema), ['spec: Invalid value: "string": spec in body must be of type object: "string"']);
});

test('the root\'s apiVersion, kind and metadata are the REST layer\'s, not the schema\'s', () => {
  const s: JSONSchemaProps = { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 2 } } } } };
  assert.deepEqual(messages({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'long-name', labels: { a: 'b' } } }, s), []);
  const obj = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', labels: { a: 'b' } }, extra: 1 };
  assert.deepEqual(prune(obj, s), ['extra']);
  assert.deepEqual(obj, { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', labels: { a: 'b' } } });
});

test('pruning drops what the schema does not specify and reports the paths', () => {
  const obj = {
    spec: { name: 'a', bogus: 1, labels: { x: 'y' }, free: { known: 1, kept: { deep: true } }, ports: [{ port: 1, extra: 2 }], port: { any: 'thing' }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, whatever: 1 } },
    status: { ready: true, other: 'x' },
    top: 1,
  };
  assert.deepEqual(prune(obj, schema).sort(), ['spec.bogus', 'spec.ports[0].extra', 'status.other', 'top']);
  assert.deepEqual(obj.spec.free, { known: 1, kept: { deep: true } });
  assert.deepEqual(obj.spec.template, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, whatever: 1 });
  assert.deepEqual(obj.spec.port, { any: 'thing' });
});

test('defaulting fills missing fields, nested defaults, and replaces nulls of non-nullable fields', () => {
  const obj: Record<string, any> = { spec: { name: 'a', replicas: null, maybe: null, when: null } };
  applyDefaults(obj, schema);
  assert.equal(obj.spec.replicas, 1);
  assert.equal(obj.spec.mode, 'a');
  assert.equal(obj.spec.maybe, null, 'nullable keeps its null');
  assert.equal('when' in obj.spec, false, 'a null without a default is dropped');
  assert.deepEqual(obj.spec.nested, { level: 3 }, 'a defaulted object gets its own defaults');
  assert.equal(obj.status, undefined, 'no default, no field');
});

test('a hostile schema constrains nothing instead of throwing', () => {
  const bad = { type: 'object', properties: 'x', required: 'abc', enum: 5, items: 'y', additionalProperties: null, allOf: {} } as unknown as JSONSchemaProps;
  for (const v of [{}, { a: 1 }, [], 'x', null, 1]) {
    assert.doesNotThrow(() => validateValue(v, bad));
    assert.doesNotThrow(() => prune(structuredClone(v), bad));
    assert.doesNotThrow(() => applyDefaults(structuredClone(v), bad));
  }
});

// ---- properties ------------------------------------------------------------------------------

const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 6 }),
    fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('spec', 'name', 'replicas', 'mode', 'tags', 'labels', 'free', 'nested', 'x', 'status', 'level'), tie('value'), { maxKeys: 4 })),
})).value;

test('property: pruning is idempotent, and a pruned object has nothing left to prune', () => {
  fc.assert(fc.property(json, (v) => {
    const once = structuredClone(v);
    prune(once, schema);
    const twice = structuredClone(once);
    assert.deepEqual(prune(twice, schema), []);
    assert.deepEqual(twice, once);
  }), { numRuns: 300 });
});

test('property: defaulting is idempotent, and a defaulted valid object stays valid', () => {
  fc.assert(fc.property(json, (v) => {
    const once = structuredClone(v);
    applyDefaults(once, schema);
    const twice = structuredClone(once);
    applyDefaults(twice, schema);
    assert.deepEqual(twice, once);
    if (validateValue(v, schema).length === 0) {
      // Defaults of this schema are valid values, so filling them in cannot make an object invalid.
      assert.deepEqual(validateValue(once, schema), []);
    }
  }), { numRuns: 300 });
});

test('property: a minimal object of the schema, defaulted, validates', () => {
  fc.assert(fc.property(fc.stringMatching(/^[a-z]{1,5}$/), (name) => {
    const obj = { spec: { name } };
    applyDefaults(obj, schema);
    assert.deepEqual(validateValue(obj, schema), []);
  }), { numRuns: 50 });
});
