// The type check as the API handler applies it on every write path (create, update, status,
// patches, apply, subresources), plus the hostile-body limits: depth, YAML aliases, protobuf magic.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openBackend } from '../storage/index.js';
import { builtinCatalog } from './builtin.js';
import { Store } from './store.js';
import { ApiHandler, type ApiResponse } from './handler.js';
import { builtinSchemas, type Schema } from './openapi/index.js';

const backend = openBackend({ inMemory: true });
const catalog = builtinCatalog();
const store = new Store(backend, catalog);
store.create(catalog.lookup('', 'v1', 'namespaces')!, '', { metadata: { name: 'default' } });
const handler = new ApiHandler(store, catalog, '127.0.0.1:6443');
after(() => backend.close());

const podsDef = catalog.lookup('', 'v1', 'pods')!;
const cmDef = catalog.lookup('', 'v1', 'configmaps')!;
const nodesDef = catalog.lookup('', 'v1', 'nodes')!;

function call(method: string, path: string, body: string | Buffer, contentType = 'application/json', query = ''): ApiResponse & { body: any } {
  const r = handler.handle({ method, path, query: new URLSearchParams(query), accept: 'application/json', contentType, body: Buffer.isBuffer(body) ? body : Buffer.from(body) });
  assert.equal(r.kind, 'response');
  return r as ApiResponse & { body: any };
}

function assertStatus(r: { status: number; body: any }, code: number, reason: string, message?: RegExp | string): void {
  assert.equal(r.status, code, JSON.stringify(r.body));
  assert.equal(r.body.kind, 'Status');
  assert.equal(r.body.reason, reason);
  if (typeof message === 'string') assert.equal(r.body.message, message);
  else if (message) assert.match(r.body.message, message);
}

const nested = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const pod = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'i' }] }, ...extra });

describe('create and update bodies', () => {
  test('the two crash bodies of issue #9 are 400 and nothing is stored', () => {
    const p = call('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ ...pod('crash-owner'), metadata: { name: 'crash-owner', ownerReferences: '' } }));
    assertStatus(p, 400, 'BadRequest', 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ObjectMeta.metadata.ownerReferences of type []v1.OwnerReference');
    assert.equal(store.getKV(podsDef, 'default', 'crash-owner'), undefined);
    for (const conditions of [0, 'x', {}, true]) {
      const n = call('POST', '/api/v1/nodes', JSON.stringify({ metadata: { name: 'crash-node' }, status: { conditions } }));
      assertStatus(n, 400, 'BadRequest', /^Node in version "v1" cannot be handled as a Node: json: cannot unmarshal \w+ into Go struct field NodeStatus\.status\.conditions of type \[\]v1\.NodeCondition$/);
    }
    assert.equal(store.getKV(nodesDef, '', 'crash-node'), undefined);
  });

  test('a wrongly typed field is 400 in YAML bodies and in every fieldValidation mode', () => {
    for (const mode of ['Strict', 'Warn', 'Ignore']) {
      const r = call('POST', '/api/v1/namespaces/default/configmaps', 'metadata:\n  name: yaml-typed\ndata:\n  a: 1\n', 'application/yaml', `fieldValidation=${mode}`);
      assertStatus(r, 400, 'BadRequest', 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
    }
    assert.equal(store.getKV(cmDef, 'default', 'yaml-typed'), undefined);
  });

  test('type errors win over unknown fields under Strict, as the decoder fails before strict checks', () => {
    const r = call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'both' }, bogus: 1, data: 5 }), 'application/json', 'fieldValidation=Strict');
    assertStatus(r, 400, 'BadRequest', /cannot unmarshal number into Go struct field ConfigMap\.data of type map\[string\]string$/);
  });

  test('nulls are absent: a body with null fields is stored without them', () => {
    const r = call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'nulls', labels: null, annotations: { a: null } }, data: null }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const stored = store.get(cmDef, 'default', 'nulls');
    assert.equal('labels' in stored.metadata!, false);
    assert.deepEqual(stored.metadata!.annotations, { a: '' });
    assert.equal('data' in stored, false);
  });

  test('PUT and PUT /status are checked too, and the stored object is unchanged', () => {
    assert.equal(call('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod('upd'))).status, 201);
    const current = store.get(podsDef, 'default', 'upd');
    const put = call('PUT', '/api/v1/namespaces/default/pods/upd', JSON.stringify({ ...current, spec: { ...(current.spec as object), containers: 'x' } }));
    assertStatus(put, 400, 'BadRequest', /PodSpec\.spec\.containers of type \[\]v1\.Container$/);
    const status = call('PUT', '/api/v1/namespaces/default/pods/upd/status', JSON.stringify({ ...current, status: { conditions: 0 } }));
    assertStatus(status, 400, 'BadRequest', /PodStatus\.status\.conditions of type \[\]v1\.PodCondition$/);
    assert.deepEqual(store.get(podsDef, 'default', 'upd'), current);
  });

  test('subresource bodies are checked against their own kinds (Binding, Eviction)', () => {
    assert.equal(call('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod('sub'))).status, 201);
    assertStatus(call('POST', '/api/v1/namespaces/default/pods/sub/binding', JSON.stringify({ metadata: { name: 'sub' }, target: 'node-1' })),
      400, 'BadRequest', 'Binding in version "v1" cannot be handled as a Binding: json: cannot unmarshal string into Go struct field Binding.target of type v1.ObjectReference');
    assertStatus(call('POST', '/api/v1/namespaces/default/pods/sub/eviction', JSON.stringify({ metadata: { name: 'sub' }, deleteOptions: 5 })),
      400, 'BadRequest', /^Eviction in version "v1" cannot be handled as a Eviction: .*Eviction\.deleteOptions of type v1\.DeleteOptions$/);
    assert.equal((store.get(podsDef, 'default', 'sub').spec as { nodeName?: string }).nodeName, undefined);
  });

  test('JSON nested 5,000 deep is 400 "exceeded max depth", in a known or an unknown field', () => {
    for (const field of ['data', 'bogus']) {
      const r = call('POST', '/api/v1/namespaces/default/configmaps', `{"metadata":{"name":"deep"},"${field}":${nested(5000)}}`);
      assertStatus(r, 400, 'BadRequest', "couldn't get version/kind; json parse error: exceeded max depth");
    }
    assert.equal(store.getKV(cmDef, 'default', 'deep'), undefined);
  });

  test('YAML nested 5,000 deep and a billion-laughs document are 400', () => {
    const deep = call('POST', '/api/v1/namespaces/default/configmaps', `metadata:\n  name: deep\nbogus: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'application/yaml');
    assertStatus(deep, 400, 'BadRequest', 'error converting YAML to JSON: yaml: exceeded max depth');
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const name = String.fromCharCode(97 + i);
      lines.push(`${name}: &${name} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    }
    const lol = call('POST', '/api/v1/namespaces/default/configmaps', `metadata:\n  name: lol\n${lines.join('\n')}\n`, 'application/yaml');
    assertStatus(lol, 400, 'BadRequest', 'error converting YAML to JSON: yaml: document contains excessive aliasing');
  });

  test('a few YAML aliases are fine, and the aliased nodes are not shared after decoding', () => {
    const yaml = 'metadata:\n  name: aliased\n  labels: &l {a: b}\n  annotations: *l\n';
    assert.equal(call('POST', '/api/v1/namespaces/default/configmaps', yaml, 'application/yaml').status, 201);
    const stored = store.get(cmDef, 'default', 'aliased');
    assert.deepEqual(stored.metadata!.annotations, { a: 'b' });
    assert.notEqual(stored.metadata!.annotations, stored.metadata!.labels);
  });

  test('a protobuf body without the k8s\\0 magic is 400, as the protobuf serializer answers', () => {
    const r = call('POST', '/api/v1/namespaces/default/configmaps', '{"kind":"ConfigMap"}', 'application/vnd.kubernetes.protobuf');
    assertStatus(r, 400, 'BadRequest', 'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  });
});

describe('patches: the patched object is type-checked before it is stored', () => {
  assert.equal(call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'target' }, data: { a: 'b' } })).status, 201);
  const original = () => store.get(cmDef, 'default', 'target');

  test('a merge patch {"metadata":"x"} is 422 on field "patch" (it was a 500) and changes nothing', () => {
    const before = original();
    const r = call('PATCH', '/api/v1/namespaces/default/configmaps/target', '{"metadata":"x"}', 'application/merge-patch+json');
    assertStatus(r, 422, 'Invalid', /^ "" is invalid: patch: Invalid value: ".*": json: cannot unmarshal string into Go struct field ConfigMap\.metadata of type v1\.ObjectMeta$/);
    assert.deepEqual(original(), before);
  });

  test('JSON patch and strategic merge patch results are checked the same way', () => {
    const before = original();
    assertStatus(call('PATCH', '/api/v1/namespaces/default/configmaps/target', '[{"op":"add","path":"/data/n","value":1}]', 'application/json-patch+json'),
      422, 'Invalid', /json: cannot unmarshal number into Go struct field ConfigMap\.data of type string$/);
    assertStatus(call('PATCH', '/api/v1/namespaces/default/configmaps/target', '{"data":{"n":1}}', 'application/strategic-merge-patch+json'),
      422, 'Invalid', /^ "" is invalid: patch: Invalid value: "\{\\"data\\":\{\\"n\\":1\}\}": json: cannot unmarshal number/);
    assert.deepEqual(original(), before);
  });

  test('a patch nested 5,000 deep is 400', () => {
    assertStatus(call('PATCH', '/api/v1/namespaces/default/configmaps/target', `{"data":${nested(5000)}}`, 'application/merge-patch+json'), 400, 'BadRequest', 'error decoding patch: exceeded max depth');
    assertStatus(call('PATCH', '/api/v1/namespaces/default/configmaps/target', `[{"op":"add","path":"/bogus","value":${nested(5000)}}]`, 'application/json-patch+json'), 400, 'BadRequest', 'error decoding patch: exceeded max depth');
  });

  test('a JSON patch that builds a too-deep object out of shallow operations is 400', () => {
    // The patch is 902 levels deep; copying its 900-level value 200 levels down inside itself gives 1,101.
    const ops = [{ op: 'add', path: '/bogus', value: JSON.parse(nested(900)) }, { op: 'copy', from: '/bogus', path: `/bogus${'/a'.repeat(200)}` }];
    assertStatus(call('PATCH', '/api/v1/namespaces/default/configmaps/target', JSON.stringify(ops), 'application/json-patch+json'), 400, 'BadRequest', "couldn't get version/kind; json parse error: exceeded max depth");
  });

  test('a strategic merge patch or applied configuration with a wrongly typed list item is 4xx before the merge meets it', () => {
    assert.equal(call('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod('smp'))).status, 201);
    const before = store.get(podsDef, 'default', 'smp');
    assertStatus(call('PATCH', '/api/v1/namespaces/default/pods/smp', '{"spec":{"containers":["x"]}}', 'application/strategic-merge-patch+json'),
      422, 'Invalid', 'json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container'.replace(/^/, ' "" is invalid: patch: Invalid value: "{\\"spec\\":{\\"containers\\":[\\"x\\"]}}": '));
    assertStatus(call('PATCH', '/api/v1/namespaces/default/pods/smp', 'spec:\n  containers: [x, 1]\n', 'application/apply-patch+yaml', 'fieldManager=t'),
      400, 'BadRequest', 'failed to create typed patch object (default/smp; v1, Kind=Pod): .spec.containers[0]: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container');
    assert.deepEqual(store.get(podsDef, 'default', 'smp'), before);
  });

  test('nulls in a strategic merge patch still remove fields', () => {
    assert.equal(call('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ metadata: { name: 'smp-null', labels: { a: 'b', c: 'd' } } })).status, 201);
    assert.equal(call('PATCH', '/api/v1/namespaces/default/configmaps/smp-null', '{"metadata":{"labels":{"a":null}}}', 'application/strategic-merge-patch+json').status, 200);
    assert.deepEqual(store.get(cmDef, 'default', 'smp-null').metadata!.labels, { c: 'd' });
  });

  test('apply without fieldManager is 422, as ValidatePatchOptions answers', () => {
    for (const name of ['target', 'absent']) {
      assertStatus(call('PATCH', `/api/v1/namespaces/default/configmaps/${name}`, 'data: {a: c}\n', 'application/apply-patch+yaml'),
        422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    }
    assert.equal(store.getKV(cmDef, 'default', 'absent'), undefined);
  });

  test('apply with a wrongly typed field is 400, on update and on create', () => {
    const before = original();
    assertStatus(call('PATCH', '/api/v1/namespaces/default/configmaps/target', 'data: {a: 1}\n', 'application/apply-patch+yaml', 'fieldManager=t'),
      400, 'BadRequest', /^failed to create typed patch object \(default\/target; v1, Kind=ConfigMap\): \.data\.a: json: cannot unmarshal number/);
    assert.deepEqual(original(), before);
    assertStatus(call('PATCH', '/api/v1/namespaces/default/configmaps/applied', 'data: {a: 1}\n', 'application/apply-patch+yaml', 'fieldManager=t'), 400, 'BadRequest');
    assert.equal(store.getKV(cmDef, 'default', 'applied'), undefined);
    // An applied configuration names its kind (versionCheckManager refuses it otherwise).
    assert.equal(call('PATCH', '/api/v1/namespaces/default/configmaps/applied', 'apiVersion: v1\nkind: ConfigMap\ndata: {a: "1"}\n', 'application/apply-patch+yaml', 'fieldManager=t').status, 201);
  });
});

// ---- property: random values at random schema paths of a valid Pod ----------------------------

const refPrefix = '#/components/schemas/';
function resolve(s: Schema | undefined): Schema | undefined {
  for (let i = 0; s && i < 8; i++) {
    if (typeof s.$ref === 'string') s = builtinSchemas[(s.$ref as string).slice(refPrefix.length)];
    else if (Array.isArray(s.allOf) && s.allOf.length === 1) s = s.allOf[0] as Schema;
    else break;
  }
  return s;
}

/** The JSON types a field's schema admits, read straight off the schema (undefined: anything). */
function admittedTypes(s: Schema | undefined): Set<string> | undefined {
  const r = resolve(s);
  if (!r) return undefined;
  if (Array.isArray(r.oneOf)) return new Set((r.oneOf as Schema[]).map((o) => (o.type === 'integer' ? 'number' : String(o.type))));
  if (r.type === undefined || r['x-kubernetes-preserve-unknown-fields']) return undefined;
  if (r.type === 'object' && !r.properties && typeof r.additionalProperties !== 'object') return undefined;
  return new Set([r.type === 'integer' ? 'number' : String(r.type)]);
}

function childSchema(s: Schema | undefined, seg: string | number): Schema | undefined {
  const r = resolve(s);
  if (!r) return undefined;
  if (typeof seg === 'number') return r.items as Schema | undefined;
  const props = r.properties as Record<string, Schema> | undefined;
  if (props) return props[seg];
  return typeof r.additionalProperties === 'object' ? (r.additionalProperties as Schema) : undefined;
}

const jsonTypeOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'number' ? 'number' : typeof v);

/** A valid Pod that reaches many kinds of field: structs, maps, lists, int32, bool, quantities, int-or-string. */
const richPod = () => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { labels: { app: 'x' }, annotations: { a: 'b' }, finalizers: ['f'] },
  spec: {
    nodeSelector: { disk: 'ssd' }, hostNetwork: false, terminationGracePeriodSeconds: 5, priority: 0,
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
    containers: [{
      name: 'c', image: 'i', args: ['a'], env: [{ name: 'E', value: 'v' }],
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      resources: { requests: { cpu: '100m' }, limits: { memory: '1Gi' } },
      readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 10 },
    }],
  },
});

function pathsOf(v: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = prefix.length ? [prefix] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...prefix, k]));
  return out;
}

// Substituting these would change what request is made, not how a body is typed.
const substitutable = pathsOf(richPod()).filter((p) => !['apiVersion', 'kind'].includes(String(p[0])));

describe('property: random values at random schema paths of a valid Pod', () => {
  test('never throw or 5xx; a value of a type the schema does not admit is 400 and never stored', () => {
    let n = 0;
    fc.assert(fc.property(fc.constantFrom(...substitutable), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
      const name = `prop-${n++}`;
      const body: any = richPod();
      body.metadata.name = name;
      let parent = body;
      for (const seg of path.slice(0, -1)) parent = parent[seg];
      parent[path[path.length - 1]] = value;
      let schema: Schema | undefined = builtinSchemas['io.k8s.api.core.v1.Pod'];
      for (const seg of path) schema = childSchema(schema, seg);
      const admitted = admittedTypes(schema);

      const r = call('POST', '/api/v1/namespaces/default/pods', JSON.stringify(body));
      assert.ok(r.status < 500, `${path.join('.')} = ${JSON.stringify(value)}: ${JSON.stringify(r.body)}`);
      const t = jsonTypeOf(value);
      if (admitted && t !== 'null' && !admitted.has(t)) {
        assert.equal(r.status, 400, `${path.join('.')} = ${JSON.stringify(value)}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.reason, 'BadRequest');
        assert.ok(r.body.message.startsWith('Pod in version "v1" cannot be handled as a Pod: '), r.body.message);
        assert.equal(store.getKV(podsDef, 'default', name), undefined);
      }
    }), { numRuns: 300 });
  });

  test('the same substitutions sent as merge, strategic and apply patches never throw or 5xx', () => {
    assert.equal(call('POST', '/api/v1/namespaces/default/pods', JSON.stringify({ ...richPod(), metadata: { ...richPod().metadata, name: 'prop-patch' } })).status, 201);
    const types = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];
    fc.assert(fc.property(fc.constantFrom(...types), fc.constantFrom(...substitutable), fc.jsonValue({ maxDepth: 3 }), (ct, path, value) => {
      const body: any = richPod();
      body.metadata.name = 'prop-patch';
      let parent = body;
      for (const seg of path.slice(0, -1)) parent = parent[seg];
      parent[path[path.length - 1]] = value;
      const before = store.get(podsDef, 'default', 'prop-patch');
      const r = call('PATCH', '/api/v1/namespaces/default/pods/prop-patch', JSON.stringify(body), ct, 'fieldManager=prop');
      // A well-typed list item without its merge key fails in the strategic merge itself; kube-apiserver
      // answers that with 500 too (StrategicMergeMapPatch's error is not one it maps to a 4xx).
      if (r.status >= 500) assert.match(r.body.message, /does not contain declared merge key/, `${ct} ${path.join('.')} = ${JSON.stringify(value)}: ${JSON.stringify(r.body)}`);
      if (r.status >= 400) assert.deepEqual(store.get(podsDef, 'default', 'prop-patch'), before);
    }), { numRuns: 300 });
  });
});
