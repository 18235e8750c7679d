// The authentication and authorization filters against requests no well-behaved client sends:
// forged and malformed tokens, broken impersonation headers, wrong methods and bodies on the
// review and token endpoints. Every one is a 4xx as upstream answers it, never a 5xx.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
before(async () => {
  c = await startTestCluster();
  await eventually(async () => (await send('GET', '/api/v1/namespaces/default/serviceaccounts/default', admin())).status === 200, 30_000, 'the default ServiceAccount');
});
after(async () => { await c.stop(); });

function send(method: string, path: string, headers: Record<string, string | string[]> = {}, body?: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(c.url + path), { method, headers: { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers }, ca: c.caCertPem }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => { const t = Buffer.concat(chunks).toString(); let j: unknown; try { j = JSON.parse(t); } catch { j = t; } resolve({ status: res.statusCode ?? 0, json: j }); });
    });
    req.on('error', reject);
    req.end(body);
  });
}
const admin = () => ({ Authorization: `Bearer ${c.token}` });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('tokens', () => {
  test('forged, unsigned and malformed tokens are 401 everywhere, even on public paths; no token is anonymous there only', async () => {
    const unsigned = `${b64({ alg: 'none' })}.${b64({ iss: 'https://kubernetes.default.svc.cluster.local', sub: 'system:serviceaccount:default:default', aud: ['https://kubernetes.default.svc.cluster.local'], exp: 4e9, 'kubernetes.io': { namespace: 'default', serviceaccount: { name: 'default', uid: 'x' } } })}.`;
    for (const token of [unsigned, `${unsigned}AAAA`, 'a.b.c', 'x'.repeat(5000), `${c.token}x`]) {
      assert.equal((await send('GET', '/api/v1/namespaces', { Authorization: `Bearer ${token}` })).status, 401, token.slice(0, 20));
      assert.equal((await send('GET', '/healthz', { Authorization: `Bearer ${token}` })).status, 401);
    }
    for (const path of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await send('GET', path)).status, 200, path);
    for (const path of ['/api', '/apis', '/openapi/v3', '/metrics', '/healthz/etcd']) assert.equal((await send('GET', path)).status, 401, path);
  });
});

describe('impersonation headers', () => {
  test('groups without a user, several users and a bad extra key are 400; the admin may impersonate anyone', async () => {
    assert.equal((await send('GET', '/api/v1/namespaces', { ...admin(), 'Impersonate-Group': 'dev' })).status, 400);
    assert.equal((await send('GET', '/api/v1/namespaces', { ...admin(), 'Impersonate-User': ['a', 'b'] })).status, 400);
    assert.equal((await send('GET', '/api/v1/namespaces', { ...admin(), 'Impersonate-User': 'a', 'Impersonate-Extra-%zz': 'v' })).status, 400);
    const r = await send('GET', '/api/v1/namespaces', { ...admin(), 'Impersonate-User': 'alice' });
    assert.equal(r.status, 403);
    assert.equal(r.json.message, 'namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope');
    // Repeated Impersonate-Group headers are several groups, as kubectl --as-group twice sends them.
    const who = await send('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { ...admin(), 'Impersonate-User': 'alice', 'Impersonate-Group': ['dev', 'ops'] }, '{}');
    assert.deepEqual(who.json.status.userInfo, { username: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
  });
});

describe('review and token endpoints', () => {
  test('bad bodies, methods and scopes are 4xx with upstream\'s reasons', async () => {
    const ssar = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
    assert.equal((await send('POST', ssar, admin(), '[]')).status, 400);
    assert.equal((await send('POST', ssar, admin(), '{')).status, 400);
    const empty = await send('POST', ssar, admin(), '{}');
    assert.deepEqual([empty.status, empty.json.reason], [422, 'Invalid']);
    assert.equal((await send('GET', ssar, admin())).status, 405);
    assert.equal((await send('DELETE', `${ssar}/x`, admin())).status, 405);
    assert.equal((await send('POST', ssar, { ...admin(), 'Content-Type': 'text/plain' }, '{}')).status, 415);
    assert.equal((await send('POST', '/apis/authorization.k8s.io/v1/localsubjectaccessreviews', admin(), '{}')).status, 404);
    const ok = await send('POST', ssar, admin(), JSON.stringify({ spec: { nonResourceAttributes: { path: '/x', verb: 'get' } } }));
    assert.deepEqual([ok.status, ok.json.status.allowed], [201, true]);
    const token = '/api/v1/namespaces/default/serviceaccounts/nobody/token';
    assert.equal((await send('POST', token, admin(), '{}')).status, 404);
    assert.equal((await send('GET', '/api/v1/namespaces/default/serviceaccounts/default/token', admin())).status, 405);
    const exp = await send('POST', '/api/v1/namespaces/default/serviceaccounts/default/token', admin(), JSON.stringify({ spec: { expirationSeconds: 'soon' } }));
    assert.equal(exp.status, 400);
  });
});
