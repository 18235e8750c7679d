// Server-side apply and managedFields through the API handler: statuses, reasons and messages
// as kube-apiserver answers them, without a network.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBackend } from '../../storage/index.js';
import { builtinCatalog } from '../builtin.js';
import { Store } from '../store.js';
import { ApiHandler, type ApiResponse } from '../handler.js';
import type { KObject } from '../../api/types.js';

const catalog = builtinCatalog();
// One fixed time: entries sort by time in seconds, so a real clock crossing a second between
// two writes of a test would reorder them.
const now = () => Date.parse('2026-12-03T12:00:00Z');
const store = new Store(openBackend({ inMemory: true }), catalog, now);
const handler = new ApiHandler(store, catalog, '127.0.0.1:6443', now);
const UA = 'kubectl/v1.32.4 (linux/amd64) kubernetes/abcdef';

function call(method: string, path: string, body: unknown, contentType = 'application/json', query = '', userAgent = UA): ApiResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const r = handler.handle({ method, path, query: new URLSearchParams(query), accept: 'application/json', contentType, body: Buffer.from(text), userAgent });
  assert.equal(r.kind, 'response');
  return r as ApiResponse;
}
const apply = (name: string, body: unknown, query: string) => call('PATCH', `/api/v1/namespaces/default/configmaps/${name}`, body, 'application/apply-patch+yaml', query);
const status = (r: ApiResponse) => r.body as { reason?: string; message?: string; details?: { causes?: unknown[] } };
const cm = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const managers = (o: unknown) => ((o as KObject).metadata?.managedFields ?? []).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`);

call('POST', '/api/v1/namespaces', { metadata: { name: 'default' } });

describe('managedFields on writes', () => {
  test('create and update name the manager from fieldManager, else the User-Agent', () => {
    const created = call('POST', '/api/v1/namespaces/default/configmaps', cm('ua', { a: '1' }));
    assert.equal(created.status, 201);
    assert.deepEqual(managers(created.body), ['kubectl/Update']);
    const updated = call('PUT', '/api/v1/namespaces/default/configmaps/ua', { ...(created.body as object), data: { a: '2' } }, 'application/json', 'fieldManager=editor');
    // Sorted by operation, time (seconds), then manager.
    assert.deepEqual(managers(updated.body), ['editor/Update', 'kubectl/Update']);
  });

  test('a PUT carrying managedFields [{}] clears them', () => {
    const live = store.get(catalog.lookup('', 'v1', 'configmaps')!, 'default', 'ua');
    const r = call('PUT', '/api/v1/namespaces/default/configmaps/ua', { ...live, metadata: { ...live.metadata, managedFields: [{}] } });
    assert.equal(r.status, 200);
    assert.equal((r.body as KObject).metadata!.managedFields, undefined);
  });

  test('a status write is recorded for the status subresource', () => {
    call('POST', '/api/v1/nodes', { metadata: { name: 'n1', labels: { a: 'b' } } }, 'application/json', 'fieldManager=kubelet');
    const r = call('PATCH', '/api/v1/nodes/n1/status', { status: { capacity: { pods: '110' } } }, 'application/merge-patch+json', 'fieldManager=kubelet');
    assert.equal(r.status, 200);
    assert.deepEqual(managers(r.body), ['kubelet/Update', 'kubelet/Update/status']);
  });

  test('fieldManager is validated as ValidateFieldManager does', () => {
    const long = call('POST', '/api/v1/namespaces/default/configmaps', cm('long', {}), 'application/json', `fieldManager=${'x'.repeat(129)}`);
    assert.equal(long.status, 422);
    assert.match(status(long).message!, /^CreateOptions\.meta\.k8s\.io "" is invalid: fieldManager: Too long/);
    const ctl = call('POST', '/api/v1/namespaces/default/configmaps', cm('ctl', {}), 'application/json', 'fieldManager=a%07b');
    assert.equal(ctl.status, 422);
    assert.match(status(ctl).message!, /fieldManager: Invalid value: "a\\u0007b": invalid character U\+0007 \(at position 1\)/);
  });
});

describe('apply', () => {
  test('apply creates (201), then merges (200)', () => {
    assert.equal(apply('app', cm('app', { a: '1' }), 'fieldManager=one').status, 201);
    const r = apply('app', cm('app', { b: '2' }), 'fieldManager=one');
    assert.equal(r.status, 200);
    assert.deepEqual((r.body as KObject & { data: object }).data, { b: '2' }, 'a key the manager stopped applying is removed');
  });

  test('a conflict is 409 Conflict with one FieldManagerConflict cause per field; force=true takes it', () => {
    const r = apply('app', cm('app', { b: '3' }), 'fieldManager=two');
    assert.equal(r.status, 409);
    assert.equal(status(r).reason, 'Conflict');
    assert.equal(status(r).message, 'Apply failed with 1 conflict: conflict with "one": .data.b');
    assert.deepEqual(status(r).details, { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "one"', field: '.data.b' }] });
    const forced = apply('app', cm('app', { b: '3' }), 'fieldManager=two&force=true');
    assert.equal(forced.status, 200);
    assert.deepEqual(managers(forced.body), ['two/Apply'], '"one" lost its only field');
  });

  test('dryRun=All computes the apply and stores nothing', () => {
    const before = store.getKV(catalog.lookup('', 'v1', 'configmaps')!, 'default', 'app')!.value;
    const r = apply('app', cm('app', { c: '1' }), 'fieldManager=two&dryRun=All');
    assert.equal(r.status, 200);
    assert.deepEqual((r.body as { data: object }).data, { c: '1' });
    assert.equal(store.getKV(catalog.lookup('', 'v1', 'configmaps')!, 'default', 'app')!.value, before);
  });

  test('what upstream refuses: another kind, managedFields, duplicate list keys, force on other patches', () => {
    const kind = apply('app', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app' } }, 'fieldManager=x');
    assert.equal(kind.status, 400);
    assert.equal(status(kind).message, 'invalid object type: /v1, Kind=Secret');
    const missing = apply('app', { data: { a: 'b' } }, 'fieldManager=x');
    assert.equal(status(missing).message, 'invalid object type: /, Kind=');
    const mf = apply('app', { ...cm('app', {}), metadata: { name: 'app', managedFields: [] } }, 'fieldManager=x');
    assert.equal(mf.status, 400);
    assert.equal(status(mf).message, 'metadata.managedFields must be nil');
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] } };
    const dup = call('PATCH', '/api/v1/namespaces/default/pods/p', pod, 'application/apply-patch+yaml', 'fieldManager=x');
    assert.equal(dup.status, 400);
    assert.equal(status(dup).message, 'failed to create typed patch object (default/p; v1, Kind=Pod): .spec.containers: duplicate entries for key [name="a"]');
    const forced = call('PATCH', '/api/v1/namespaces/default/configmaps/app', { data: { z: '1' } }, 'application/merge-patch+json', 'force=true');
    assert.equal(forced.status, 422);
    assert.equal(status(forced).message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    const badForce = apply('app', cm('app', {}), 'fieldManager=x&force=yes');
    assert.equal(badForce.status, 400);
  });
});
