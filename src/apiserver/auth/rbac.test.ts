import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PolicyRule } from 'kubernetes-types/rbac/v1.js';
import { authorize as rbacAuthorize, ruleAllows, resourceMatches, nonResourceURLMatches, appliesToUser, rulesFor, type BindingObject, type RoleObject } from './rbac.js';
import { authorize, forbiddenError, forbiddenMessage } from './authorizer.js';
import { snapshotOf, sanitizeRule, roleObject, bindingObject } from './policy.js';
import type { Attributes, ResourceAttributes } from './attributes.js';
import { serviceAccountUser, type UserInfo } from './user.js';

const sa = serviceAccountUser('default', 'default', 'u1');
const res = (over: Partial<ResourceAttributes> = {}, user: UserInfo = sa): Attributes =>
  ({ user, resourceRequest: true, verb: 'list', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', namespace: 'default', name: '', ...over });
const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const role = (name: string, rules: PolicyRule[], namespace = ''): RoleObject => ({ name, namespace, rules });
const crb = (name: string, roleName: string, subjects: BindingObject['subjects']): BindingObject => ({ name, namespace: '', roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects });
const rb = (name: string, namespace: string, kind: 'Role' | 'ClusterRole', roleName: string, subjects: BindingObject['subjects']): BindingObject => ({ name, namespace, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: roleName }, subjects });

describe('rule matching', () => {
  test('verbs, groups, resources, subresources, names: each must match, * matches all', () => {
    const r = rule(['get', 'list'], [''], ['pods']);
    assert.equal(ruleAllows(res(), r), true);
    assert.equal(ruleAllows(res({ verb: 'watch' }), r), false);
    assert.equal(ruleAllows(res({ apiGroup: 'apps' }), r), false);
    assert.equal(ruleAllows(res({ resource: 'services' }), r), false);
    assert.equal(ruleAllows(res({ subresource: 'status', verb: 'get' }), r), false, 'pods does not cover pods/status');
    assert.equal(ruleAllows(res({ verb: 'delete' }), rule(['*'], ['*'], ['*'])), true);
    assert.equal(ruleAllows(res({ subresource: 'log', verb: 'get' }), rule(['get'], [''], ['*'])), true, '* covers subresources');
  });

  test('*/subresource matches that subresource of every resource, and nothing else', () => {
    const r = rule(['update'], ['*'], ['*/status']);
    assert.equal(resourceMatches(r, 'pods/status', 'status'), true);
    assert.equal(resourceMatches(r, 'daemonsets/status', 'status'), true);
    assert.equal(resourceMatches(r, 'pods', ''), false);
    assert.equal(resourceMatches(r, 'pods/log', 'log'), false);
    assert.equal(resourceMatches(rule(['get'], [''], ['pods/*']), 'pods/log', 'log'), false, 'no prefix wildcards upstream');
  });

  test('resourceNames restrict to named objects; an unnamed request (list, create) does not match them', () => {
    const r = rule(['get', 'list'], [''], ['configmaps'], ['a']);
    assert.equal(ruleAllows(res({ resource: 'configmaps', verb: 'get', name: 'a' }), r), true);
    assert.equal(ruleAllows(res({ resource: 'configmaps', verb: 'get', name: 'b' }), r), false);
    assert.equal(ruleAllows(res({ resource: 'configmaps', verb: 'list' }), r), false);
  });

  test('non-resource URLs: exact, * and a trailing * prefix', () => {
    const r: PolicyRule = { verbs: ['get'], nonResourceURLs: ['/healthz', '/apis/*'] };
    assert.equal(nonResourceURLMatches(r, '/healthz'), true);
    assert.equal(nonResourceURLMatches(r, '/healthz/etcd'), false);
    assert.equal(nonResourceURLMatches(r, '/apis/apps'), true);
    assert.equal(nonResourceURLMatches(r, '/apis'), false);
    assert.equal(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['*'] }, '/anything'), true);
    assert.equal(ruleAllows({ resourceRequest: false, verb: 'post', path: '/healthz' }, r), false);
    assert.equal(ruleAllows({ resourceRequest: false, verb: 'get', path: '/healthz' }, rule(['get'], ['*'], ['*'])), false, 'resource rules never grant paths');
  });

  test('subjects: users by name, groups by membership, service accounts by namespace (defaulting to the binding\'s)', () => {
    const u: UserInfo = { name: 'alice', groups: ['dev'] };
    assert.equal(appliesToUser(u, { kind: 'User', name: 'alice' }, ''), true);
    assert.equal(appliesToUser(u, { kind: 'User', name: 'bob' }, ''), false);
    assert.equal(appliesToUser(u, { kind: 'Group', name: 'dev' }, ''), true);
    assert.equal(appliesToUser(sa, { kind: 'ServiceAccount', name: 'default' }, 'default'), true);
    assert.equal(appliesToUser(sa, { kind: 'ServiceAccount', name: 'default' }, ''), false, 'a ClusterRoleBinding subject needs its namespace');
    assert.equal(appliesToUser(sa, { kind: 'ServiceAccount', name: 'default', namespace: 'other' }, 'default'), false);
    assert.equal(appliesToUser({ name: 'system:serviceaccount:default:default', groups: [] }, { kind: 'User', name: 'system:serviceaccount:default:default' }, ''), true);
  });
});

describe('authorize', () => {
  const policy = snapshotOf(
    [role('pod-reader', [rule(['get', 'list'], [''], ['pods'])], 'default')],
    [role('node-reader', [rule(['list'], [''], ['nodes'])])],
    [rb('read-pods', 'default', 'Role', 'pod-reader', [{ kind: 'ServiceAccount', name: 'default' }]), rb('dangling', 'default', 'Role', 'missing', [{ kind: 'ServiceAccount', name: 'default' }])],
    [crb('nodes', 'node-reader', [{ kind: 'Group', name: 'system:serviceaccounts' }])],
  );

  test('a RoleBinding grants in its namespace only, with upstream\'s reason', () => {
    assert.deepEqual(rbacAuthorize(policy, res()), { allowed: true, reason: 'RBAC: allowed by RoleBinding "read-pods/default" of Role "pod-reader" to ServiceAccount "default/default"' });
    assert.equal(rbacAuthorize(policy, res({ namespace: 'other' })).allowed, false);
    assert.equal(rbacAuthorize(policy, res({ namespace: '' })).allowed, false, 'cluster-wide list is not granted by a RoleBinding');
  });

  test('a ClusterRoleBinding grants everywhere; a missing role is the reason of a denial', () => {
    assert.deepEqual(rbacAuthorize(policy, res({ resource: 'nodes', namespace: '' })), { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "nodes" of ClusterRole "node-reader" to Group "system:serviceaccounts"' });
    assert.deepEqual(rbacAuthorize(policy, res({ verb: 'delete', name: 'x' })), { allowed: false, reason: 'RBAC: role.rbac.authorization.k8s.io "missing" not found' });
  });

  test('system:masters may do anything, whatever the policy', () => {
    const admin: UserInfo = { name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
    assert.equal(authorize(snapshotOf([], [], [], []), res({ verb: 'delete', resource: 'nodes' }, admin)).allowed, true);
  });

  test('rulesFor lists what applies, and says when it is incomplete', () => {
    const r = rulesFor(policy, sa, 'default');
    assert.deepEqual(r.resourceRules, [rule(['list'], [''], ['nodes']), rule(['get', 'list'], [''], ['pods'])]);
    assert.equal(r.incomplete, true);
    assert.equal(r.evaluationError, 'role.rbac.authorization.k8s.io "missing" not found');
  });

  test('property: a user with no binding is allowed nothing', () => {
    fc.assert(fc.property(fc.constantFrom('get', 'list', 'create', 'delete', '*'), fc.constantFrom('', 'apps'), fc.constantFrom('pods', 'nodes', 'secrets'), fc.constantFrom('', 'default', 'kube-system'), (verb, apiGroup, resource, namespace) => {
      const nobody: UserInfo = { name: 'nobody', groups: ['system:authenticated'] };
      return !rbacAuthorize(policy, res({ verb, apiGroup, resource, namespace }, nobody)).allowed;
    }));
  });

  test('property: adding a rule never takes a permission away, and a rule granting exactly the request allows it', () => {
    const word = fc.constantFrom('get', 'list', 'create', 'pods', 'nodes', '', 'apps', 'a', 'b', '*');
    const arbRule = fc.record({ verbs: fc.array(word, { minLength: 1, maxLength: 3 }), apiGroups: fc.array(word, { maxLength: 2 }), resources: fc.array(word, { maxLength: 2 }) });
    const arbReq = fc.record({ verb: fc.constantFrom('get', 'list', 'create'), apiGroup: fc.constantFrom('', 'apps'), resource: fc.constantFrom('pods', 'nodes'), name: fc.constantFrom('', 'a') });
    fc.assert(fc.property(fc.array(arbRule, { maxLength: 4 }), arbRule, arbReq, (rules, extra, req) => {
      const mk = (rs: PolicyRule[]) => snapshotOf([], [role('r', rs)], [], [crb('b', 'r', [{ kind: 'User', name: 'u' }])]);
      const a = res({ ...req, namespace: 'ns' }, { name: 'u', groups: [] });
      const before = rbacAuthorize(mk(rules), a).allowed;
      const after = rbacAuthorize(mk([...rules, extra]), a).allowed;
      const exact = rbacAuthorize(mk([rule([req.verb], [req.apiGroup], [req.resource])]), a).allowed;
      return (!before || after) && exact;
    }));
  });
});

describe('stored objects are not trusted', () => {
  test('malformed rules and subjects are dropped, never thrown on', () => {
    assert.equal(sanitizeRule({ verbs: 'get' }), undefined);
    assert.equal(sanitizeRule({ verbs: ['get'], resources: [1] }), undefined);
    assert.equal(sanitizeRule(null), undefined);
    assert.deepEqual(roleObject({ metadata: { name: 'x' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, 'junk', { verbs: {} }] }).rules.length, 1);
    assert.equal(bindingObject({ metadata: { name: 'x' }, roleRef: 'nope' }), undefined);
    assert.deepEqual(bindingObject({ metadata: { name: 'x' }, roleRef: { kind: 'ClusterRole', name: 'r' }, subjects: [{ kind: 1 }, { kind: 'User', name: 'u' }] })?.subjects, [{ kind: 'User', name: 'u' }]);
  });
});

describe('forbidden messages, worded as responsewriters.Forbidden', () => {
  test('namespaced, cluster-scoped, named, subresource and non-resource requests', () => {
    assert.equal(forbiddenError(res(), '').message, 'pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"');
    assert.equal(forbiddenError(res({ resource: 'nodes', namespace: '', verb: 'get', name: 'n1' }), '').message, 'nodes "n1" is forbidden: User "system:serviceaccount:default:default" cannot get resource "nodes" in API group "" at the cluster scope');
    assert.equal(forbiddenError(res({ apiGroup: 'apps', resource: 'daemonsets', subresource: 'status', verb: 'update', name: 'ds' }), 'RBAC: role.rbac.authorization.k8s.io "x" not found').message,
      'daemonsets.apps "ds" is forbidden: User "system:serviceaccount:default:default" cannot update resource "daemonsets/status" in API group "apps" in the namespace "default": RBAC: role.rbac.authorization.k8s.io "x" not found');
    const nr = forbiddenError({ user: sa, resourceRequest: false, verb: 'get', path: '/metrics' }, '');
    assert.equal(nr.message, 'forbidden: User "system:serviceaccount:default:default" cannot get path "/metrics"');
    assert.equal(nr.code, 403);
    assert.deepEqual(forbiddenError(res({ apiGroup: 'apps', resource: 'daemonsets', name: 'ds', verb: 'get' }), '').toStatus().details, { kind: 'daemonsets', name: 'ds', group: 'apps' });
    assert.equal(forbiddenMessage(res({ verb: 'impersonate', resource: 'users', namespace: '', name: 'bob' })), 'User "system:serviceaccount:default:default" cannot impersonate resource "users" in API group "" at the cluster scope');
  });
});
