// Deployments and ReplicaSets end to end with the real kubectl, as on a real cluster: the
// embedded cluster's Deployment and ReplicaSet controllers make the pods, the scheduler binds
// them to simulated nodes, whose kubelets run them. One cluster for every case.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from '../../src/api/types.js';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { RawClient } from '../../src/kube/client.js';
import { isPodReady } from '../../src/controller/core/pods.js';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const CLUSTER = `
pools:
  - name: node
    count: 3
    pods: {startupDelay: 50, readinessDelay: 100}
`;

describe('kubectl and Deployments', { skip: !hasKubectl && 'kubectl not installed' }, () => {
  let c: TestCluster;
  let api: RawClient;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'everynode-deploy-'));
    writeFileSync(join(dir, 'cluster.yaml'), CLUSTER);
    c = await startTestCluster({ configFile: join(dir, 'cluster.yaml'), scheduler: true, controller: false });
    api = new RawClient(c.kubeConfig());
  });
  after(async () => { api?.close(); await c?.stop(); if (dir) rmSync(dir, { recursive: true, force: true }); });

  const k = async (...args: string[]) => {
    const r = await kubectl(c, args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const pods = async () => (await api.request<{ items: Pod[] }>('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).items;
  const sets = async () => (await api.request<{ items: ReplicaSet[] }>('GET', '/apis/apps/v1/namespaces/default/replicasets')).items;
  const running = async (n: number, image?: string) => eventually(async () => {
    const ps = (await pods()).filter((p) => !p.metadata?.deletionTimestamp);
    return ps.length === n && ps.every((p) => p.status?.phase === 'Running' && isPodReady(p) && (!image || p.spec?.containers[0]?.image === image)) && ps;
  }, 20_000, `${n} Running pods${image ? ` of ${image}` : ''}`);

  it('create deployment --replicas=3 gives 3 Running pods through one ReplicaSet', async () => {
    await k('create', 'deployment', 'web', '--image=nginx', '--replicas=3');
    const ps = await running(3);
    const [rs] = await sets();
    assert.equal(rs?.metadata?.ownerReferences?.[0]?.kind, 'Deployment');
    assert.ok(ps.every((p) => p.metadata?.ownerReferences?.[0]?.name === rs?.metadata?.name && p.spec?.nodeName));
    assert.equal(rs?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.match(rs?.metadata?.labels?.['pod-template-hash'] ?? '', /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    await k('rollout', 'status', 'deployment/web', '--timeout=20s');
    const get = await k('get', 'deployment', 'web');
    assert.match(get, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+3\/3\s+3\s+3\s+/);
    const d = JSON.parse(await k('get', 'deployment', 'web', '-o', 'json')) as Deployment;
    assert.deepEqual(d.status?.conditions?.map((x) => [x.type, x.status, x.reason]), [
      ['Available', 'True', 'MinimumReplicasAvailable'], ['Progressing', 'True', 'NewReplicaSetAvailable'],
    ]);
    const describe = await k('describe', 'deployment', 'web');
    assert.match(describe, /Replicas:\s+3 desired \| 3 updated \| 3 total \| 3 available \| 0 unavailable/);
    await eventually(async () => /ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set web-\w+ from 0 to 3/.test(await k('describe', 'deployment', 'web')), 10_000, 'ScalingReplicaSet event');
    await eventually(async () => /SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: web-/.test(await k('describe', 'rs', '-l', 'app=web')), 10_000, 'SuccessfulCreate event');
  });

  it('set image rolls out a second revision; rollout history shows both', async () => {
    await k('set', 'image', 'deployment/web', 'nginx=nginx:1.27');
    const status = await k('rollout', 'status', 'deployment/web', '--timeout=20s');
    assert.match(status, /deployment "web" successfully rolled out/);
    await running(3, 'nginx:1.27');
    const history = await k('rollout', 'history', 'deployment/web');
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const rss = await sets();
    assert.equal(rss.length, 2);
    assert.deepEqual(rss.map((rs) => rs.spec?.replicas).sort(), [0, 3]);
  });

  it('scale --replicas=1 through the scale subresource', async () => {
    assert.match(await k('scale', 'deployment/web', '--replicas=1'), /deployment.apps\/web scaled/);
    await running(1, 'nginx:1.27');
    assert.equal(JSON.parse(await k('get', 'deployment', 'web', '-o', 'json')).spec.replicas, 1);
  });

  it('rollout undo goes back to the first template as revision 3', async () => {
    await k('rollout', 'undo', 'deployment/web');
    await k('rollout', 'status', 'deployment/web', '--timeout=20s');
    await running(1, 'nginx');
    const history = await k('rollout', 'history', 'deployment/web');
    assert.match(history, /\n2\s+<none>\n3\s+<none>/);
  });

  it('rollout pause holds a template change back; resume rolls it out', async () => {
    await k('rollout', 'pause', 'deployment/web');
    await k('set', 'image', 'deployment/web', 'nginx=nginx:1.28');
    await eventually(async () => {
      const d = JSON.parse(await k('get', 'deployment', 'web', '-o', 'json')) as Deployment;
      return d.status?.observedGeneration === d.metadata?.generation && d.status?.conditions?.some((x) => x.reason === 'DeploymentPaused');
    }, 10_000, 'paused observed');
    assert.equal((await sets()).length, 2);
    await k('rollout', 'resume', 'deployment/web');
    await k('rollout', 'status', 'deployment/web', '--timeout=20s');
    await running(1, 'nginx:1.28');
    assert.match(await k('rollout', 'history', 'deployment/web'), /\n4\s+<none>/);
  });

  it('delete: the garbage collector removes the ReplicaSets and their pods', async () => {
    await k('delete', 'deployment', 'web');
    await eventually(async () => (await sets()).length === 0 && (await pods()).length === 0, 20_000, 'ReplicaSets and pods gone');
  });

  it('a bare ReplicaSet adopts matching orphans and keeps its count', async () => {
    const orphan = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'orphan', labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    await api.request('POST', '/api/v1/namespaces/default/pods', orphan);
    await api.request('POST', '/apis/apps/v1/namespaces/default/replicasets', {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'bare' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    });
    const ps = await running(2);
    assert.ok(ps.some((p) => p.metadata?.name === 'orphan' && p.metadata.ownerReferences?.[0]?.name === 'bare'));
    assert.match(await k('get', 'rs', 'bare'), /bare\s+2\s+2\s+2\s+/);
    await k('delete', 'rs', 'bare');
  });
});
