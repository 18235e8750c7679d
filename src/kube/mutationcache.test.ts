import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet, KObject } from '../api/types.js';
import { MutationCache, compareResourceVersions, type MutationBacking } from './mutationcache.js';
import { Informer } from './informer.js';
import type { RawClient } from './client.js';

type DS = DaemonSet & KObject;
const ds = (rv: string, uid = 'u1', ready = 0): DS => ({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'a', namespace: 'ns', uid, resourceVersion: rv, managedFields: [{ manager: 'x' }] }, status: { numberReady: ready } as DS['status'] });

/** An informer's cache as a map; admitClean drops managedFields and refuses what `bad` marks. */
function backing(): MutationBacking<DS> & { m: Map<string, DS> } {
  const m = new Map<string, DS>();
  return {
    m,
    get: (k) => m.get(k),
    admitClean: (raw) => {
      if (typeof raw !== 'object' || raw === null) return undefined;
      const o = structuredClone(raw) as DS;
      if ((o.metadata as { bad?: boolean }).bad) return undefined;
      delete o.metadata!.managedFields;
      return o;
    },
  };
}

test('compareResourceVersions: integers only, any size', () => {
  assert.equal(compareResourceVersions('9', '10'), -1);
  assert.equal(compareResourceVersions('10', '10'), 0);
  assert.equal(compareResourceVersions('18446744073709551615', '18446744073709551614'), 1);
  assert.equal(compareResourceVersions('abc', '10'), undefined);
  assert.equal(compareResourceVersions('', '10'), undefined);
  assert.equal(compareResourceVersions(undefined, '10'), undefined);
  assert.equal(compareResourceVersions('1e3', '10'), undefined);
});

test('a write\'s answer is read until the informer catches up, then the informer\'s copy and the entry is dropped', () => {
  const b = backing();
  const c = new MutationCache(b, () => 0);
  b.m.set('ns/a', ds('5'));
  assert.equal(c.get('ns/a')?.metadata?.resourceVersion, '5', 'nothing written: the informer\'s');
  c.mutation(ds('7', 'u1', 1));
  const got = c.get('ns/a')!;
  assert.equal(got.metadata?.resourceVersion, '7');
  assert.equal(got.status?.numberReady, 1);
  assert.equal(got.metadata?.managedFields, undefined, 'held as the informer would hold it');
  b.m.set('ns/a', ds('7', 'u1', 1));
  assert.equal(c.get('ns/a'), b.m.get('ns/a'), 'same resourceVersion: the informer\'s');
  assert.equal(c.size, 0);
  c.mutation(ds('8'));
  b.m.set('ns/a', ds('9'));
  assert.equal(c.get('ns/a')?.metadata?.resourceVersion, '9', 'newer in the informer (another writer): the informer\'s');
});

test('an older answer never replaces a newer one; a missing, recreated or malformed object is the informer\'s business', () => {
  const b = backing();
  const c = new MutationCache(b, () => 0);
  b.m.set('ns/a', ds('5'));
  c.mutation(ds('8'));
  c.mutation(ds('7'));
  assert.equal(c.get('ns/a')?.metadata?.resourceVersion, '8');
  // Deleted (or never observed): missing, whatever was written (client-go's includeAdds false).
  b.m.delete('ns/a');
  assert.equal(c.get('ns/a'), undefined);
  assert.equal(c.size, 0);
  // Recreated under the same name: another uid is another object.
  b.m.set('ns/a', ds('5', 'u2'));
  c.mutation(ds('8', 'u1'));
  assert.equal(c.get('ns/a')?.metadata?.uid, 'u2');
  // Not integers: never compared, so the informer's.
  c.mutation(ds('x9'));
  assert.equal(c.get('ns/a')?.metadata?.resourceVersion, '5');
  // What the schema check would repair is not held.
  const bad = ds('9', 'u2');
  (bad.metadata as { bad?: boolean }).bad = true;
  c.mutation(bad);
  assert.equal(c.size, 0);
  c.mutation(undefined);
  c.mutation('text');
  assert.equal(c.size, 0);
});

test('an entry expires after ttlMs, and forget drops it', () => {
  const b = backing();
  let now = 0;
  const c = new MutationCache(b, () => now, 1000);
  b.m.set('ns/a', ds('5'));
  c.mutation(ds('6'));
  now = 1000;
  assert.equal(c.get('ns/a')?.metadata?.resourceVersion, '6');
  now = 1001;
  assert.equal(c.get('ns/a')?.metadata?.resourceVersion, '5', 'a watch that never catches up: the informer\'s again');
  c.mutation(ds('6'));
  c.forget('ns/a');
  assert.equal(c.get('ns/a')?.metadata?.resourceVersion, '5');
});

test('Informer.admitClean: a copy as the cache would hold it (no managedFields, transformed), nothing for what the schema check repairs', () => {
  const inf = new Informer<DS>({} as RawClient, '/apis/apps/v1/namespaces/ns/daemonsets');
  const raw = ds('5');
  const clean = inf.admitClean(raw)!;
  assert.equal(clean.metadata?.managedFields, undefined);
  assert.ok(raw.metadata?.managedFields, 'the answer itself is left alone');
  assert.equal(inf.admitClean({ ...ds('5'), status: { numberReady: 'three' } }), undefined, 'a wrongly typed field');
  assert.equal(inf.admitClean({ ...ds('5'), metadata: { name: 'a', namespace: 'ns', uid: 7, resourceVersion: '5' } }), undefined, 'an unusable identity');
  assert.equal(inf.admitClean(null), undefined);
  inf.setTransform((o) => ({ ...o, status: undefined }));
  assert.equal(inf.admitClean(ds('5'))?.status, undefined);
});
