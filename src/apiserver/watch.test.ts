import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WatchEvent } from '../storage/backend.js';
import type { KObject } from '../api/types.js';
import { eventType, stampResourceVersion, translate, translateEncoded } from './watch.js';

const stored = (labels: Record<string, string>) => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', labels }, spec: {} });
const app = (o: KObject) => o.metadata?.labels?.app === 'web';

test('stampResourceVersion inserts the revision into metadata, also when metadata is empty', () => {
  assert.deepEqual(JSON.parse(stampResourceVersion(stored({ a: 'b' }), 7)).metadata, { resourceVersion: '7', name: 'p', namespace: 'd', labels: { a: 'b' } });
  assert.deepEqual(JSON.parse(stampResourceVersion('{"apiVersion":"v1","kind":"Pod","metadata":{}}', 3)).metadata, { resourceVersion: '3' });
  assert.deepEqual(JSON.parse(stampResourceVersion('{"kind":"Pod"}', 4)).metadata, { resourceVersion: '4' });
});

test('selector transitions: start matching → ADDED, keep → MODIFIED, stop → DELETED, never → nothing', () => {
  const ev = (value: string, prevValue?: string, type: 'put' | 'delete' = 'put'): WatchEvent => ({ type, rev: 9, key: 'k', value, prevValue });
  assert.equal(eventType(ev(stored({ app: 'web' })), app), 'ADDED');
  assert.equal(eventType(ev(stored({ app: 'web' }), stored({ app: 'db' })), app), 'ADDED');
  assert.equal(eventType(ev(stored({ app: 'web' }), stored({ app: 'web' })), app), 'MODIFIED');
  assert.equal(eventType(ev(stored({ app: 'db' }), stored({ app: 'web' })), app), 'DELETED');
  assert.equal(eventType(ev(stored({ app: 'db' }), stored({ app: 'db' })), app), undefined);
  assert.equal(eventType(ev(stored({ app: 'web' }), stored({ app: 'web' }), 'delete'), app), 'DELETED');
  assert.equal(eventType(ev(stored({ app: 'db' }), stored({ app: 'db' }), 'delete'), app), undefined);
  assert.equal(eventType(ev(stored({})), undefined), 'ADDED');
  assert.equal(eventType(ev(stored({}), stored({})), undefined), 'MODIFIED');
});

test('encoded and decoded translations agree, and the encoded line is shared between watchers', () => {
  const e: WatchEvent = { type: 'put', rev: 12, key: 'k', value: stored({ app: 'web' }), prevValue: stored({ app: 'web' }) };
  const a = translateEncoded(e, app)!;
  const b = translateEncoded(e, undefined)!;
  assert.equal(a.line, b.line, 'same event, same line');
  const decoded = translate(e, app, (v, rev) => JSON.parse(stampResourceVersion(v, rev)) as KObject)!;
  assert.deepEqual(JSON.parse(a.line.toString()), { type: 'MODIFIED', object: decoded.object });
  assert.equal(decoded.object.metadata?.resourceVersion, '12');
});
