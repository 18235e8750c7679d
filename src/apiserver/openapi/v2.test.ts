import { test } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { toSwagger, toV2Schema } from './v2.js';
import { encodeSwaggerProtobuf } from './v2proto.js';

test('v3 schemas become Swagger 2.0 ones: definitions refs, described refs, no v3-only keywords', () => {
  assert.deepEqual(toV2Schema({ description: 'd', allOf: [{ $ref: '#/components/schemas/a.B' }] }), { description: 'd', $ref: '#/definitions/a.B' });
  assert.deepEqual(toV2Schema({ type: 'string', nullable: true, anyOf: [{ type: 'integer' }], 'x-kubernetes-int-or-string': true }), { type: 'string', 'x-kubernetes-int-or-string': true });
  assert.deepEqual(toV2Schema({ oneOf: [{ type: 'string' }, { type: 'number' }] }), { type: 'string' });
  assert.deepEqual(toV2Schema({ type: 'object', properties: { a: { type: 'array', items: { $ref: '#/components/schemas/x' } } }, additionalProperties: false }),
    { type: 'object', properties: { a: { type: 'array', items: { $ref: '#/definitions/x' } } }, additionalProperties: false });
});

test('operations: request bodies become body parameters, parameters carry their type', () => {
  const doc = toSwagger({
    '/apis/x.io/v1/foos/{name}': {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }],
      patch: {
        operationId: 'patchFoo', parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
        requestBody: { content: { 'application/merge-patch+json': { schema: { type: 'object' } } } },
        responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/io.x.v1.Foo' } } } } },
        'x-kubernetes-group-version-kind': { group: 'x.io', version: 'v1', kind: 'Foo' },
      },
    },
  }, {}) as any;
  const item = doc.paths['/apis/x.io/v1/foos/{name}'];
  assert.deepEqual(item.parameters, [{ name: 'name', in: 'path', required: true, type: 'string', uniqueItems: true }]);
  assert.deepEqual(item.patch.parameters, [
    { name: 'body', in: 'body', required: true, schema: { type: 'object' } },
    { name: 'fieldValidation', in: 'query', type: 'string' },
  ]);
  assert.deepEqual(item.patch.consumes, ['application/merge-patch+json']);
  assert.deepEqual(item.patch.responses['200'], { description: 'OK', schema: { $ref: '#/definitions/io.x.v1.Foo' } });
  assert.equal(doc.swagger, '2.0');
});

// The subset of gnostic's openapi_v2 messages the encoder writes, to read its bytes back.
const root = protobuf.Root.fromJSON({
  nested: {
    Document: { fields: { swagger: { type: 'string', id: 1 }, info: { type: 'Info', id: 2 }, definitions: { type: 'Definitions', id: 9 } } },
    Info: { fields: { title: { type: 'string', id: 1 }, version: { type: 'string', id: 2 } } },
    Definitions: { fields: { additionalProperties: { rule: 'repeated', type: 'NamedSchema', id: 1 } } },
    NamedSchema: { fields: { name: { type: 'string', id: 1 }, value: { type: 'Schema', id: 2 } } },
    Any: { fields: { yaml: { type: 'string', id: 2 } } },
    NamedAny: { fields: { name: { type: 'string', id: 1 }, value: { type: 'Any', id: 2 } } },
    TypeItem: { fields: { value: { rule: 'repeated', type: 'string', id: 1 } } },
    ItemsItem: { fields: { schema: { rule: 'repeated', type: 'Schema', id: 1 } } },
    Properties: { fields: { additionalProperties: { rule: 'repeated', type: 'NamedSchema', id: 1 } } },
    AdditionalPropertiesItem: { oneofs: { oneof: { oneof: ['schema', 'boolean'] } }, fields: { schema: { type: 'Schema', id: 1 }, boolean: { type: 'bool', id: 2 } } },
    Schema: {
      fields: {
        ref: { type: 'string', id: 1 }, format: { type: 'string', id: 2 }, description: { type: 'string', id: 4 }, default: { type: 'Any', id: 5 },
        maximum: { type: 'double', id: 7 }, minimum: { type: 'double', id: 9 }, maxLength: { type: 'int64', id: 11 },
        required: { rule: 'repeated', type: 'string', id: 19 }, enum: { rule: 'repeated', type: 'Any', id: 20 },
        additionalProperties: { type: 'AdditionalPropertiesItem', id: 21 }, type: { type: 'TypeItem', id: 22 }, items: { type: 'ItemsItem', id: 23 },
        allOf: { rule: 'repeated', type: 'Schema', id: 24 }, properties: { type: 'Properties', id: 25 }, vendorExtension: { rule: 'repeated', type: 'NamedAny', id: 31 },
      },
    },
  },
});

test('the protobuf form decodes as gnostic\'s openapi_v2.Document', () => {
  const bytes = encodeSwaggerProtobuf({
    swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' },
    definitions: {
      'io.x.v1.Foo': {
        type: 'object', description: 'A foo.', required: ['spec'], 'x-kubernetes-group-version-kind': [{ group: 'x.io', version: 'v1', kind: 'Foo' }],
        properties: {
          spec: { $ref: '#/definitions/io.x.v1.FooSpec', description: 'the spec' },
          size: { type: 'integer', format: 'int32', minimum: -3, maximum: 2.5, default: 1, maxLength: 300 },
          mode: { type: 'string', enum: ['a', 'b'] },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          closed: { type: 'object', additionalProperties: false },
          list: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  });
  const doc = root.lookupType('Document').toObject(root.lookupType('Document').decode(bytes), { longs: Number, defaults: false }) as any;
  assert.equal(doc.swagger, '2.0');
  assert.deepEqual(doc.info, { title: 'Kubernetes', version: 'v1.32.0' });
  const foo = doc.definitions.additionalProperties[0];
  assert.equal(foo.name, 'io.x.v1.Foo');
  const s = foo.value;
  assert.deepEqual(s.type.value, ['object']);
  assert.deepEqual(s.required, ['spec']);
  assert.deepEqual(s.vendorExtension, [{ name: 'x-kubernetes-group-version-kind', value: { yaml: '[{"group":"x.io","version":"v1","kind":"Foo"}]' } }]);
  const props = Object.fromEntries(s.properties.additionalProperties.map((p: any) => [p.name, p.value]));
  assert.deepEqual(props.spec, { ref: '#/definitions/io.x.v1.FooSpec', description: 'the spec' });
  assert.deepEqual(props.size, { type: { value: ['integer'] }, format: 'int32', minimum: -3, maximum: 2.5, default: { yaml: '1' }, maxLength: 300 });
  assert.deepEqual(props.mode.enum, [{ yaml: '"a"' }, { yaml: '"b"' }]);
  assert.deepEqual(props.labels.additionalProperties, { schema: { type: { value: ['string'] } } });
  assert.deepEqual(props.closed.additionalProperties, { boolean: false });
  assert.deepEqual(props.list.items, { schema: [{ type: { value: ['string'] } }] });
});
