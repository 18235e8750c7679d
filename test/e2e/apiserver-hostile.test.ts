// Hostile requests against the embedded API server over real HTTPS, with raw node:https and
// node:tls requests (client libraries normalise paths and would never send these): path
// traversal, malformed request targets, headers that cannot be encoded, clients that stop
// reading or never finish sending, and the smaller divergences from kube-apiserver.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import tls from 'node:tls';
import { startApiServer, type EmbeddedApiServer } from '../../src/apiserver/index.js';
import { objectKey } from '../../src/apiserver/keys.js';
import { eventually } from '../helpers/cluster.js';

let s: EmbeddedApiServer;
// Small limits, so that each one is reached with little data and short waits.
const limits = { watchBacklogBytes: 256 * 1024, watchStallMs: 1000, watchCheckMs: 100, requestTimeoutMs: 1500, headersTimeoutMs: 1000 };
before(async () => { s = await startApiServer({ dataDir: null, port: 0, limits }); });
after(async () => { await s.close(); });

interface Res { status: number; headers: Record<string, string | string[] | undefined>; raw: Buffer; text: string; json(): any }

function request(method: string, path: string, o: { body?: unknown; auth?: string | null; contentType?: string } = {}): Promise<Res> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const auth = o.auth === undefined ? `Bearer ${s.token}` : o.auth;
  if (auth !== null) headers.Authorization = auth;
  const body = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
  if (body !== undefined) headers['Content-Type'] = o.contentType ?? 'application/json';
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port: s.port, method, path, headers, ca: s.caCertPem, servername: 'localhost', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, text: raw.toString('utf8'), json: () => JSON.parse(raw.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A raw TLS connection: the test writes the request bytes itself and sees every byte back. */
function connect(): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const sock = tls.connect({ host: '127.0.0.1', port: s.port, ca: s.caCertPem, servername: 'localhost' }, () => resolve(sock));
    sock.once('error', reject);
  });
}

function closed(sock: tls.TLSSocket): Promise<void> {
  return new Promise((resolve) => { if (sock.destroyed) resolve(); else sock.once('close', () => resolve()); });
}

async function status(method: string, path: string, o: Parameters<typeof request>[2] = {}): Promise<{ code: number; reason: string; message: string }> {
  const r = await request(method, path, o);
  const body = r.json();
  assert.equal(body.kind, 'Status', r.text);
  assert.equal(body.code, r.status);
  return { code: r.status, reason: body.reason, message: body.message };
}

async function createNamespace(name: string): Promise<void> {
  assert.equal((await request('POST', '/api/v1/namespaces', { body: { metadata: { name } } })).status, 201);
}

describe('path traversal', () => {
  before(async () => {
    await createNamespace('victim');
    assert.equal((await request('POST', '/api/v1/namespaces/victim/configmaps', { body: { metadata: { name: 'keep' }, data: { a: '1' } } })).status, 201);
    assert.equal((await request('POST', '/api/v1/nodes', { body: { metadata: { name: 'n1', annotations: { 'everynode.dev/simulate': 'false' } } } })).status, 201);
  });

  test('DELETE …/configmaps/%2e%2e is a bad name, and the namespace survives', async () => {
    for (const dots of ['%2e%2e', '%2E%2E', '%2e%2E', '..']) {
      const st = await status('DELETE', `/api/v1/namespaces/victim/configmaps/${dots}`);
      assert.equal(st.code, 400, dots);
      assert.equal(st.message, 'Name parameter invalid: "..": may not be \'..\'');
    }
    const ns = await request('GET', '/api/v1/namespaces/victim');
    assert.equal(ns.status, 200);
    assert.equal(ns.json().metadata.deletionTimestamp, undefined);
  });

  test('PUT …/configmaps/%2E%2E does not replace the namespace', async () => {
    const before = (await request('GET', '/api/v1/namespaces/victim')).json();
    const st = await status('PUT', '/api/v1/namespaces/victim/configmaps/%2E%2E', { body: { ...before, metadata: { ...before.metadata, labels: { owned: 'yes' } } } });
    assert.equal(st.code, 400);
    const now = (await request('GET', '/api/v1/namespaces/victim')).json();
    assert.equal(now.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(now.metadata.labels?.owned, undefined);
  });

  test('a DELETE with an empty name deletes nothing', async () => {
    for (const path of ['/api/v1/namespaces/victim/configmaps/', '/api/v1/nodes/', '/api/v1/namespaces/victim/configmaps//']) {
      const st = await status('DELETE', path);
      assert.equal(st.code, 400, path);
      assert.equal(st.message, 'Name parameter required.');
    }
    assert.equal((await request('GET', '/api/v1/namespaces/victim/configmaps/keep')).status, 200);
    assert.equal((await request('GET', '/api/v1/nodes/n1')).status, 200);
  });

  test('encoded slashes and impossible namespaces reach no other key', async () => {
    assert.equal((await status('GET', '/api/v1/namespaces/victim/configmaps/a%2Fb')).code, 400);
    const st = await status('DELETE', '/api/v1/namespaces/%2e%2e/configmaps');
    assert.equal(st.code, 404);
    assert.equal((await status('DELETE', '/api/v1/namespaces//configmaps')).code, 404);
    assert.equal((await request('GET', '/api/v1/namespaces/victim/configmaps/keep')).status, 200);
  });

  test('reads keep upstream trailing-slash trimming', async () => {
    const r = await request('GET', '/api/v1/namespaces/victim/configmaps/');
    assert.equal(r.status, 200);
    assert.deepEqual(r.json().items.map((c: any) => c.metadata.name), ['keep']);
  });
});

describe('malformed request targets', () => {
  test('%ZZ in a path is 400, not 500', async () => {
    for (const path of ['/api/v1/namespaces/%ZZ/pods', '/api/v1/pods/%', '/api/%C3%28/pods']) {
      const st = await status('GET', path);
      assert.equal(st.code, 400, path);
      assert.equal(st.reason, 'BadRequest');
    }
  });

  test('a bad absolute URL in the request line is 400; a good one is served', async () => {
    const st = await status('GET', 'https://[bad/');
    assert.equal(st.code, 400);
    const r = await request('GET', `https://localhost:${s.port}/api/v1/namespaces/default`);
    assert.equal(r.status, 200);
    assert.equal(r.json().metadata.name, 'default');
    assert.equal((await status('DELETE', `https://localhost/api/v1/namespaces/victim/configmaps/%2e%2e`)).code, 400);
  });
});

describe('headers after a committed write', () => {
  test('a non-ASCII unknown field: 201 with a UTF-8 Warning, so a retry is not needed', async () => {
    await createNamespace('uni');
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'u' }, data: { a: '1' }, 'größe€🎉': 1 };
    const r = await request('POST', '/api/v1/namespaces/uni/configmaps?fieldValidation=Warn', { body });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json().metadata.name, 'u');
    const warning = Buffer.from(String(r.headers.warning), 'latin1').toString('utf8');
    assert.match(warning, /^299 - ".*größe€🎉.*"$/);
  });

  test('a control character in a deprecation-free warning source never breaks the header', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ctl' }, 'bad\u0001key\u2028': 1 };
    const r = await request('POST', '/api/v1/namespaces/uni/configmaps?fieldValidation=Warn', { body });
    assert.equal(r.status, 201, r.text);
  });
});

describe('resource limits', () => {
  test('a watcher that stops reading is closed once it holds its limit, and the memory goes with it', async () => {
    await createNamespace('slow');
    const rv = (await request('GET', '/api/v1/namespaces/slow/configmaps')).json().metadata.resourceVersion;
    const sock = await connect();
    sock.write(`GET /api/v1/namespaces/slow/configmaps?watch=true&resourceVersion=${rv} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
    sock.pause();
    const gone = closed(sock);
    await eventually(() => s.watchStats().watchers === 1, 5000, 'the watch to start');
    // Far more than the limit plus every socket buffer on the way; the loop stops once closed.
    const value = 'x'.repeat(200 * 1024);
    let written = 0;
    for (let i = 0; i < 300 && s.watchStats().watchers > 0; i++) {
      assert.equal((await request('POST', '/api/v1/namespaces/slow/configmaps', { body: { metadata: { name: `c${i}` }, data: { v: value } } })).status, 201);
      written += value.length;
    }
    await eventually(() => s.watchStats().watchers === 0, 10_000, 'the slow watcher to be closed');
    assert.equal(s.watchStats().backlogBytes, 0);
    // Resumed, the client gets what was on the wire, then the end: never everything written.
    let received = 0;
    sock.on('data', (d: Buffer) => { received += d.length; });
    sock.resume();
    await gone;
    assert.ok(received < written, `received ${received} of ${written}`);
  });

  test('an initial snapshot far larger than the watcher limit still arrives whole (informers relist this way)', async () => {
    // 2,000 nodes of ~2 KB (10,000 of them, ~20 MB, arrive whole under the default limits):
    // about 16 times the 256 KiB live-event limit of this server.
    const def = s.store.catalog.lookup('', 'v1', 'nodes')!;
    const pad = 'p'.repeat(1750);
    for (let i = 0; i < 2000; i++) s.store.create(def, '', { metadata: { name: `bulk-${i}`, annotations: { pad, 'everynode.dev/simulate': 'false' } } });
    const sock = await connect();
    let count = 0;
    let carry = '';
    sock.on('data', (d: Buffer) => {
      const text = carry + d.toString('latin1');
      const lines = text.split('\n');
      carry = lines.pop()!;
      count += lines.filter((l) => l.includes('"type":"ADDED"') && l.includes('"name":"bulk-')).length;
    });
    sock.write(`GET /api/v1/nodes?watch=true HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
    await eventually(() => count === 2000, 20_000, 'all 2000 ADDED events');
    assert.equal(sock.destroyed, false);
    sock.destroy();
  });

  test('a watcher that keeps reading is not affected, and outlives the request deadline', async () => {
    await createNamespace('fast');
    const rv = (await request('GET', '/api/v1/namespaces/fast/configmaps')).json().metadata.resourceVersion;
    const sock = await connect();
    let seen = '';
    sock.on('data', (d: Buffer) => { seen += d.toString('latin1'); });
    sock.write(`GET /api/v1/namespaces/fast/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=2147484 HTTP/1.1\r\nHost: localhost\r\nAuthorization: bearer ${s.token}\r\n\r\n`);
    await eventually(() => seen.includes('200 OK'), 5000, 'the watch headers');
    // Past requestTimeoutMs (1.5 s): a watch is long-running, the deadline is not its own.
    await new Promise((r) => setTimeout(r, limits.requestTimeoutMs + 500));
    const value = 'y'.repeat(100 * 1024);
    for (let i = 0; i < 20; i++) assert.equal((await request('POST', '/api/v1/namespaces/fast/configmaps', { body: { metadata: { name: `c${i}` }, data: { v: value } } })).status, 201);
    await eventually(() => seen.includes('"name":"c19"'), 10_000, 'every event');
    assert.equal(sock.destroyed, false);
    sock.destroy();
  });

  test('an authenticated request whose body never completes gets 504 Timeout and the connection closes', async () => {
    const sock = await connect();
    let text = '';
    sock.on('data', (d: Buffer) => { text += d.toString('utf8'); });
    sock.write(`POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${s.token}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"meta`);
    await closed(sock);
    assert.match(text, /^HTTP\/1\.1 504 /);
    assert.match(text, /"reason":"Timeout"/);
  });

  test('an anonymous request with a slow body gets 401 and the connection closes without waiting for it', async () => {
    const sock = await connect();
    let text = '';
    sock.on('data', (d: Buffer) => { text += d.toString('utf8'); });
    sock.write('POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\n{');
    await closed(sock);
    assert.match(text, /^HTTP\/1\.1 401 /);
  });

  test('headers that never finish are cut off', async () => {
    const sock = await connect();
    let text = '';
    sock.on('data', (d: Buffer) => { text += d.toString('utf8'); });
    sock.write('GET /api/v1/namespaces HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    await closed(sock);
    assert.match(text, /^HTTP\/1\.1 408 /);
  });

  test('HEAD on a watch answers 405 instead of hanging', async () => {
    const r = await request('HEAD', '/api/v1/namespaces/default/configmaps?watch=true');
    assert.equal(r.status, 405);
    assert.equal(r.raw.length, 0);
    assert.equal((await request('HEAD', '/api/v1/namespaces/default/configmaps')).status, 200);
  });
});

describe('the total watch budget', () => {
  // Only the total budget can close a watcher here: the per-watcher limit and the stall window
  // are far beyond anything this test writes or waits for.
  let b: EmbeddedApiServer;
  before(async () => { b = await startApiServer({ dataDir: null, port: 0, limits: { watchBacklogBytes: 1 << 30, totalWatchBacklogBytes: 512 * 1024, watchStallMs: 600_000, watchCheckMs: 100 } }); });
  after(async () => { await b.close(); });

  test('past the budget the watcher holding most is closed; one that keeps reading stays', async () => {
    const rv = (await bRequest(b, 'GET', '/api/v1/namespaces/default/configmaps')).metadata.resourceVersion;
    const open = async () => {
      const sock = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const t = tls.connect({ host: '127.0.0.1', port: b.port, ca: b.caCertPem, servername: 'localhost' }, () => resolve(t));
        t.once('error', reject);
      });
      sock.write(`GET /api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${b.token}\r\n\r\n`);
      return sock;
    };
    const stalled = await open();
    stalled.pause();
    const reader = await open();
    let seen = '';
    reader.on('data', (d: Buffer) => { seen += d.toString('latin1'); });
    await eventually(() => b.watchStats().watchers === 2, 5000, 'both watches');
    const value = 'z'.repeat(200 * 1024);
    let n = 0;
    for (; n < 300 && b.watchStats().watchers === 2; n++) await bRequest(b, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `c${n}` }, data: { v: value } });
    await eventually(() => b.watchStats().watchers === 1, 10_000, 'one watcher closed');
    await eventually(() => seen.includes(`"name":"c${n - 1}"`), 10_000, 'the reader to get every event');
    assert.equal(reader.destroyed, false);
    reader.destroy();
    stalled.destroy();
  });
});

/** A JSON request to a second server (the shared helpers talk to the first). */
async function bRequest(b: EmbeddedApiServer, method: string, path: string, body?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request({ host: '127.0.0.1', port: b.port, method, path, ca: b.caCertPem, servername: 'localhost', agent: false, headers: { Authorization: `Bearer ${b.token}`, 'Content-Type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
        else resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('smaller divergences', () => {
  test('/version is public, like /healthz', async () => {
    const r = await request('GET', '/version', { auth: null });
    assert.equal(r.status, 200);
    assert.equal(r.json().major, '1');
    assert.equal((await request('GET', '/api/v1/namespaces', { auth: null })).status, 401);
  });

  test('the Bearer scheme is case-insensitive', async () => {
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) assert.equal((await request('GET', '/api/v1/namespaces', { auth: `${scheme} ${s.token}` })).status, 200, scheme);
    assert.equal((await request('GET', '/api/v1/namespaces', { auth: `Basic ${s.token}` })).status, 401);
  });

  test('PUT or PATCH on a collection is 405 MethodNotAllowed', async () => {
    for (const m of ['PUT', 'PATCH']) {
      const st = await status(m, '/api/v1/namespaces/default/configmaps', { body: {}, contentType: m === 'PATCH' ? 'application/merge-patch+json' : undefined });
      assert.equal(st.code, 405, m);
      assert.equal(st.reason, 'MethodNotAllowed');
    }
  });

  test('resourceVersion and integer parameters are checked as upstream checks them', async () => {
    const bad = 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax';
    for (const path of ['/api/v1/namespaces?resourceVersion=abc', '/api/v1/namespaces/default?resourceVersion=abc', '/api/v1/namespaces?watch=1&resourceVersion=abc']) {
      const st = await status('GET', path);
      assert.equal(st.code, 400, path);
      assert.equal(st.message, bad);
    }
    for (const path of ['/api/v1/namespaces?timeoutSeconds=abc', '/api/v1/namespaces?watch=1&timeoutSeconds=abc']) {
      const st = await status('GET', path);
      assert.equal(st.code, 400, path);
      assert.equal(st.message, 'strconv.ParseInt: parsing "abc": invalid syntax');
    }
    assert.equal((await status('GET', '/api/v1/namespaces?limit=1.5')).code, 400);
    const all = await request('GET', '/api/v1/namespaces?limit=-1');
    assert.equal(all.status, 200);
    assert.ok(all.json().items.length >= 4);
    assert.equal(all.json().metadata.continue, undefined);
  });
});

describe('stored objects with null fields', () => {
  test('labels: null on a stored Pod does not break label-selector list, watch or deletecollection', async () => {
    await createNamespace('nulls');
    const key = objectKey('', 'pods', 'nulls', 'p');
    s.store.backend.create(key, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'nulls', uid: 'u-1', labels: null, creationTimestamp: '2026-01-01T00:00:00Z' }, spec: { containers: [{ name: 'c', image: 'i' }] } }));
    const list = await request('GET', '/api/v1/namespaces/nulls/pods?labelSelector=a%3Db');
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(list.json().items, []);
    const watch = await connect();
    let text = '';
    watch.on('data', (d: Buffer) => { text += d.toString('utf8'); });
    watch.write(`GET /api/v1/namespaces/nulls/pods?watch=1&labelSelector=a%3Db&timeoutSeconds=1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
    await closed(watch);
    assert.match(text, /^HTTP\/1\.1 200 /);
    const del = await request('DELETE', '/api/v1/namespaces/nulls/pods?labelSelector=a%3Db');
    assert.equal(del.status, 200, del.text);
  });
});
