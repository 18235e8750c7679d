// config/: the kustomize manifests render with the real kubectl, describe what the controller
// needs (two replicas, leader election, probes, least-privilege RBAC, non-root), and apply cleanly
// to the embedded cluster, whose Deployment and ReplicaSet controllers then make the controller's
// two pods. Their image (controller:latest) need not exist: a simulated node pulls nothing and
// runs no container, it only reports the pod Running and Ready as a kubelet would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const repo = new URL('../..', import.meta.url).pathname;
type Doc = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

function render(): Doc[] {
  const r = spawnSync('kubectl', ['kustomize', 'config/default'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return parseAllDocuments(r.stdout).map((d) => d.toJS() as Doc).filter(Boolean);
}

describe('config/default', { skip: !hasKubectl && 'kubectl is not installed' }, () => {
  let docs: Doc[] = [];
  let c: TestCluster;
  before(async () => { docs = render(); c = await startTestCluster({ nodes: 2, scheduler: true }); });
  after(async () => { await c?.stop(); });
  const one = (kind: string) => { const d = docs.filter((x) => x.kind === kind); assert.equal(d.length, 1, kind); return d[0]; };

  test('renders the controller as a two-replica, leader-elected, probed, non-root Deployment', () => {
    assert.deepEqual(docs.map((d) => d.kind).sort(), ['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Deployment', 'Namespace', 'Role', 'RoleBinding', 'Service', 'ServiceAccount']);
    const ns = one('Namespace').metadata.name;
    assert.equal(ns, 'everynode-system');
    for (const d of docs) if (!d.kind.startsWith('Cluster') && d.kind !== 'Namespace' && d.kind !== 'CustomResourceDefinition') assert.equal(d.metadata.namespace, ns, `${d.kind} in ${ns}`);
    const dep = one('Deployment');
    assert.equal(dep.spec.replicas, 2);
    const pod = dep.spec.template.spec;
    assert.equal(pod.serviceAccountName, one('ServiceAccount').metadata.name);
    assert.equal(pod.securityContext.runAsNonRoot, true);
    const [ctr] = pod.containers;
    assert.deepEqual(ctr.args, ['controller', '--leader-elect=true', '--metrics-bind-address=:8080', '--health-probe-bind-address=:8081']);
    assert.equal(ctr.livenessProbe.httpGet.path, '/healthz');
    assert.equal(ctr.readinessProbe.httpGet.path, '/readyz');
    assert.ok(ctr.resources.requests.cpu && ctr.resources.requests.memory);
    assert.equal(ctr.securityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(ctr.securityContext.capabilities.drop, ['ALL']);
    const svc = one('Service');
    assert.deepEqual(svc.spec.selector, dep.spec.selector.matchLabels);
    assert.equal(svc.spec.ports[0].port, 8080);
  });

  test('RBAC grants exactly the verbs the controller uses', () => {
    const rules = (d: Doc) => Object.fromEntries((d.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[])
      .flatMap((r) => r.resources.map((res) => [`${r.apiGroups[0] || 'core'}/${res}`, [...r.verbs].sort().join(',')])));
    assert.deepEqual(rules(one('ClusterRole')), {
      'apps/daemonsets': 'get,list,patch,watch',
      'apps/daemonsets/status': 'update',
      'apps/daemonsets/finalizers': 'update',
      'core/pods': 'create,delete,list,patch,watch',
      'core/nodes': 'list,patch,watch',
      'apps/controllerrevisions': 'create,delete,get,list,patch,update,watch',
      'core/events': 'create',
      // The DaemonSetRollout controller's (src/kube/preflight.ts rolloutPermissions).
      'everynode.dev/daemonsetrollouts': 'list,patch,watch',
      'everynode.dev/daemonsetrollouts/status': 'update',
      // Its make-room (spec.makeRoom): the Eviction API and the budgets it respects.
      'core/pods/eviction': 'create',
      'policy/poddisruptionbudgets': 'list,watch',
    });
    assert.deepEqual(rules(one('Role')), { 'coordination.k8s.io/leases': 'create,get,update' });
    const sa = one('ServiceAccount');
    for (const b of [one('ClusterRoleBinding'), one('RoleBinding')]) {
      assert.deepEqual(b.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
    }
    assert.equal(one('ClusterRoleBinding').roleRef.name, one('ClusterRole').metadata.name);
    assert.equal(one('RoleBinding').roleRef.name, one('Role').metadata.name);
  });

  test('ships the DaemonSetRollout CRD unprefixed and cluster-scoped', () => {
    const crd = one('CustomResourceDefinition');
    assert.equal(crd.metadata.name, 'daemonsetrollouts.everynode.dev');
    assert.equal(crd.metadata.namespace, undefined);
    assert.deepEqual(crd.spec.names.shortNames, ['dsr']);
  });

  test('kubectl apply -k config/default applies everything cleanly, twice, and the Deployment runs two pods', async () => {
    const first = await kubectl(c, ['apply', '-k', `${repo}config/default`]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /clusterrole.rbac.authorization.k8s.io\/everynode-manager-role created/);
    assert.match(first.stdout, /role.rbac.authorization.k8s.io\/everynode-leader-election-role created/);
    // The embedded cluster installs this CRD itself at start, so kubectl finds it there already.
    assert.match(first.stdout, /customresourcedefinition.apiextensions.k8s.io\/daemonsetrollouts.everynode.dev (created|configured|unchanged)/);
    assert.match(first.stdout, /deployment.apps\/everynode-controller-manager created/);
    const again = await kubectl(c, ['apply', '-k', `${repo}config/default`]);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stdout, /created/);
    assert.match(again.stdout, /deployment.apps\/everynode-controller-manager unchanged/);
    const get = await kubectl(c, ['get', 'serviceaccount,role,rolebinding,service,deployment', '-n', 'everynode-system', '-o', 'name']);
    assert.equal(get.code, 0, get.stderr);
    // serviceaccount/default is the namespace's own, made by the service account controller.
    assert.deepEqual(get.stdout.trim().split('\n').filter((n) => n !== 'serviceaccount/default').sort(), [
      'deployment.apps/everynode-controller-manager',
      'role.rbac.authorization.k8s.io/everynode-leader-election-role',
      'rolebinding.rbac.authorization.k8s.io/everynode-leader-election-rolebinding',
      'service/everynode-controller-manager-metrics-service',
      'serviceaccount/everynode-controller-manager',
    ]);
    const status = await kubectl(c, ['rollout', 'status', 'deployment/everynode-controller-manager', '-n', 'everynode-system', '--timeout=30s']);
    assert.equal(status.code, 0, status.stderr);
    const pods = await eventually(async () => {
      const r = await kubectl(c, ['get', 'pods', '-n', 'everynode-system', '-o', 'json']);
      const items = (JSON.parse(r.stdout) as { items: { spec: { nodeName?: string }; status: { phase?: string } }[] }).items;
      return items.length === 2 && items.every((p) => p.status.phase === 'Running' && p.spec.nodeName) && items;
    }, 20_000, 'two Running controller pods');
    assert.equal(pods.length, 2);
  });
});
