import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openBackend } from '../storage/index.js';
import { builtinCatalog } from './builtin.js';
import { Store } from './store.js';
import { ApiError } from './errors.js';

function storeWith(suffixes: string[]) {
  const backend = openBackend({ inMemory: true });
  const catalog = builtinCatalog();
  const store = new Store(backend, catalog, Date.now, () => suffixes.shift() ?? 'zzzzz');
  store.create(catalog.lookup('', 'v1', 'namespaces')!, '', { metadata: { name: 'default' } });
  return { store, cm: catalog.lookup('', 'v1', 'configmaps')!, close: () => backend.close() };
}

test('generateName retries a colliding name instead of failing or answering with an error body', () => {
  const { store, cm, close } = storeWith(['aaaaa', 'aaaaa', 'bbbbb']);
  assert.equal(store.create(cm, 'default', { metadata: { generateName: 'x-' } }).metadata?.name, 'x-aaaaa');
  const second = store.create(cm, 'default', { metadata: { generateName: 'x-' } });
  assert.equal(second.metadata?.name, 'x-bbbbb');
  assert.equal(second.kind, 'ConfigMap');
  close();
});

test('generateName gives up with 409 AlreadyExists after repeated collisions', () => {
  const { store, cm, close } = storeWith(Array(20).fill('aaaaa'));
  store.create(cm, 'default', { metadata: { generateName: 'x-' } });
  assert.throws(() => store.create(cm, 'default', { metadata: { generateName: 'x-' } }), (err: unknown) =>
    err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists' && /not able to generate a unique name/.test(err.message));
  close();
});

test('generateName retries also when the handler hands its parsed body over (owned)', () => {
  const { store, cm, close } = storeWith(['aaaaa', 'aaaaa', 'ccccc']);
  store.create(cm, 'default', { metadata: { generateName: 'x-' } });
  const owned = store.create(cm, 'default', { metadata: { generateName: 'x-' } }, { owned: true });
  assert.equal(owned.metadata?.name, 'x-ccccc');
  close();
});
