// CRDs through the API handler (no network): serving follows the stored CRDs at once, custom
// resources get their REST semantics, hostile CRD bodies get 400/422, and deleting a CRD
// empties and then removes it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBackend } from '../../storage/index.js';
import { builtinCatalog } from '../builtin.js';
import { Store } from '../store.js';
import { ApiHandler, type ApiResponse } from '../handler.js';
import { CrdRegistry } from './registry.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const backend = openBackend({ inMemory: true });
const catalog = builtinCatalog();
const store = new Store(backend, catalog);
store.create(catalog.lookup('', 'v1', 'namespaces')!, '', { metadata: { name: 'default' } });
const registry = new CrdRegistry(store, catalog);
registry.start();
const handler = new ApiHandler(store, catalog, '127.0.0.1:6443');
after(() => { registry.close(); backend.close(); });

function call(method: string, path: string, body: unknown = '', contentType = 'application/json', query = '', accept = 'application/json'): ApiResponse & { body: any } {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const r = handler.handle({ method, path, query: new URLSearchParams(query), accept, contentType, body: Buffer.from(raw) });
  assert.equal(r.kind, 'response');
  return r as ApiResponse & { body: any };
}

const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const crd = (extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.toys.example.io' },
  spec: {
    group: 'toys.example.io', scope: 'Namespaced', names: { plural: 'gadgets', kind: 'Gadget', shortNames: ['gd'] },
    versions: [
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
      {
        name: 'v1', served: true, storage: true,
        subresources: { status: {}, scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.size' } },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        selectableFields: [{ jsonPath: '.spec.color' }, { jsonPath: '.spec.size' }],
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer', default: 1 }, color: { type: 'string', enum: ['red', 'blue'] } } }, status: { type: 'object', properties: { size: { type: 'integer' } } } } } },
      },
    ],
    ...extra,
  },
});
const gadgets = '/apis/toys.example.io/v1/namespaces/default/gadgets';

describe('CRD serving through the handler', () => {
  test('create → Established, defaulted names, discovery in version priority', () => {
    const r = call('POST', crdPath, crd());
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.spec.names.singular, 'gadget');
    assert.equal(r.body.spec.names.listKind, 'GadgetList');
    assert.deepEqual(r.body.status.conditions.map((c: any) => `${c.type}=${c.status}`), ['NamesAccepted=True', 'Established=True']);
    assert.deepEqual(r.body.metadata.finalizers, undefined, 'the cleanup finalizer comes with the DELETE');
    const group = call('GET', '/apis/toys.example.io').body;
    assert.deepEqual(group.versions.map((v: any) => v.version), ['v1', 'v1beta1']);
    assert.equal(group.preferredVersion.version, 'v1');
    const rl = call('GET', '/apis/toys.example.io/v1').body;
    assert.deepEqual(rl.resources.map((x: any) => x.name), ['gadgets', 'gadgets/status', 'gadgets/scale']);
    assert.deepEqual(rl.resources[2], { name: 'gadgets/scale', singularName: '', namespaced: true, kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
    assert.ok(call('GET', '/apis').body.groups.some((g: any) => g.name === 'toys.example.io'));
  });

  test('a second CRD claiming the same names is not accepted and not served', () => {
    const r = call('POST', crdPath, { ...crd(), metadata: { name: 'gizmos.toys.example.io' }, spec: { ...crd().spec, names: { plural: 'gizmos', kind: 'Gadget' } } });
    assert.equal(r.status, 201);
    const accepted = r.body.status.conditions.find((c: any) => c.type === 'NamesAccepted');
    assert.deepEqual([accepted.status, accepted.reason, accepted.message], ['False', 'PluralConflict', '"gadget" is already in use']);
    assert.equal(call('GET', '/apis/toys.example.io/v1/gizmos').status, 404);
    assert.equal(call('DELETE', `${crdPath}/gizmos.toys.example.io`).status, 200);
  });

  test('custom resources: defaults, versions share storage, tables, scale', () => {
    const created = call('POST', gadgets, { apiVersion: 'toys.example.io/v1', kind: 'Gadget', metadata: { name: 'g1' }, spec: { color: 'red' }, status: { size: 9 } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.spec.size, 1);
    assert.equal(created.body.status, undefined, 'status is the subresource\'s');
    const old = call('GET', '/apis/toys.example.io/v1beta1/namespaces/default/gadgets/g1').body;
    assert.equal(old.apiVersion, 'toys.example.io/v1beta1');
    assert.equal(old.spec.color, 'red');
    const table = call('GET', gadgets, '', 'application/json', '', 'application/json;as=Table;v=v1;g=meta.k8s.io').body;
    assert.deepEqual(table.columnDefinitions.map((c: any) => c.name), ['Name', 'Size']);
    assert.deepEqual(table.rows[0].cells, ['g1', 1]);
    const scaled = call('PATCH', `${gadgets}/g1/scale`, { spec: { replicas: 4 } }, 'application/merge-patch+json');
    assert.equal(scaled.status, 200, JSON.stringify(scaled.body));
    assert.deepEqual(scaled.body.spec, { replicas: 4 });
    assert.equal(call('GET', `${gadgets}/g1`).body.spec.size, 4);
    assert.equal(call('GET', `${gadgets}/g1`).body.metadata.generation, 2);
    assert.equal(call('PUT', `${gadgets}/g1/scale`, { spec: { replicas: -1 } }).status, 422);
    const bad = call('POST', gadgets, { metadata: { name: 'g2' }, spec: { color: 'green', size: 'big' } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.message, 'Gadget.toys.example.io "g2" is invalid: [spec.color: Unsupported value: "green": supported values: "red", "blue", spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"]');
    assert.deepEqual(bad.body.details.causes.map((c: any) => c.field), ['spec.color', 'spec.size']);
  });

  test('a restarted server serves the stored CRDs before its first request', () => {
    const catalog2 = builtinCatalog();
    const registry2 = new CrdRegistry(new Store(backend, catalog2), catalog2);
    registry2.start();
    try {
      const d = catalog2.lookup('toys.example.io', 'v1', 'gadgets');
      assert.ok(d?.custom, 'served from storage');
      assert.equal(catalog2.storageDef('toys.example.io', 'gadgets')?.version, 'v1', 'stored in the storage version');
    } finally { registry2.close(); }
  });

  test('field selectors: metadata.name, metadata.namespace and the selectableFields', () => {
    const names = (q: string) => { const r = call('GET', gadgets, '', 'application/json', `fieldSelector=${encodeURIComponent(q)}`); assert.equal(r.status, 200, JSON.stringify(r.body)); return r.body.items.map((o: any) => o.metadata.name); };
    assert.equal(call('POST', gadgets, { metadata: { name: 'g9' }, spec: { color: 'blue', size: 2 } }).status, 201);
    assert.deepEqual(names('spec.color=red'), ['g1']);
    assert.deepEqual(names('spec.color!=red'), ['g9']);
    assert.deepEqual(names('spec.size=2,metadata.name=g9'), ['g9']);
    assert.deepEqual(names('metadata.namespace=default').sort(), ['g1', 'g9']);
    const bad = call('GET', gadgets, '', 'application/json', 'fieldSelector=spec.shape%3Dx');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'field label not supported: spec.shape');
    assert.equal(call('DELETE', `${gadgets}/g9`).status, 200);
  });

  test('strategic merge patch is 415 for custom resources', () => {
    const r = call('PATCH', `${gadgets}/g1`, { spec: { color: 'blue' } }, 'application/strategic-merge-patch+json');
    assert.equal(r.status, 415);
    assert.equal(r.body.message, 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  });

  test('OpenAPI v3 lists the group-version and carries the schema; v2 has every kind', () => {
    const index = call('GET', '/openapi/v3').body;
    assert.ok(index.paths['apis/toys.example.io/v1'], 'listed');
    const url = index.paths['apis/toys.example.io/v1'].serverRelativeURL as string;
    const doc = call('GET', url.split('?')[0]!).body;
    const s = doc.components.schemas['io.example.toys.v1.Gadget'];
    assert.deepEqual(s.properties.spec.properties.color.enum, ['red', 'blue']);
    assert.ok(doc.paths['/apis/toys.example.io/v1/namespaces/{namespace}/gadgets/{name}/scale'].patch);
    const v2 = call('GET', '/openapi/v2').body;
    assert.equal(v2.swagger, '2.0');
    assert.ok(v2.definitions['io.example.toys.v1.Gadget']);
    assert.ok(v2.definitions['io.k8s.api.core.v1.Pod']);
    assert.ok(v2.definitions['io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition']);
    assert.doesNotMatch(JSON.stringify(v2.definitions), /#\/components\/schemas|"nullable"|"oneOf"/);
  });

  test('hostile CRD bodies: wrong types are 400, bad schemas 422, never 500', () => {
    const typed = call('POST', crdPath, { ...crd(), spec: { ...crd().spec, versions: 'v1' } });
    assert.equal(typed.status, 400, JSON.stringify(typed.body));
    assert.match(typed.body.message, /cannot unmarshal string into Go struct field CustomResourceDefinitionSpec\.spec\.versions/);
    const schemas = [{ type: 'string' }, { type: 'object', properties: { a: {} } }, { type: 'object', properties: { a: { type: 'array' } } }, { type: 'object', properties: { a: { type: 'strange' } } }, { type: 'object', properties: { a: { type: 'string', pattern: '(' } } }];
    for (const s of schemas) {
      const r = call('POST', crdPath, { ...crd(), metadata: { name: 'others.toys.example.io' }, spec: { ...crd().spec, names: { plural: 'others', kind: 'Other' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: s } }] } });
      assert.equal(r.status, 422, `${JSON.stringify(s)} → ${JSON.stringify(r.body)}`);
    }
  });

  test('metadata is a typed ObjectMeta in custom resources too', () => {
    const typed = call('POST', gadgets, { metadata: { name: 'm1', labels: { a: 1 } }, spec: {} });
    assert.equal(typed.status, 422, JSON.stringify(typed.body));
    assert.match(typed.body.message, /^Gadget\.toys\.example\.io "m1" is invalid: metadata: Invalid value: json: cannot unmarshal number into Go struct field ObjectMeta\.metadata\.labels of type string/);
    const strict = call('POST', gadgets, { metadata: { name: 'm1', bogus: 1 }, spec: { bogus: 2 } }, 'application/json', 'fieldValidation=Strict');
    assert.equal(strict.status, 400);
    assert.equal(strict.body.message, 'strict decoding error: unknown field "metadata.bogus", unknown field "spec.bogus"');
    const warned = call('POST', gadgets, { metadata: { name: 'm1', bogus: 1 }, spec: { bogus: 2 } });
    assert.equal(warned.status, 201);
    assert.deepEqual(warned.warnings, ['unknown field "metadata.bogus"', 'unknown field "spec.bogus"']);
    assert.equal(call('DELETE', `${gadgets}/m1`).status, 200);
  });

  test('a schema change applies to stored objects when they are read (pruning and defaulting on read)', () => {
    const current = call('GET', `${crdPath}/gadgets.toys.example.io`).body;
    const v1 = current.spec.versions[1];
    v1.schema.openAPIV3Schema.properties.spec.properties = { size: { type: 'integer', default: 1 }, shape: { type: 'string', default: 'round' } };
    const refused = call('PUT', `${crdPath}/gadgets.toys.example.io`, current);
    assert.equal(refused.status, 422, 'a selectable field must exist in the schema');
    assert.match(refused.body.message, /spec\.versions\[1\]\.selectableFields\[0\]\.jsonPath: Invalid value: "\.spec\.color": is an invalid path/);
    v1.selectableFields = [{ jsonPath: '.spec.size' }];
    const put = call('PUT', `${crdPath}/gadgets.toys.example.io`, current);
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.metadata.generation, 2);
    const g1 = call('GET', `${gadgets}/g1`).body;
    assert.equal(g1.spec.color, undefined, 'a field the schema no longer has is pruned');
    assert.equal(g1.spec.shape, 'round', 'a new default is applied');
    assert.equal(g1.spec.size, 4);
  });

  test('every CRD the project ships (config/crd/) is accepted, Established and served', () => {
    const dir = 'config/crd';
    const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml') : [];
    for (const f of files) {
      for (const doc of parseAllDocuments(readFileSync(`${dir}/${f}`, 'utf8'))) {
        const obj = doc.toJS() as { kind?: string; spec?: { group: string; versions: { name: string; served: boolean }[]; names: { plural: string } } };
        if (obj?.kind !== 'CustomResourceDefinition') continue;
        const r = call('POST', crdPath, obj);
        assert.equal(r.status, 201, `${f}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.status.conditions.find((c: any) => c.type === 'Established').status, 'True', f);
        const v = obj.spec!.versions.find((x) => x.served)!;
        assert.equal(call('GET', `/apis/${obj.spec!.group}/${v.name}`).status, 200, f);
      }
    }
  });

  test('DELETE adds the cleanup finalizer; the cleanup deletes the objects, then the CRD goes', () => {
    const d = call('DELETE', `${crdPath}/gadgets.toys.example.io`);
    assert.equal(d.status, 200);
    assert.deepEqual(d.body.metadata.finalizers, ['customresourcecleanup.apiextensions.k8s.io']);
    assert.equal(d.body.status.conditions.find((c: any) => c.type === 'Terminating').reason, 'InstanceDeletionPending');
    assert.equal(call('GET', `${gadgets}/g1`).status, 200, 'still readable while terminating');
    const create = call('POST', gadgets, { metadata: { name: 'g3' }, spec: {} });
    assert.equal(create.status, 405);
    const w = handler.handle({ method: 'GET', path: gadgets, query: new URLSearchParams('watch=1&resourceVersion=' + d.body.metadata.resourceVersion), accept: 'application/json', contentType: '', body: Buffer.alloc(0) });
    assert.equal(w.kind, 'watch');
    const seen: string[] = [];
    let ended = false;
    if (w.kind === 'watch') w.start({ send: (ev) => { if (!Buffer.isBuffer(ev)) seen.push(`${ev.type} ${ev.object.metadata?.name}`); return true; }, end: () => { ended = true; } });
    registry.cleanup();
    assert.deepEqual(seen, ['DELETED g1']);
    assert.equal(ended, true, 'the watch ends with its CRD');
    assert.equal(call('GET', `${crdPath}/gadgets.toys.example.io`).status, 404);
    assert.equal(call('GET', gadgets).status, 404);
    assert.equal(call('GET', '/apis/toys.example.io').status, 404);
    assert.equal(backend.count('/registry/toys.example.io/'), 0);
  });
});
