// End to end: the scheduler binds pending pods, explains unschedulable ones, retries when the
// cluster changes, and preempts lower-priority pods for a higher-priority one.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { eventually, startTestCluster, type TestCluster } from '../helpers/cluster.js';

let c: TestCluster;
let api: RawClient;
const pods = '/api/v1/namespaces/default/pods';
const getPod = (name: string) => api.request<Pod>('GET', `${pods}/${name}`);
const scheduled = (p: Pod) => p.status?.conditions?.find((x) => x.type === 'PodScheduled');
const pod = (name: string, cpu: string, extra: Partial<NonNullable<Pod['spec']>> = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu } } }], terminationGracePeriodSeconds: 2, ...extra },
});

before(async () => {
  c = await startTestCluster({ nodes: 2, nodeGraceMs: 2000, scheduler: true });
  api = new RawClient(c.kubeConfig());
  await eventually(async () => (await api.request<{ items: Node[] }>('GET', '/api/v1/nodes')).items.filter((n) => n.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length === 2, 20_000, 'nodes Ready');
});
after(async () => { api.close(); await c.stop(); });

test('a pending pod is bound and runs', async () => {
  await api.request('POST', pods, pod('plain', '100m'));
  const p = await eventually(async () => { const p = await getPod('plain'); return p.status?.phase === 'Running' ? p : undefined; }, 10_000, 'Running');
  assert.match(p.spec?.nodeName ?? '', /^node-[01]$/);
  assert.equal(scheduled(p)?.status, 'True');
});

test('an unschedulable pod says why, and is retried when a node changes', async () => {
  await api.request('POST', pods, pod('picky', '100m', { nodeSelector: { disk: 'ssd' } }));
  const p = await eventually(async () => { const p = await getPod('picky'); return scheduled(p)?.status === 'False' ? p : undefined; }, 10_000, 'PodScheduled=False');
  assert.equal(scheduled(p)?.reason, 'Unschedulable');
  assert.match(scheduled(p)?.message ?? '', /^0\/2 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector\./);
  await api.request('PATCH', '/api/v1/nodes/node-1', { metadata: { labels: { disk: 'ssd' } } }, 'application/merge-patch+json');
  const bound = await eventually(async () => { const p = await getPod('picky'); return p.spec?.nodeName ? p : undefined; }, 10_000, 'bound after label');
  assert.equal(bound.spec?.nodeName, 'node-1');
});

test('a higher-priority pod preempts a lower one and is bound to the freed node', async () => {
  await api.request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
  // Fill both 4-CPU nodes.
  await api.request('POST', pods, pod('filler-a', '3500m', { nodeName: 'node-0' }));
  await api.request('POST', pods, pod('filler-b', '3500m', { nodeName: 'node-1' }));
  await eventually(async () => (await Promise.all([getPod('filler-a'), getPod('filler-b')])).every((p) => p.status?.phase === 'Running'), 10_000, 'fillers Running');
  await api.request('POST', pods, pod('important', '3', { priorityClassName: 'high' }));
  const p = await eventually(async () => { const p = await getPod('important'); return p.spec?.nodeName && p.status?.phase === 'Running' ? p : undefined; }, 20_000, 'important Running');
  const victim = p.spec?.nodeName === 'node-0' ? 'filler-a' : 'filler-b';
  await assert.rejects(getPod(victim), (e: { code?: number }) => e.code === 404);
});
