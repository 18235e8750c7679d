// End to end: simulated kubelets, the node lifecycle controller and fault injection, all
// observed through the API (and kubectl where installed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lease, Node, Pod } from '../../src/api/types.js';
import { RawClient } from '../../src/kube/client.js';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { startCluster } from '../../src/cluster/cluster.js';

const CONFIG = `
heartbeatIntervalMs: 300
pools:
  - name: small
    count: 3
    labels: { feature: hw-rng }
    capacity: { cpu: "1", memory: 2Gi, pods: "10" }
    pods:
      startupDelay: 50
      readinessDelay: 50
      rules:
        - image: "broken/*"
          pullError: ErrImagePull
`;

let c: TestCluster;
let api: RawClient;
const pods = '/api/v1/namespaces/default/pods';
const getPod = (name: string) => api.request<Pod>('GET', `${pods}/${name}`);
const getNode = (name: string) => api.request<Node>('GET', `/api/v1/nodes/${name}`);
const cond = (p: Pod | Node, type: string) => (p.status?.conditions as { type: string; status: string; reason?: string }[] | undefined)?.find((x) => x.type === type);
const podOn = (name: string, node: string, extra: Partial<NonNullable<Pod['spec']>> = {}, cpu = '100m'): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx:1.27', resources: { requests: { cpu } } }], ...extra },
});
const annotate = (node: string, annotations: Record<string, string | null>) =>
  api.request('PATCH', `/api/v1/nodes/${node}`, { metadata: { annotations } }, 'application/merge-patch+json');

before(async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'everynode-cfg-')), 'cluster.yaml');
  writeFileSync(file, CONFIG);
  c = await startTestCluster({ configFile: file, nodeGraceMs: 1500, scheduler: false });
  api = new RawClient(c.kubeConfig());
  await eventually(async () => (await Promise.all(['small-0', 'small-1', 'small-2'].map(getNode))).every((n) => cond(n, 'Ready')?.status === 'True'), 20_000, 'nodes Ready');
});
after(async () => { api.close(); await c.stop(); });

describe('simulated kubelet', () => {
  test('configured nodes register like a kubelet, with an owned lease', async () => {
    const n = await getNode('small-0');
    assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'small-0');
    assert.equal(n.metadata?.labels?.feature, 'hw-rng');
    assert.equal(n.status?.allocatable?.cpu, '1');
    assert.ok(n.status?.addresses?.some((a) => a.type === 'InternalIP'));
    const lease = await api.request<Lease>('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/small-0');
    assert.equal(lease.spec?.holderIdentity, 'small-0');
    assert.equal(lease.metadata?.ownerReferences?.[0]?.uid, n.metadata?.uid);
    const first = lease.spec?.renewTime;
    await eventually(async () => (await api.request<Lease>('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/small-0')).spec?.renewTime !== first, 10_000, 'lease renewed');
  });

  test('a pod on a node becomes Running and Ready with IPs', async () => {
    await api.request('POST', pods, podOn('run-me', 'small-0'));
    const p = await eventually(async () => { const p = await getPod('run-me'); return cond(p, 'Ready')?.status === 'True' && p; }, 10_000, 'pod Ready');
    assert.equal(p.status?.phase, 'Running');
    // Inside the default clusterCIDR 10.0.0.0/8 (the node IPAM controller assigns the node's block).
    assert.match(p.status?.podIP ?? '', /^10\.\d+\.\d+\.\d+$/);
    assert.equal(p.status?.hostIP, '172.16.0.1');
    assert.equal(cond(p, 'PodScheduled')?.status, 'True');
    assert.equal(cond(p, 'Initialized')?.status, 'True');
    assert.equal(p.status?.containerStatuses?.[0]?.ready, true);
  });

  test('a pool rule makes an image fail to pull', async () => {
    await api.request('POST', pods, { ...podOn('bad-image', 'small-0'), spec: { nodeName: 'small-0', containers: [{ name: 'c', image: 'broken/app:1' }] } });
    await eventually(async () => (await getPod('bad-image')).status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff', 10_000, 'ImagePullBackOff');
    if (hasKubectl) {
      const r = await kubectl(c, ['get', 'pod', 'bad-image', '--no-headers']);
      assert.match(r.stdout, /ImagePullBackOff/);
    }
  });

  test('deleting a pod completes once the node finalizes it', async () => {
    await api.request('POST', pods, podOn('to-delete', 'small-0'));
    await eventually(async () => (await getPod('to-delete')).status?.phase === 'Running', 10_000, 'Running');
    if (hasKubectl) {
      const r = await kubectl(c, ['delete', 'pod', 'to-delete', '--grace-period=5']);
      assert.equal(r.code, 0, r.stderr);
    } else {
      await api.request('DELETE', `${pods}/to-delete`);
    }
    await eventually(async () => getPod('to-delete').then(() => false, (e: { code?: number }) => e.code === 404), 10_000, 'pod gone');
  });

  test('a pod that does not fit is rejected with OutOfcpu', async () => {
    await api.request('POST', pods, podOn('too-big', 'small-2', {}, '2'));
    const p = await eventually(async () => { const p = await getPod('too-big'); return p.status?.phase === 'Failed' && p; }, 10_000, 'rejected');
    assert.equal(p.status?.reason, 'OutOfcpu');
    assert.match(p.status?.message ?? '', /^Pod was rejected: Node didn't have enough resource: cpu/);
  });

  test('a critical pod evicts a lower-priority pod on a full node', async () => {
    await api.request('POST', pods, podOn('low', 'small-1', {}, '800m'));
    await eventually(async () => (await getPod('low')).status?.phase === 'Running', 10_000, 'low Running');
    await api.request('POST', pods, podOn('critical', 'small-1', { priorityClassName: 'system-node-critical' }, '500m'));
    const victim = await eventually(async () => { const p = await getPod('low'); return p.status?.phase === 'Failed' && p; }, 10_000, 'low preempted');
    assert.equal(victim.status?.reason, 'Preempting');
    await eventually(async () => (await getPod('critical')).status?.phase === 'Running', 10_000, 'critical Running');
  });
});

describe('node lifecycle controller', () => {
  test('cordon adds the unschedulable taint, uncordon lifts it', async () => {
    const patchSpec = (v: boolean) => api.request('PATCH', '/api/v1/nodes/small-2', { spec: { unschedulable: v } }, 'application/merge-patch+json');
    await patchSpec(true);
    await eventually(async () => (await getNode('small-2')).spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unschedulable' && t.effect === 'NoSchedule'), 10_000, 'unschedulable taint');
    await patchSpec(false);
    await eventually(async () => !(await getNode('small-2')).spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unschedulable'), 10_000, 'taint lifted');
  });

  test('memory pressure (fault annotation) becomes a condition and a taint', async () => {
    await annotate('small-2', { 'everynode.dev/pressure': 'memory' });
    await eventually(async () => { const n = await getNode('small-2'); return cond(n, 'MemoryPressure')?.status === 'True' && n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/memory-pressure'); }, 10_000, 'pressure taint');
    await annotate('small-2', { 'everynode.dev/pressure': null });
    await eventually(async () => !(await getNode('small-2')).spec?.taints?.some((t) => t.key === 'node.kubernetes.io/memory-pressure'), 10_000, 'pressure cleared');
  });

  test('a stopped lease → Unknown → unreachable taints → intolerant pods evicted, tolerant ones kept', async () => {
    const unreachable = { key: 'node.kubernetes.io/unreachable', operator: 'Exists' as const, effect: 'NoExecute' as const };
    await api.request('POST', pods, podOn('intolerant', 'small-0', { tolerations: [{ ...unreachable, tolerationSeconds: 1 }] }));
    await api.request('POST', pods, podOn('tolerant', 'small-0', { tolerations: [unreachable] }));
    await eventually(async () => (await Promise.all([getPod('intolerant'), getPod('tolerant')])).every((p) => p.status?.phase === 'Running'), 10_000, 'both Running');
    await annotate('small-0', { 'everynode.dev/heartbeat': 'stopped' });
    await eventually(async () => cond(await getNode('small-0'), 'Ready')?.status === 'Unknown', 15_000, 'Ready=Unknown');
    await eventually(async () => (await getNode('small-0')).spec?.taints?.filter((t) => t.key === 'node.kubernetes.io/unreachable').length === 2, 10_000, 'unreachable taints');
    const evicted = await eventually(async () => { const p = await getPod('intolerant'); return p.metadata?.deletionTimestamp ? p : undefined; }, 10_000, 'intolerant evicted');
    assert.equal(cond(evicted, 'DisruptionTarget')?.reason, 'DeletionByTaintManager');
    assert.equal((await getPod('tolerant')).metadata?.deletionTimestamp, undefined);
    // The kubelet comes back: Ready again, taints lifted, and the pending deletion completes.
    await annotate('small-0', { 'everynode.dev/heartbeat': null });
    await eventually(async () => { const n = await getNode('small-0'); return cond(n, 'Ready')?.status === 'True' && !n.spec?.taints?.length; }, 15_000, 'recovered');
    await eventually(async () => getPod('intolerant').then(() => false, (e: { code?: number }) => e.code === 404), 10_000, 'intolerant gone');
  });

  test('a Node created through the API is simulated; the opt-out annotation is honoured', { skip: hasKubectl ? false : 'kubectl is not on PATH' }, async () => {
    const yaml = `apiVersion: v1\nkind: Node\nmetadata:\n  name: byhand\n  labels: { disk: ssd }\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: external\n  annotations: { everynode.dev/simulate: "false" }\n`;
    const r = await kubectl(c, ['apply', '-f', '-'], yaml);
    assert.equal(r.code, 0, r.stderr);
    const n = await eventually(async () => { const n = await getNode('byhand'); return cond(n, 'Ready')?.status === 'True' && n; }, 10_000, 'byhand Ready');
    assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], 'byhand');
    assert.ok(n.status?.capacity?.cpu);
    const out = await kubectl(c, ['get', 'node', 'byhand', '--no-headers']);
    assert.match(out.stdout, /^byhand\s+Ready\s/);
    // Never simulated: no status of its own, so the lifecycle controller marks it Unknown.
    await eventually(async () => cond(await getNode('external'), 'Ready')?.status === 'Unknown', 10_000, 'external Unknown');
  });
});

test('a bad cluster file fails with one line naming the field', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'everynode-cfg-')), 'bad.yaml');
  writeFileSync(file, 'pools:\n  - name: a\n    count: -1\n');
  const cl = await startCluster({ dataDir: null, port: 0, configFile: file, scheduler: false });
  try {
    await assert.rejects(cl.run(new AbortController().signal), (e: Error) => /bad\.yaml(:\d+:\d+)?: pools\[0\]\.count: /.test(e.message) && !e.message.includes('\n'));
  } finally {
    await cl.api.close(); // a failed assertion must not leave the server holding the test file open
  }
});
