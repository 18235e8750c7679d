import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { controllerPermissions, permissionChecks, permissionsFor, refusal } from './preflight.js';

const repo = new URL('../..', import.meta.url).pathname;
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
/** "group/resource[/sub] verb" for every grant of a manifest. */
const grants = (file: string) => (parse(readFileSync(`${repo}/${file}`, 'utf8')) as { rules: Rule[] }).rules
  .flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res} ${v}`)))).sort();
const needed = (scopes: string[]) => permissionsFor({ daemonSets: true, rollouts: true }).filter((p) => scopes.includes(p.scope))
  .flatMap((p) => p.verbs.map((v) => `${p.group}/${p.resource}${p.subresource ? `/${p.subresource}` : ''} ${v}`)).sort();

describe('config/rbac grants exactly what the controller checks for (least privilege)', () => {
  test('the ClusterRole: every managed-namespace and cluster permission, nothing more', () => {
    assert.deepEqual(grants('config/rbac/role.yaml'), needed(['managed', 'cluster']));
  });
  test('a process with only the rollout controller checks its needs, and the lease', () => {
    const only = permissionsFor({ daemonSets: false, rollouts: true });
    assert.ok(only.some((p) => p.resource === 'nodes' && p.verbs.includes('patch')));
    assert.ok(!only.some((p) => p.resource === 'pods' && !p.subresource && p.verbs.includes('create')), 'it never creates pods');
    assert.ok(only.some((p) => p.resource === 'pods' && p.subresource === 'eviction' && p.verbs.includes('create')), 'it evicts them (make-room)');
    assert.ok(only.some((p) => p.scope === 'lease'));
    assert.ok(!permissionsFor({ daemonSets: true, rollouts: false }).some((p) => p.group === 'everynode.dev'));
  });
  test('the leader election Role: the Lease verbs, nothing more', () => {
    assert.deepEqual(grants('config/rbac/leader_election_role.yaml'), needed(['lease']));
  });
});

describe('checks and the refusal', () => {
  test('namespaces follow --namespace, nodes are cluster-wide, leases only with leader election', () => {
    const all = permissionChecks(controllerPermissions, {});
    assert.ok(all.every((c) => c.namespace === '') && !all.some((c) => c.resource === 'leases'));
    const scoped = permissionChecks(controllerPermissions, { namespace: 'team', leaseNamespace: 'sys' });
    assert.equal(scoped.find((c) => c.resource === 'nodes')!.namespace, '');
    assert.equal(scoped.find((c) => c.resource === 'pods')!.namespace, 'team');
    assert.deepEqual(scoped.filter((c) => c.resource === 'leases').map((c) => `${c.verb} ${c.namespace}`), ['get sys', 'create sys', 'update sys']);
  });
  test('one line naming each denied verb and resource', () => {
    assert.equal(refusal([]), undefined);
    const line = refusal([{ verb: 'patch', group: '', resource: 'pods', subresource: '', namespace: '' }, { verb: 'update', group: 'apps', resource: 'daemonsets', subresource: 'status', namespace: 'team' }])!;
    assert.equal(line, 'the controller may not patch pods cluster-wide, update daemonsets/status.apps in namespace team; grant what config/rbac/ grants (SelfSubjectAccessReview denied)');
    assert.ok(!line.includes('\n'));
  });
});
