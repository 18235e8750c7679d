import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Checks, parseBindAddress, probeRoutes, serve } from './probes.js';

test('bind addresses: controller-runtime forms, free ports, off, and one-line errors', () => {
  assert.deepEqual(parseBindAddress(':8080'), { host: undefined, port: 8080 });
  assert.deepEqual(parseBindAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseBindAddress('[::1]:9090'), { host: '::1', port: 9090 });
  assert.deepEqual(parseBindAddress('localhost:8081'), { host: 'localhost', port: 8081 });
  assert.deepEqual(parseBindAddress('0'), { host: undefined, port: 0 });
  assert.equal(parseBindAddress(''), 'off');
  for (const bad of ['8080', 'host', ':99999', '1.2.3.4:', ':-1', '::1:80', 'a b:80']) {
    const r = parseBindAddress(bad);
    assert.ok(typeof r === 'object' && 'error' in r, `${bad} → ${JSON.stringify(r)}`);
  }
});

test('checks: ok when all pass; 500 naming the failing one; a throwing check fails instead of escaping', () => {
  let synced = false;
  const c = new Checks().add('ping', () => undefined).add('informers', () => (synced ? undefined : 'caches not synced')).add('boom', () => { if (!synced) throw new Error('bad'); return undefined; });
  assert.deepEqual(c.evaluate('readyz', false), { status: 500, body: '[+]ping ok\n[-]informers failed: caches not synced\n[-]boom failed: bad\nreadyz check failed\n' });
  synced = true;
  assert.deepEqual(c.evaluate('readyz', false), { status: 200, body: 'ok' });
  assert.deepEqual(c.evaluate('readyz', true), { status: 200, body: '[+]ping ok\n[+]informers ok\n[+]boom ok\nreadyz check passed\n' });
});

test('the probe server over loopback: 200/500, 404 for unknown paths, 405 for writes', async () => {
  let ready = false;
  const s = await serve({ host: '127.0.0.1', port: 0 }, probeRoutes(new Checks().add('ping', () => undefined), new Checks().add('x', () => (ready ? undefined : 'not yet'))));
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${s.url}/readyz`)).status, 500);
    ready = true;
    const r = await fetch(`${s.url}/readyz?verbose`);
    assert.equal(r.status, 200);
    assert.match(await r.text(), /\[\+\]x ok/);
    assert.equal((await fetch(`${s.url}/nope`)).status, 404);
    assert.equal((await fetch(`${s.url}/healthz`, { method: 'POST' })).status, 405);
  } finally { await s.close(); }
});
