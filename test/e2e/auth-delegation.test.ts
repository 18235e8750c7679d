// Delegated authentication against the embedded API server, as an extension API server, a
// metrics proxy or Vault would use it: TokenReview (with audiences), service account issuer
// discovery whose JWKS verifies our tokens, the system:auth-delegator role, and bootstrap roles
// reconciled on restart so an older data directory gains what a newer everynode grants.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer, type EmbeddedApiServer } from '../../src/apiserver/index.js';
import { rawRequest, type RawResponse } from '../helpers/http.js';
import { hasKubectl, kubectlOk, type TestCluster } from '../helpers/cluster.js';
import { writeKubeconfig } from '../../src/cluster/kubeconfig.js';

const issuer = 'https://kubernetes.default.svc.cluster.local';
let dir: string;
let api: EmbeddedApiServer;
let target: TestCluster;

async function open(): Promise<void> {
  api = await startApiServer({ dataDir: dir, port: 0 });
  target = { url: api.url, token: api.token, caCertPem: api.caCertPem, dir, kubeconfigPath: join(dir, 'kubeconfig') } as TestCluster;
  await writeKubeconfig(target.kubeconfigPath, { server: api.url, caCertPem: api.caCertPem, token: api.token });
}
const req = (method: string, path: string, body?: unknown, token?: string | null): Promise<RawResponse> =>
  rawRequest(target, method, path, { ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...(token === undefined ? {} : { token }) });
const tokenReview = async (token: string, audiences?: string[], as?: string) => {
  const r = await req('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } }, as);
  return r;
};
const tokenFor = async (name: string, audiences?: string[]) => {
  const r = await req('POST', `/api/v1/namespaces/default/serviceaccounts/${name}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { ...(audiences ? { audiences } : {}) } });
  assert.equal(r.status, 201, r.text);
  return r.json().status.token as string;
};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'everynode-authdelegation-'));
  await open();
  assert.equal((await req('POST', '/api/v1/namespaces/default/serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot' } })).status, 201);
});
after(async () => { await api?.close(); rmSync(dir, { recursive: true, force: true }); });

describe('TokenReview', () => {
  test('a service account token authenticates as its account, for the audiences it was issued for', async () => {
    const token = await tokenFor('bot');
    const plain = (await tokenReview(token)).json();
    assert.equal(plain.kind, 'TokenReview');
    assert.equal(plain.status.authenticated, true);
    assert.equal(plain.status.user.username, 'system:serviceaccount:default:bot');
    assert.deepEqual(plain.status.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    assert.equal(plain.status.audiences, undefined);
    assert.deepEqual((await tokenReview(token, [issuer, 'other'])).json().status.audiences, [issuer]);
    const elsewhere = (await tokenReview(token, ['vault'])).json().status;
    assert.equal(elsewhere.authenticated, undefined);
    assert.match(elsewhere.error, /invalid bearer token/);

    const vault = await tokenFor('bot', ['vault']);
    const forVault = (await tokenReview(vault, ['vault'])).json().status;
    assert.equal(forVault.authenticated, true);
    assert.deepEqual(forVault.audiences, ['vault']);
    assert.equal((await tokenReview(vault)).json().status.authenticated, undefined, 'a vault token is not an API token');
    assert.equal((await req('GET', '/api/v1/namespaces', undefined, vault)).status, 401);
  });

  test('the admin token is valid for the API audiences only; garbage and an empty token', async () => {
    const admin = (await tokenReview(api.token)).json().status;
    assert.equal(admin.user.username, 'kubernetes-admin');
    assert.match((await tokenReview(api.token, ['vault'])).json().status.error, /is invalid for the target audiences/);
    const junk = (await tokenReview('not-a-token')).json();
    assert.deepEqual(junk.status, { user: {}, error: '[invalid bearer token, token lookup failed]' });
    const empty = await tokenReview('');
    assert.equal(empty.status, 400);
    assert.match(empty.json().message, /token is required/);
    assert.equal((await req('GET', '/apis/authentication.k8s.io/v1/tokenreviews')).status, 405);
  });

  test('only system:auth-delegator (or more) may review tokens', async () => {
    const token = await tokenFor('bot');
    const denied = await tokenReview(token, undefined, token);
    assert.equal(denied.status, 403);
    assert.match(denied.json().message, /cannot create resource "tokenreviews" in API group "authentication.k8s.io" at the cluster scope/);
    assert.equal((await req('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'bot-delegator' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'default' }],
    })).status, 201);
    assert.equal((await tokenReview(token, undefined, token)).json().status.authenticated, true);
  });

  test('kubectl create -f of a TokenReview prints the answer', { skip: hasKubectl ? false : 'kubectl is not installed' }, async () => {
    const token = await tokenFor('bot');
    const out = await kubectlOk(target, ['create', '-f', '-', '-o', 'jsonpath={.status.user.username}'], JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } }));
    assert.equal(out, 'system:serviceaccount:default:bot');
  });
});

describe('service account issuer discovery', () => {
  test('the configuration names the issuer and the JWKS, whose key verifies a token; anonymous is refused', async () => {
    const token = await tokenFor('bot');
    const conf = await req('GET', '/.well-known/openid-configuration', undefined, token);
    assert.equal(conf.status, 200, conf.text);
    assert.equal(conf.json().issuer, issuer);
    assert.equal(conf.json().jwks_uri, `${api.url}/openid/v1/jwks`);
    assert.deepEqual(conf.json().id_token_signing_alg_values_supported, ['ES256']);
    const keys = await req('GET', '/openid/v1/jwks/', undefined, token);
    assert.equal(keys.status, 200);
    assert.equal(keys.headers['content-type'], 'application/jwk-set+json');
    const [h, p, s] = token.split('.');
    const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid;
    const jwk = keys.json().keys.find((k: { kid: string }) => k.kid === kid);
    assert.ok(jwk, 'the token names a key of the set');
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    assert.equal(verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')), true);
    assert.equal((await req('GET', '/.well-known/openid-configuration', undefined, null)).status, 401);
    assert.equal((await req('POST', '/openid/v1/jwks', {}, token)).status, 403);
  });
});

describe('bootstrap roles on restart', () => {
  test('a bootstrap role or binding that lost rules or subjects gets them back; a user addition stays; autoupdate=false is left alone', async () => {
    const crPath = (n: string) => `/apis/rbac.authorization.k8s.io/v1/clusterroles/${n}`;
    const basic = (await req('GET', crPath('system:basic-user'))).json();
    const extra = { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] };
    assert.equal((await req('PUT', crPath('system:basic-user'), { ...basic, rules: [extra] })).status, 200);
    const info = (await req('GET', crPath('system:public-info-viewer'))).json();
    info.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'] = 'false';
    assert.equal((await req('PUT', crPath('system:public-info-viewer'), { ...info, rules: [] })).status, 200);
    const bPath = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/system:discovery';
    const binding = (await req('GET', bPath)).json();
    assert.equal((await req('PUT', bPath, { ...binding, subjects: [] })).status, 200);

    await api.close();
    await open();
    const after = (await req('GET', crPath('system:basic-user'))).json();
    assert.deepEqual(after.rules[0], extra);
    assert.deepEqual(after.rules.slice(1), basic.rules);
    assert.deepEqual((await req('GET', crPath('system:public-info-viewer'))).json().rules ?? [], []);
    assert.deepEqual((await req('GET', bPath)).json().subjects, binding.subjects);
  });
});
