import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { healthAnswer, standardHealthChecks, type HealthCheck } from './health.js';
import { openBackend } from '../storage/index.js';
import { builtinCatalog } from './builtin.js';
import { Store } from './store.js';
import { ApiHandler, type ApiResponse } from './handler.js';

const q = (s = '') => new URLSearchParams(s);
const healthy = standardHealthChecks(() => {});
const broken = standardHealthChecks(() => { throw new Error('database is locked'); });

describe('healthAnswer', () => {
  test('plain success is "ok", as kube-apiserver answers', () => {
    for (const e of ['healthz', 'livez', 'readyz'] as const) assert.deepEqual(healthAnswer(e, undefined, q(), healthy[e]), { status: 200, body: 'ok' });
  });

  test('?verbose lists every check in order and ends with "<endpoint> check passed"', () => {
    assert.deepEqual(healthAnswer('readyz', undefined, q('verbose'), healthy.readyz), {
      status: 200,
      body: '[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]etcd-readiness ok\n[+]shutdown ok\nreadyz check passed\n',
    });
    assert.equal(healthAnswer('livez', undefined, q('verbose=false'), healthy.livez)!.body, '[+]ping ok\n[+]log ok\n[+]etcd ok\nlivez check passed\n', 'any value of verbose counts');
    assert.equal(healthAnswer('healthz', undefined, q('verbose=1'), healthy.healthz)!.body, '[+]ping ok\n[+]log ok\n[+]etcd ok\nhealthz check passed\n');
  });

  test('a failing check: 500, always verbose, the reason withheld', () => {
    assert.deepEqual(healthAnswer('readyz', undefined, q(), broken.readyz), {
      status: 500,
      body: '[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[-]etcd-readiness failed: reason withheld\n[+]shutdown ok\nreadyz check failed\n',
    });
  });

  test('?exclude skips checks (repeatable), so a failing one no longer fails the endpoint; unknown names are warned about', () => {
    assert.deepEqual(healthAnswer('readyz', undefined, q('exclude=etcd&exclude=etcd-readiness&verbose'), broken.readyz), {
      status: 200,
      body: '[+]ping ok\n[+]log ok\n[+]etcd excluded: ok\n[+]etcd-readiness excluded: ok\n[+]shutdown ok\nreadyz check passed\n',
    });
    assert.equal(healthAnswer('livez', undefined, q('exclude=zeta&exclude=alpha&exclude=log&verbose'), healthy.livez)!.body,
      '[+]ping ok\n[+]log excluded: ok\n[+]etcd ok\nwarn: some health checks cannot be excluded: no matches for "alpha","zeta"\nlivez check passed\n');
    assert.deepEqual(healthAnswer('livez', undefined, q('exclude=log'), healthy.livez), { status: 200, body: 'ok' });
  });

  test('/<endpoint>/<check>: "ok", or 500 with the reason; an unknown check is undefined (404)', () => {
    assert.deepEqual(healthAnswer('readyz', 'ping', q(), broken.readyz), { status: 200, body: 'ok' });
    assert.deepEqual(healthAnswer('readyz', 'etcd', q(), broken.readyz), { status: 500, body: 'internal server error: database is locked\n' });
    assert.equal(healthAnswer('livez', 'shutdown', q(), healthy.livez), undefined, 'shutdown is a readyz check only');
    assert.equal(healthAnswer('healthz', 'nope', q(), healthy.healthz), undefined);
  });

  test('checks run once per request, in order', () => {
    const ran: string[] = [];
    const checks: HealthCheck[] = ['a', 'b', 'c'].map((name) => ({ name, run: () => { ran.push(name); return undefined; } }));
    healthAnswer('healthz', undefined, q('exclude=b'), checks);
    assert.deepEqual(ran, ['a', 'c']);
  });
});

describe('ApiHandler health endpoints', () => {
  test('storage that fails makes /readyz and /livez 500 and /readyz/etcd name the error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'everynode-health-'));
    try {
      const backend = openBackend({ path: join(dir, 'state.db') });
      const catalog = builtinCatalog();
      const handler = new ApiHandler(new Store(backend, catalog), catalog, '127.0.0.1:6443');
      const get = (path: string, query = '') => handler.handle({ method: 'GET', path, query: q(query), accept: '*/*', contentType: '', body: Buffer.alloc(0) }) as ApiResponse;
      assert.equal(get('/readyz').status, 200);
      assert.equal(get('/readyz/etcd').body, 'ok');
      assert.equal(get('/readyz/nope').status, 404);
      backend.close();
      const r = get('/readyz');
      assert.equal(r.status, 500);
      assert.equal(r.contentType, 'text/plain');
      assert.match(String(r.body), /\[-\]etcd failed: reason withheld\n.*readyz check failed\n$/s);
      assert.equal(get('/livez').status, 500);
      const one = get('/readyz/etcd');
      assert.equal(one.status, 500);
      assert.match(String(one.body), /^internal server error: .+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
