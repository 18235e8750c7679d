// Authentication and RBAC with the real kubectl: service account tokens (TokenRequest and legacy
// Secrets), 403s worded as upstream's, `kubectl auth can-i|whoami` with and without --as, and the
// objects every cluster starts with.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, hasKubectl, kubectl, kubectlOk, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine; install kubectl 1.32 to run these tests';
if (skip) console.log(`# SKIP rbac-kubectl: ${skip}`);

let c: TestCluster;
before(async () => {
  if (skip) return;
  c = await startTestCluster();
  await eventually(async () => (await kubectl(c, ['get', 'sa', 'default', '-n', 'default'])).code === 0, 30_000, 'the default ServiceAccount');
});
after(async () => { if (!skip) await c.stop(); });

const ok = (args: string[], input?: string) => kubectlOk(c, args, input);

const saUser = 'system:serviceaccount:default:default';

describe('objects every cluster starts with', { skip }, () => {
  test('the default ServiceAccount and kube-root-ca.crt in every namespace, new ones too; the kubernetes Service; bootstrap roles', async () => {
    await ok(['create', 'namespace', 'fresh']);
    await eventually(async () => (await kubectl(c, ['get', 'sa/default', 'cm/kube-root-ca.crt', '-n', 'fresh'])).code === 0, 30_000, 'defaults in a new namespace');
    const ca = await ok(['get', 'cm', 'kube-root-ca.crt', '-n', 'fresh', '-o', 'jsonpath={.data.ca\\.crt}']);
    assert.equal(ca, c.caCertPem);
    assert.match(await ok(['get', 'svc', 'kubernetes', '-n', 'default']), /443\/TCP/);
    await ok(['get', 'clusterrole', 'cluster-admin', 'admin', 'edit', 'view']);
    assert.match(await ok(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'jsonpath={.subjects[0].name}']), /^system:masters$/);
  });
});

describe('service account tokens', { skip }, () => {
  test('kubectl create token: the token is the service account, which may do nothing but discovery and self-reviews', async () => {
    const token = (await ok(['create', 'token', 'default'])).trim();
    assert.match(await ok(['--token', token, 'auth', 'whoami']), new RegExp(`Username\\s+${saUser}`));
    const denied = await kubectl(c, ['--token', token, 'get', 'pods', '-n', 'default']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"/);
    const nodes = await kubectl(c, ['--token', token, 'get', 'node', 'n1']);
    assert.match(nodes.stderr, /nodes "n1" is forbidden: User "system:serviceaccount:default:default" cannot get resource "nodes" in API group "" at the cluster scope/);
  });

  test('a RoleBinding grants in its namespace; deleting and recreating the account invalidates its old tokens', async () => {
    await ok(['create', 'serviceaccount', 'reader', '-n', 'default']);
    await ok(['apply', '-f', '-'], `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader-view, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects: [{kind: ServiceAccount, name: reader}]
`);
    const token = (await ok(['create', 'token', 'reader', '-n', 'default', '--duration', '15m'])).trim();
    await ok(['--token', token, 'get', 'pods', '-n', 'default']);
    const elsewhere = await kubectl(c, ['--token', token, 'get', 'pods', '-n', 'kube-system']);
    assert.match(elsewhere.stderr, /cannot list resource "pods" in API group "" in the namespace "kube-system"/);
    const write = await kubectl(c, ['--token', token, 'create', 'configmap', 'x', '-n', 'default']);
    assert.match(write.stderr, /configmaps is forbidden: User "system:serviceaccount:default:reader" cannot create resource "configmaps"/);
    await ok(['delete', 'serviceaccount', 'reader', '-n', 'default']);
    await ok(['create', 'serviceaccount', 'reader', '-n', 'default']);
    const stale = await kubectl(c, ['--token', token, 'get', 'pods', '-n', 'default']);
    assert.equal(stale.code, 1);
    assert.match(stale.stderr, /You must be logged in to the server \(Unauthorized\)/);
    const bad = await kubectl(c, ['--token', `${token.slice(0, -4)}AAAA`, 'get', 'pods']);
    assert.match(bad.stderr, /Unauthorized/);
  });

  test('a token bound to a Pod dies with the pod', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: {name: holder, namespace: default}
spec: {containers: [{name: c, image: registry.k8s.io/pause:3.9}]}
`);
    const token = (await ok(['create', 'token', 'default', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder'])).trim();
    assert.match(await ok(['--token', token, 'auth', 'whoami']), new RegExp(`Username\\s+${saUser}`));
    await ok(['delete', 'pod', 'holder', '--grace-period=0', '--force']);
    assert.match((await kubectl(c, ['--token', token, 'auth', 'whoami'])).stderr, /Unauthorized/);
  });

  test('a legacy token Secret is filled by the token controller and authenticates', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: v1
kind: Secret
metadata:
  name: default-token
  namespace: default
  annotations: {kubernetes.io/service-account.name: default}
type: kubernetes.io/service-account-token
`);
    const b64 = await eventually(async () => (await ok(['get', 'secret', 'default-token', '-o', 'jsonpath={.data.token}'])) || undefined, 30_000, 'data.token');
    const ns = await ok(['get', 'secret', 'default-token', '-o', 'jsonpath={.data.namespace}']);
    assert.equal(Buffer.from(ns, 'base64').toString(), 'default');
    const token = Buffer.from(b64, 'base64').toString();
    assert.match(await ok(['--token', token, 'auth', 'whoami']), new RegExp(`Username\\s+${saUser}`));
    await ok(['delete', 'secret', 'default-token']);
    assert.match((await kubectl(c, ['--token', token, 'auth', 'whoami'])).stderr, /Unauthorized/);
  });
});

describe('kubectl auth', { skip }, () => {
  test('can-i --list --as the default ServiceAccount shows only what it may do, and a request beyond it is 403', async () => {
    const list = await ok(['auth', 'can-i', '--list', `--as=${saUser}`]);
    const resources = list.split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter(Boolean);
    assert.deepEqual(resources.sort(), ['selfsubjectaccessreviews.authorization.k8s.io', 'selfsubjectreviews.authentication.k8s.io', 'selfsubjectrulesreviews.authorization.k8s.io']);
    assert.match(list, /\[\/healthz\]/);
    const no = await kubectl(c, ['auth', 'can-i', 'list', 'pods', `--as=${saUser}`]);
    assert.deepEqual([no.code, no.stdout.trim()], [1, 'no']);
    assert.equal((await ok(['auth', 'can-i', 'delete', 'nodes'])).trim(), 'yes');
    const forbidden = await kubectl(c, ['get', 'daemonsets', `--as=${saUser}`]);
    assert.match(forbidden.stderr, /daemonsets.apps is forbidden: User "system:serviceaccount:default:default" cannot list resource "daemonsets" in API group "apps" in the namespace "default"/);
  });

  test('whoami --as; impersonation needs the impersonate verb', async () => {
    assert.match(await ok(['auth', 'whoami', '--as=bob', '--as-group=dev']), /Username\s+bob[\s\S]*Groups\s+\[dev system:authenticated\]/);
    const token = (await ok(['create', 'token', 'default'])).trim();
    const r = await kubectl(c, ['--token', token, '--as=bob', 'get', 'pods']);
    assert.match(r.stderr, /users "bob" is forbidden: User "system:serviceaccount:default:default" cannot impersonate resource "users" in API group "" at the cluster scope/);
  });
});

describe('privilege escalation', { skip }, () => {
  test('a namespace admin may write roles with rules it holds and bind what it holds, nothing beyond', async () => {
    await ok(['create', 'namespace', 'team']);
    await ok(['create', 'serviceaccount', 'lead', '-n', 'team']);
    await ok(['apply', '-f', '-'], `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: lead-admin, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin}
subjects: [{kind: ServiceAccount, name: lead}]
`);
    const token = (await ok(['create', 'token', 'lead', '-n', 'team'])).trim();
    const role = (resource: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: r-${resource}, namespace: team}
rules: [{apiGroups: [""], resources: [${resource}], verbs: [get, list]}]
`;
    await ok(['--token', token, 'apply', '-f', '-'], role('secrets'));
    const up = await kubectl(c, ['--token', token, 'apply', '-f', '-'], role('nodes'));
    assert.equal(up.code, 1);
    assert.match(up.stderr, /roles.rbac.authorization.k8s.io "r-nodes" is forbidden: user "system:serviceaccount:team:lead" \(groups=\["system:serviceaccounts" "system:serviceaccounts:team" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["nodes"\], Verbs:\["get" "list"\]\}/);
    const bind = (role: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: b-${role}, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${role}}
subjects: [{kind: ServiceAccount, name: default}]
`;
    await ok(['--token', token, 'apply', '-f', '-'], bind('view'));
    const admin = await kubectl(c, ['--token', token, 'apply', '-f', '-'], bind('cluster-admin'));
    assert.match(admin.stderr, /rolebindings.rbac.authorization.k8s.io "b-cluster-admin" is forbidden: user "system:serviceaccount:team:lead" .* is attempting to grant RBAC permissions not currently held/);
  });
});

describe('ClusterRole aggregation', { skip }, () => {
  test('a ClusterRole labelled aggregate-to-view adds its rules to view, and through edit to admin', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [get, list, watch]}]
`);
    for (const role of ['view', 'edit', 'admin']) {
      await eventually(async () => (await ok(['get', 'clusterrole', role, '-o', 'jsonpath={.rules[*].resources}'])).includes('widgets'), 30_000, `widgets in ${role}`);
    }
  });
});
