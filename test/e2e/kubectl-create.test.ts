// Every `kubectl create` subcommand for a kind the embedded cluster serves, and `kubectl debug`,
// with the real kubectl 1.32: each sends its object as a protobuf body (typed clients), and each
// must be created exactly as it would be from JSON. `kubectl create token` is the rbac helper's
// (TokenRequest); its body is checked in src/apiserver/protobuf.test.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, kubectl, kubectlOk, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const skip = hasKubectl ? false : 'kubectl is not installed on this machine';

let c: TestCluster;
before(async () => { if (!skip) c = await startTestCluster({ nodes: 1 }); });
after(async () => { if (!skip) await c.stop(); });

const ok = (args: string[], input?: string) => kubectlOk(c, args, input);

async function getJson(...args: string[]): Promise<Record<string, any>> {
  return JSON.parse(await ok(['get', ...args, '-o', 'json'])) as Record<string, any>;
}

describe('kubectl create <kind> against the embedded cluster', { skip }, () => {
  test('namespace, configmap, secrets, serviceaccount, priorityclass', async () => {
    assert.equal((await ok(['create', 'namespace', 'team'])).trim(), 'namespace/team created');
    assert.equal((await ok(['create', 'configmap', 'cfg', '-n', 'team', '--from-literal=a=b'])).trim(), 'configmap/cfg created');
    assert.deepEqual((await getJson('configmap', 'cfg', '-n', 'team')).data, { a: 'b' });
    assert.equal((await ok(['create', 'secret', 'generic', 'gen', '-n', 'team', '--from-literal=k=v'])).trim(), 'secret/gen created');
    assert.equal((await getJson('secret', 'gen', '-n', 'team')).data.k, Buffer.from('v').toString('base64'));
    await ok(['create', 'secret', 'docker-registry', 'reg', '-n', 'team', '--docker-server=r.example', '--docker-username=u', '--docker-password=p']);
    assert.equal((await getJson('secret', 'reg', '-n', 'team')).type, 'kubernetes.io/dockerconfigjson');
    assert.equal((await ok(['create', 'serviceaccount', 'bot', '-n', 'team'])).trim(), 'serviceaccount/bot created');
    assert.equal((await ok(['create', 'priorityclass', 'high', '--value=1000', '--description=d'])).trim(), 'priorityclass.scheduling.k8s.io/high created');
    assert.equal((await getJson('priorityclass', 'high')).value, 1000);
  });

  test('service clusterip, nodeport, loadbalancer, externalname', async () => {
    assert.equal((await ok(['create', 'service', 'clusterip', 'web', '--tcp=80:8080'])).trim(), 'service/web created');
    const web = await getJson('service', 'web');
    assert.equal(web.spec.type, 'ClusterIP');
    assert.deepEqual(web.spec.ports.map((p: any) => [p.port, p.targetPort, p.protocol]), [[80, 8080, 'TCP']]);
    await ok(['create', 'service', 'nodeport', 'np', '--tcp=443:8443', '--node-port=30443']);
    assert.equal((await getJson('service', 'np')).spec.ports[0].nodePort, 30443);
    await ok(['create', 'service', 'loadbalancer', 'lb', '--tcp=53:53']);
    assert.equal((await getJson('service', 'lb')).spec.type, 'LoadBalancer');
    await ok(['create', 'service', 'externalname', 'ext', '--external-name=example.com']);
    assert.equal((await getJson('service', 'ext')).spec.externalName, 'example.com');
  });

  test('role, clusterrole (rules and aggregation), rolebinding, clusterrolebinding', async () => {
    assert.equal((await ok(['create', 'role', 'reader', '--verb=get,list', '--resource=pods,configmaps'])).trim(), 'role.rbac.authorization.k8s.io/reader created');
    assert.deepEqual((await getJson('role', 'reader')).rules, [{ apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list'] }]);
    await ok(['create', 'clusterrole', 'node-reader', '--verb=get', '--resource=nodes', '--non-resource-url=/healthz']);
    assert.equal((await getJson('clusterrole', 'node-reader')).rules.length, 2);
    await ok(['create', 'clusterrole', 'agg', '--aggregation-rule=team=a']);
    assert.deepEqual((await getJson('clusterrole', 'agg')).aggregationRule, { clusterRoleSelectors: [{ matchLabels: { team: 'a' } }] });
    await ok(['create', 'rolebinding', 'rb', '--role=reader', '--user=alice', '--serviceaccount=team:bot']);
    const rb = await getJson('rolebinding', 'rb');
    assert.deepEqual(rb.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' });
    assert.deepEqual(rb.subjects.map((s: any) => s.kind), ['User', 'ServiceAccount']);
    assert.equal((await ok(['create', 'clusterrolebinding', 'crb', '--clusterrole=node-reader', '--group=ops'])).trim(), 'clusterrolebinding.rbac.authorization.k8s.io/crb created');
  });

  test('poddisruptionbudget with an int and a percentage', async () => {
    assert.equal((await ok(['create', 'pdb', 'one', '--selector=app=web', '--min-available=1'])).trim(), 'poddisruptionbudget.policy/one created');
    assert.equal((await getJson('pdb', 'one')).spec.minAvailable, 1);
    await ok(['create', 'pdb', 'half', '--selector=app=web', '--max-unavailable=50%']);
    assert.equal((await getJson('pdb', 'half')).spec.maxUnavailable, '50%');
  });

  test('kubectl debug: a node debugging pod and a copy of a pod', async () => {
    const node = (await ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    const out = await ok(['debug', `node/${node}`, '--image=busybox', '--profile=general']);
    const name = out.match(/Creating debugging pod (\S+) with container debugger/)?.[1];
    assert.ok(name, out);
    const pod = await getJson('pod', name);
    assert.equal(pod.spec.nodeName, node);
    assert.equal(pod.spec.hostPID, true);
    assert.equal(pod.spec.volumes[0].hostPath.path, '/');

    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } }));
    await ok(['debug', 'app', '--copy-to=app-debug', '--image=busybox', '--share-processes']);
    const copy = await getJson('pod', 'app-debug');
    assert.equal(copy.spec.shareProcessNamespace, true);
    assert.equal(copy.spec.containers.length, 2);
  });
});
