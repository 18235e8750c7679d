// End to end with the real kubectl: exec, attach and port-forward on a pod of a simulated node
// fail the way they fail against a real server whose kubelet is unreachable (a 500 naming the
// cause), not with a bare NotFound; logs keeps its one simulated line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Status } from '../../src/api/types.js';
import { ApiStatusError, RawClient } from '../../src/kube/client.js';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let api: RawClient;
const pods = '/api/v1/namespaces/default/pods';
const CAUSE = /simulated node node-0 has no container runtime/;

before(async () => {
  c = await startTestCluster({ nodes: 1 });
  api = new RawClient(c.kubeConfig());
  await api.request('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { nodeName: 'node-0', containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'side', image: 'busybox:1' }] } });
  await api.request('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unbound' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
  await eventually(async () => (await api.request<Pod>('GET', `${pods}/web`)).status?.phase === 'Running', 30_000, 'web Running');
});
after(async () => { api.close(); await c.stop(); });

const statusOf = async (method: string, path: string): Promise<Status> => {
  try { await api.request(method, path); } catch (err) { if (err instanceof ApiStatusError) return err.body as Status; throw err; }
  assert.fail(`${method} ${path} succeeded`);
};

describe('connect subresources on a simulated node', () => {
  test('exec, attach and portforward answer 500 naming the simulated node, for GET and POST', async () => {
    for (const [method, path] of [
      ['POST', `${pods}/web/exec?command=sh&container=web&stdin=true`], ['GET', `${pods}/web/exec?command=ls&container=side`],
      ['POST', `${pods}/web/attach?container=web`], ['GET', `${pods}/web/portforward?ports=80`], ['POST', `${pods}/web/portforward?ports=80`],
    ]) {
      const s = await statusOf(method, path);
      assert.equal(s.code, 500, path);
      assert.match(s.message ?? '', CAUSE, path);
    }
  });

  test('the checks a real server makes first: container, host assigned, pod exists', async () => {
    assert.deepEqual([(await statusOf('POST', `${pods}/web/exec?command=ls&container=nope`)).message, (await statusOf('POST', `${pods}/web/exec?command=ls&container=nope`)).code],
      ['container nope is not valid for pod web', 400]);
    assert.equal((await statusOf('POST', `${pods}/web/exec?command=ls`)).message, 'a container name must be specified for pod web, choose one of: [web side]');
    assert.equal((await statusOf('POST', `${pods}/unbound/exec?command=ls&container=c`)).message, 'pod unbound does not have a host assigned');
    assert.equal((await statusOf('POST', `${pods}/missing/exec?command=ls`)).code, 404);
    assert.equal((await statusOf('DELETE', `${pods}/web/exec`)).code, 405);
  });

  test('kubectl exec, attach and port-forward print the cause', { skip: !hasKubectl }, async () => {
    for (const args of [['exec', 'web', '-c', 'web', '--', 'ls'], ['exec', '-i', 'web', '--', 'sh'], ['attach', 'web', '-c', 'web'], ['port-forward', 'pod/web', '18080:80']]) {
      const r = await kubectl(c, args, '');
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, CAUSE, `${args.join(' ')}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /NotFound|could not find the requested resource/);
    }
  });

  test('kubectl logs keeps its one simulated line', { skip: !hasKubectl }, async () => {
    const r = await kubectl(c, ['logs', 'web', '-c', 'side']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^simulated container side of pod default\/web/);
  });
});

describe('ephemeral containers (kubectl debug)', () => {
  const ephemeral = (extra: Record<string, unknown> = {}) => ({ name: 'dbg', image: 'busybox:1', targetContainerName: 'web', ...extra });
  const failure = async (method: string, path: string, body: unknown, contentType?: string): Promise<Status> => {
    try { await api.request(method, path, body, contentType); } catch (err) { if (err instanceof ApiStatusError) return err.body as Status; throw err; }
    assert.fail(`${method} ${path} succeeded`);
  };

  test('kubectl debug adds a container the simulated kubelet starts; nothing else of the pod changes', { skip: hasKubectl ? false : 'kubectl is not installed' }, async () => {
    const before = await api.request<Pod>('GET', `${pods}/web`);
    const r = await kubectl(c, ['debug', 'web', '--image=busybox:1', '-c', 'dbg', '--target=web', '--profile=general']);
    assert.equal(r.code, 0, r.stderr);
    const pod = await eventually(async () => { const p = await api.request<Pod>('GET', `${pods}/web`); return p.status?.ephemeralContainerStatuses?.[0]?.state?.running ? p : undefined; }, 20_000, 'the debug container running');
    assert.equal(pod.spec?.ephemeralContainers?.[0]?.name, 'dbg');
    assert.equal(pod.spec?.ephemeralContainers?.[0]?.targetContainerName, 'web');
    assert.deepEqual(pod.spec?.containers, before.spec?.containers);
    assert.equal(pod.metadata?.uid, before.metadata?.uid);
    const get = await api.request<Pod>('GET', `${pods}/web/ephemeralcontainers`);
    assert.equal(get.kind, 'Pod');
  });

  test('existing ones may not change or go, new ones may not have ports or probes or a name in use, and a pod cannot be created with one', async () => {
    const pod = await api.request<Pod>('GET', `${pods}/web`);
    const existing = pod.spec?.ephemeralContainers ?? [];
    if (!existing.length) {
      await api.request('PATCH', `${pods}/web/ephemeralcontainers`, { spec: { ephemeralContainers: [ephemeral()] } }, 'application/strategic-merge-patch+json');
    }
    const live = await api.request<Pod>('GET', `${pods}/web`);
    const list = live.spec!.ephemeralContainers!;
    const changed = await failure('PUT', `${pods}/web/ephemeralcontainers`, { ...live, spec: { ...live.spec, ephemeralContainers: [{ ...list[0], image: 'busybox:2' }] } });
    assert.equal(changed.code, 422);
    assert.match(changed.message!, /existing ephemeral containers "dbg" may not be changed/);
    const removed = await failure('PUT', `${pods}/web/ephemeralcontainers`, { ...live, spec: { ...live.spec, ephemeralContainers: [] } });
    assert.match(removed.message!, /existing ephemeral containers "dbg" may not be removed/);
    const ports = await failure('PUT', `${pods}/web/ephemeralcontainers`, { ...live, spec: { ...live.spec, ephemeralContainers: [...list, ephemeral({ name: 'dbg2', ports: [{ containerPort: 80 }], readinessProbe: { exec: { command: ['true'] } } })] } });
    assert.match(ports.message!, /spec\.ephemeralContainers\[1\]\.ports: Forbidden: cannot be set for an Ephemeral Container/);
    assert.match(ports.message!, /spec\.ephemeralContainers\[1\]\.readinessProbe: Forbidden/);
    const dup = await failure('PUT', `${pods}/web/ephemeralcontainers`, { ...live, spec: { ...live.spec, ephemeralContainers: [...list, ephemeral({ name: 'side' })] } });
    assert.match(dup.message!, /spec\.ephemeralContainers\[1\]\.name: Duplicate value: "side"/);
    const viaPod = await failure('PUT', `${pods}/web`, { ...live, spec: { ...live.spec, ephemeralContainers: [...list, ephemeral({ name: 'sneaky' })] } });
    assert.match(viaPod.message!, /pod updates may not change fields/);
    const created = await failure('POST', pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'born-debugged' }, spec: { containers: [{ name: 'c', image: 'i' }], ephemeralContainers: [ephemeral({ targetContainerName: 'c' })] } });
    assert.match(created.message!, /spec\.ephemeralContainers: Forbidden: cannot be set on create/);
    assert.equal((await failure('POST', `${pods}/web/ephemeralcontainers`, live)).code, 405);
  });
});
