import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { requestAttributes } from './attributes.js';
import { parseRequestTarget, type RequestTarget } from '../routes.js';
import { planImpersonation } from './impersonation.js';
import { generateSigningKeyPem, signJwt, signingKeyFromPem, verifyJwt } from './jwt.js';
import { boundTokenClaims, defaultIssuer, legacyTokenClaims, userFromClaims, type TokenLookups } from './satoken.js';
import { tokenRequest } from './tokenrequest.js';
import { review } from './reviews.js';
import { snapshotOf } from './policy.js';
import { bootstrapClusterRolesAggregated } from './bootstrap.js';
import { aggregatedRules } from './aggregation.js';
import { ApiError } from '../errors.js';
import type { UserInfo } from './user.js';

const target = (path: string) => parseRequestTarget(path) as RequestTarget;
const attrs = (method: string, path: string) => requestAttributes(method, new URL(`https://x${path}`).pathname, target(path));

describe('request attributes (RequestInfoFactory)', () => {
  test('verbs by method and shape', () => {
    assert.deepEqual(attrs('GET', '/api/v1/namespaces/default/pods'), { resourceRequest: true, verb: 'list', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'default', name: '' });
    assert.equal((attrs('GET', '/api/v1/pods?watch=true') as { verb: string }).verb, 'watch');
    assert.equal((attrs('GET', '/api/v1/watch/pods') as { verb: string }).verb, 'watch');
    assert.equal((attrs('DELETE', '/api/v1/namespaces/a/pods') as { verb: string }).verb, 'deletecollection');
    assert.equal((attrs('HEAD', '/api/v1/namespaces/a/pods/p') as { verb: string }).verb, 'get');
    assert.deepEqual(attrs('POST', '/apis/apps/v1/namespaces/a/daemonsets/d/status'), { resourceRequest: true, verb: 'create', apiGroup: 'apps', apiVersion: 'v1', resource: 'daemonsets', subresource: 'status', namespace: 'a', name: 'd' });
  });

  test('a namespace is in itself; a list narrowed to one name by fieldSelector is about that name', () => {
    assert.equal((attrs('GET', '/api/v1/namespaces/foo') as { namespace: string }).namespace, 'foo');
    assert.equal((attrs('GET', '/api/v1/namespaces/a/configmaps?fieldSelector=metadata.name%3Dx') as { name: string }).name, 'x');
    assert.equal((attrs('GET', '/api/v1/namespaces/a/configmaps?fieldSelector=metadata.name!%3Dx') as { name: string }).name, '');
  });

  test('everything else is a non-resource request with the lower-cased method', () => {
    assert.deepEqual(attrs('GET', '/healthz'), { resourceRequest: false, verb: 'get', path: '/healthz' });
    assert.deepEqual(attrs('HEAD', '/version'), { resourceRequest: false, verb: 'head', path: '/version' });
    assert.deepEqual(attrs('GET', '/apis/apps'), { resourceRequest: false, verb: 'get', path: '/apis/apps' });
    assert.deepEqual(attrs('POST', '/api'), { resourceRequest: false, verb: 'post', path: '/api' });
  });

  test('property: any method and path give attributes, never an exception', () => {
    const seg = fc.constantFrom('api', 'apis', 'v1', 'apps', 'namespaces', 'default', 'pods', 'p', 'status', 'watch', '', '%2F', '..', 'x');
    fc.assert(fc.property(fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'), fc.array(seg, { maxLength: 8 }), fc.constantFrom('', '?watch=1', '?fieldSelector=metadata.name%3D', '?fieldSelector=%3D%3D'), (m, segs, q) => {
      const t = parseRequestTarget(`/${segs.join('/')}${q}`);
      if (!('segments' in t)) return true;
      const a = requestAttributes(m, `/${t.segments.join('/')}`, t);
      return a.resourceRequest ? typeof a.verb === 'string' : a.verb === m.toLowerCase();
    }));
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('impersonate-user', 'impersonate-group', 'impersonate-uid', 'impersonate-extra-a%20b', 'impersonate-extra-%', 'x'), fc.oneof(fc.string(), fc.array(fc.string()))), (h) => {
      const p = planImpersonation(h, { name: 'a', groups: [] });
      return ['none', 'bad', 'impersonate'].includes(p.kind);
    }));
  });

  test('a resource path the router refuses is still authorized as a resource request', () => {
    const a = attrs('GET', '/api/v1/namespaces//pods');
    assert.equal(a.resourceRequest, true);
  });
});

describe('impersonation', () => {
  const admin: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters'] };
  test('a service account user gets its groups and is checked as a serviceaccount', () => {
    const p = planImpersonation({ 'impersonate-user': 'system:serviceaccount:ns:sa' }, admin);
    assert.equal(p.kind, 'impersonate');
    if (p.kind !== 'impersonate') return;
    assert.deepEqual(p.user, { name: 'system:serviceaccount:ns:sa', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'] });
    assert.deepEqual(p.checks.map((c) => c.resourceRequest && [c.resource, c.namespace, c.name, c.verb]), [['serviceaccounts', 'ns', 'sa', 'impersonate']]);
  });

  test('users, groups and extras are each checked; authenticated is implied', () => {
    const p = planImpersonation({ 'impersonate-user': 'bob', 'impersonate-group': ['dev', 'ops'], 'impersonate-extra-scopes': 'a,b' }, admin);
    if (p.kind !== 'impersonate') return assert.fail(p.kind);
    assert.deepEqual(p.user.groups, ['dev', 'ops', 'system:authenticated']);
    assert.deepEqual(p.user.extra, { scopes: ['a', 'b'] });
    assert.deepEqual(p.checks.map((c) => c.resourceRequest && `${c.apiGroup}/${c.resource}/${c.subresource}/${c.name}`), ['/users//bob', '/groups//dev', '/groups//ops', 'authentication.k8s.io/userextras/scopes/a', 'authentication.k8s.io/userextras/scopes/b']);
  });

  test('no headers is no impersonation; groups without a user are a bad request', () => {
    assert.equal(planImpersonation({}, admin).kind, 'none');
    assert.equal(planImpersonation({ 'impersonate-group': 'dev' }, admin).kind, 'bad');
  });
});

describe('service account tokens', () => {
  const key = signingKeyFromPem(generateSigningKeyPem());
  const other = signingKeyFromPem(generateSigningKeyPem());
  const now = 1_800_000_000;
  const accounts = new Map([['ns/sa', { uid: 'uid-1', deleting: false }]]);
  const look = (secrets: ReturnType<TokenLookups['secret']>[] = []): TokenLookups => ({
    serviceAccount: (ns, name) => accounts.get(`${ns}/${name}`),
    secret: () => secrets[0],
  });
  const bound = (over: Partial<Parameters<typeof boundTokenClaims>[0]> = {}) =>
    boundTokenClaims({ namespace: 'ns', name: 'sa', uid: 'uid-1', audiences: [defaultIssuer], expirationSeconds: 3600, nowSeconds: now, jti: 'j', ...over });

  test('a bound token is the service account, with its groups and credential id', () => {
    const t = signJwt(key, bound());
    const claims = verifyJwt(key, t)!;
    assert.deepEqual(userFromClaims(claims, t, [defaultIssuer], now + 10, look()), {
      name: 'system:serviceaccount:ns:sa', uid: 'uid-1', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': ['JTI=j'] },
    });
  });

  test('another key, a tampered payload, an expired token, a foreign audience or a recreated account are refused', () => {
    const t = signJwt(key, bound());
    assert.equal(verifyJwt(other, t), undefined);
    const [h, , s] = t.split('.');
    assert.equal(verifyJwt(key, `${h}.${Buffer.from(JSON.stringify({ ...bound(), sub: 'x' })).toString('base64url')}.${s}`), undefined);
    assert.equal(verifyJwt(key, 'not.a.jwt'), undefined);
    assert.ok('refused' in userFromClaims(bound(), t, [defaultIssuer], now + 3600 + 61, look()));
    assert.ok(!('refused' in userFromClaims(bound(), t, [defaultIssuer], now + 3600 + 59, look())), 'one minute of leeway');
    assert.ok('refused' in userFromClaims(bound({ audiences: ['vault'] }), t, [defaultIssuer], now, look()));
    assert.ok('refused' in userFromClaims(bound({ uid: 'uid-0' }), t, [defaultIssuer], now, look()));
    assert.ok('refused' in userFromClaims(bound({ name: 'gone' }), t, [defaultIssuer], now, look()));
  });

  test('a legacy token is valid while its Secret holds it', () => {
    const claims = legacyTokenClaims('ns', 'tok', 'sa', 'uid-1');
    const t = signJwt(key, claims);
    const secret = { type: 'kubernetes.io/service-account-token', token: t, serviceAccountName: 'sa', serviceAccountUid: 'uid-1', deleting: false };
    assert.equal((userFromClaims(claims, t, [defaultIssuer], now, look([secret])) as UserInfo).name, 'system:serviceaccount:ns:sa');
    assert.ok('refused' in userFromClaims(claims, t, [defaultIssuer], now, look([])));
    assert.ok('refused' in userFromClaims(claims, t, [defaultIssuer], now, look([{ ...secret, token: 'other' }])));
  });

  test('property: verification never throws and accepts only what was signed', () => {
    fc.assert(fc.property(fc.string(), (s) => verifyJwt(key, s) === undefined));
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (claims) => {
      const t = signJwt(key, claims);
      return JSON.stringify(verifyJwt(key, t)) === JSON.stringify(JSON.parse(JSON.stringify(claims))) && verifyJwt(other, t) === undefined;
    }), { numRuns: 50 });
  });

  test('TokenRequest: defaults, limits, and a token bound to the account', () => {
    const sa = { metadata: { name: 'sa', namespace: 'ns', uid: 'uid-1' } };
    const r = tokenRequest({ body: { spec: {} }, namespace: 'ns', serviceAccount: sa, apiAudiences: [defaultIssuer], nowMs: now * 1000, key });
    const st = r.status as { token: string; expirationTimestamp: string };
    assert.deepEqual(r.spec, { audiences: [defaultIssuer], expirationSeconds: 3600, boundObjectRef: null });
    assert.equal(st.expirationTimestamp, new Date((now + 3600) * 1000).toISOString().replace('.000', ''));
    const claims = verifyJwt(key, st.token)!;
    assert.equal((userFromClaims(claims, st.token, [defaultIssuer], now, look()) as UserInfo).name, 'system:serviceaccount:ns:sa');
    assert.throws(() => tokenRequest({ body: { spec: { expirationSeconds: 60 } }, namespace: 'ns', serviceAccount: sa, apiAudiences: [], nowMs: 0, key }),
      (e: ApiError) => e.code === 422 && e.message === 'TokenRequest.authentication.k8s.io "sa" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
    assert.throws(() => tokenRequest({ body: 'x', namespace: 'ns', serviceAccount: sa, apiAudiences: [], nowMs: 0, key }), (e: ApiError) => e.code === 400);
  });

  test('TokenRequest bound to a Pod: valid while that pod lives; other kinds and stale uids are refused', () => {
    const sa = { metadata: { name: 'sa', namespace: 'ns', uid: 'uid-1' } };
    const pods = new Map([['p', 'pod-uid']]);
    const objectUid = (kind: string, name: string) => (kind === 'Pod' ? pods.get(name) : undefined);
    const req = (ref: object) => tokenRequest({ body: { spec: { boundObjectRef: ref } }, namespace: 'ns', serviceAccount: sa, apiAudiences: [defaultIssuer], nowMs: now * 1000, key, objectUid });
    const r = req({ kind: 'Pod', apiVersion: 'v1', name: 'p' });
    assert.deepEqual((r.spec as { boundObjectRef: unknown }).boundObjectRef, { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'pod-uid' });
    const token = (r.status as { token: string }).token;
    const claims = verifyJwt(key, token)!;
    const lookups = (uid: string | undefined): TokenLookups => ({ ...look(), objectUid: () => uid });
    assert.equal((userFromClaims(claims, token, [defaultIssuer], now, lookups('pod-uid')) as UserInfo).name, 'system:serviceaccount:ns:sa');
    assert.ok('refused' in userFromClaims(claims, token, [defaultIssuer], now, lookups(undefined)), 'pod deleted');
    assert.ok('refused' in userFromClaims(claims, token, [defaultIssuer], now, lookups('other')), 'pod recreated');
    assert.throws(() => req({ kind: 'Pod', apiVersion: 'v1', name: 'p', uid: 'old' }), (e: ApiError) => e.code === 409 && /does not match the UID in record/.test(e.message));
    assert.throws(() => req({ kind: 'Pod', apiVersion: 'v1', name: 'gone' }), (e: ApiError) => e.code === 404 && e.message === 'pods "gone" not found');
    assert.throws(() => req({ kind: 'Node', apiVersion: 'v1', name: 'n' }), (e: ApiError) => e.code === 400 && e.message === 'cannot bind token to object of type /v1, Kind=Node');
  });
});

describe('reviews', () => {
  const user: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
  const policy = snapshotOf([], [{ name: 'r', namespace: '', rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }], [], [{ name: 'b', namespace: '', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 'User', name: 'alice' }] }]);
  const ctx = { user, policy, namespace: '' };

  test('SelfSubjectAccessReview answers for the asking user', () => {
    const yes = review('selfsubjectaccessreviews', { spec: { resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'x' } } }, ctx);
    assert.deepEqual(yes.status, { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to User "alice"' });
    assert.deepEqual(review('selfsubjectaccessreviews', { spec: { resourceAttributes: { verb: 'delete', resource: 'pods' } } }, ctx).status, { allowed: false });
    assert.throws(() => review('selfsubjectaccessreviews', { spec: {} }, ctx), (e: ApiError) => e.code === 422 && /exactly one of nonResourceAttributes or resourceAttributes must be specified/.test(e.message));
    assert.throws(() => review('selfsubjectaccessreviews', [], ctx), (e: ApiError) => e.code === 400);
  });

  test('SubjectAccessReview answers for the named user; SelfSubjectRulesReview lists rules; SelfSubjectReview says who', () => {
    assert.equal((review('subjectaccessreviews', { spec: { user: 'alice', resourceAttributes: { verb: 'get', resource: 'pods' } } }, { ...ctx, user: { name: 'admin', groups: [] } }).status as { allowed: boolean }).allowed, true);
    assert.throws(() => review('subjectaccessreviews', { spec: { resourceAttributes: { verb: 'get' } } }, ctx), (e: ApiError) => e.code === 422);
    const rules = review('selfsubjectrulesreviews', { spec: { namespace: 'default' } }, ctx).status as { resourceRules: unknown[]; incomplete: boolean };
    assert.deepEqual(rules, { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], nonResourceRules: [], incomplete: false });
    assert.throws(() => review('selfsubjectrulesreviews', { spec: {} }, ctx), (e: ApiError) => e.code === 400 && e.message === 'no namespace on request');
    assert.deepEqual(review('selfsubjectreviews', {}, ctx).status, { userInfo: { username: 'alice', groups: ['system:authenticated'] } });
  });

  test('property: reviews of arbitrary bodies answer or refuse with a 4xx, never throw anything else', () => {
    fc.assert(fc.property(fc.constantFrom('selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews', 'localsubjectaccessreviews', 'selfsubjectreviews', 'tokenreviews' as const), fc.jsonValue(), (r, body) => {
      try { review(r, body, ctx); return true; } catch (e) { return e instanceof ApiError && e.code >= 400 && e.code < 500; }
    }));
  });
});

describe('bootstrap policy', () => {
  const roles = bootstrapClusterRolesAggregated();
  const byName = (n: string) => roles.find((r) => r.metadata?.name === n)!;
  const grants = (n: string, verb: string, resource: string) => (byName(n).rules as { verbs: string[]; resources?: string[] }[]).some((r) => r.verbs.includes(verb) && r.resources?.includes(resource));
  test('view reads but not secrets; edit writes workloads and secrets; admin also manages roles', () => {
    assert.ok(grants('view', 'list', 'pods') && !grants('view', 'get', 'secrets') && !grants('view', 'create', 'pods'));
    assert.ok(grants('edit', 'create', 'daemonsets') && grants('edit', 'get', 'secrets') && grants('edit', 'list', 'pods') && !grants('edit', 'create', 'roles'));
    assert.ok(grants('admin', 'create', 'rolebindings') && grants('admin', 'list', 'pods') && grants('admin', 'create', 'daemonsets'));
  });
  test('aggregation unions matching roles\' rules without duplicates, and ignores a malformed selector', () => {
    const a = { metadata: { name: 'a', labels: { x: 'y' } }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
    const b = { metadata: { name: 'b', labels: { x: 'y' } }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: 'bad' }] };
    const agg = { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }, 'junk'] } };
    assert.deepEqual(aggregatedRules(agg, [a, b, agg]), [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
    assert.equal(aggregatedRules(a, [a]), undefined);
  });
});
