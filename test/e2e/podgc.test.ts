// End to end: PodGC against the embedded cluster, with the quarantine and check period shortened
// through the cluster file (upstream's are fixed at 40 s and 20 s).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from '../../src/api/types.js';
import { RawClient, isNotFound } from '../../src/kube/client.js';
import { eventually, hasKubectl, kubectl, startTestCluster, type TestCluster } from '../helpers/cluster.js';

const CONFIG = `
heartbeatIntervalMs: 300
terminatedPodGCThreshold: 2
podGCQuarantineMs: 1500
podGCCheckPeriodMs: 200
pools:
  - name: gc
    count: 4
    pods:
      startupDelay: 20
      readinessDelay: 20
      rules:
        - image: "job/*"
          exit: { after: 10, exitCode: 0 }
`;

let c: TestCluster;
let api: RawClient;
const pods = '/api/v1/namespaces/default/pods';
const getPod = (name: string) => api.request<Pod>('GET', `${pods}/${name}`);
const gone = async (name: string) => { try { await getPod(name); return false; } catch (err) { return isNotFound(err); } };
const podOn = (name: string, node: string, extra: Partial<NonNullable<Pod['spec']>> = {}, image = 'nginx:1.27'): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, containers: [{ name: 'c', image }], ...extra },
});
const ready = (p: Pod) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');

before(async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'everynode-podgc-')), 'cluster.yaml');
  writeFileSync(file, CONFIG);
  c = await startTestCluster({ configFile: file, nodeGraceMs: 1500 });
  api = new RawClient(c.kubeConfig());
});
after(async () => { api.close(); await c.stop(); });

describe('PodGC', () => {
  test('deleting a Node removes its pods after the quarantine, marking them DisruptionTarget first', async () => {
    await api.request('POST', pods, podOn('orphan-a', 'gc-0'));
    // A finalizer holds the pod after PodGC's forced delete, so the status it wrote first can be read.
    await api.request('POST', pods, { ...podOn('orphan-held', 'gc-0'), metadata: { name: 'orphan-held', finalizers: ['example.com/hold'] } });
    await api.request('POST', pods, podOn('bystander', 'gc-1'));
    await eventually(async () => ready(await getPod('orphan-a')) && ready(await getPod('orphan-held')), 20_000, 'pods Ready');
    if (hasKubectl) {
      const r = await kubectl(c, ['delete', 'node', 'gc-0']);
      assert.equal(r.code, 0, r.stderr);
    } else await api.request('DELETE', '/api/v1/nodes/gc-0');
    await eventually(() => gone('orphan-a'), 30_000, 'orphan-a deleted');
    const held = await eventually(async () => { const p = await getPod('orphan-held'); return p.metadata?.deletionTimestamp ? p : undefined; }, 30_000, 'orphan-held terminating');
    assert.equal(held.metadata?.deletionGracePeriodSeconds, 0, 'a forced delete');
    assert.equal(held.status?.phase, 'Failed');
    const dt = held.status?.conditions?.find((x) => x.type === 'DisruptionTarget');
    assert.deepEqual([dt?.status, dt?.reason, dt?.message], ['True', 'DeletionByPodGC', 'PodGC: node no longer exists']);
    assert.ok(!(await gone('bystander')), 'a pod on a live node stays');
    await api.request('PATCH', `${pods}/orphan-held`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
  });

  test('a node missing only from a moment (recreated within the quarantine) keeps its pods', async () => {
    await api.request('POST', pods, podOn('survivor', 'gc-2'));
    await eventually(async () => ready(await getPod('survivor')), 20_000, 'survivor Ready');
    const n = await api.request<Node>('GET', '/api/v1/nodes/gc-2');
    await api.request('DELETE', '/api/v1/nodes/gc-2');
    await api.request('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'gc-2', labels: n.metadata?.labels, annotations: n.metadata?.annotations } });
    // Well past the quarantine and many passes: the live GET finds the node, so nothing is deleted.
    await new Promise((r) => setTimeout(r, 3000));
    assert.ok(!(await gone('survivor')));
  });

  test('finished pods beyond terminatedPodGCThreshold are deleted oldest first', async () => {
    const names = ['done-0', 'done-1', 'done-2', 'done-3'];
    for (const name of names) {
      await api.request('POST', pods, podOn(name, 'gc-3', { restartPolicy: 'Never' }, 'job/batch:1'));
      await eventually(async () => (await getPod(name)).status?.phase === 'Succeeded', 20_000, `${name} Succeeded`);
      await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has one-second resolution
    }
    await eventually(async () => (await gone('done-0')) && (await gone('done-1')), 20_000, 'the two oldest collected');
    assert.ok(!(await gone('done-2')) && !(await gone('done-3')));
  });

  test('a terminating pod on an unreachable node tainted out-of-service is force-deleted', async () => {
    await api.request('POST', pods, podOn('stuck', 'gc-1'));
    await eventually(async () => ready(await getPod('stuck')), 20_000, 'stuck Ready');
    await api.request('PATCH', '/api/v1/nodes/gc-1', { metadata: { annotations: { 'everynode.dev/heartbeat': 'stopped' } } }, 'application/merge-patch+json');
    await eventually(async () => (await api.request<Node>('GET', '/api/v1/nodes/gc-1')).status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'Unknown'), 20_000, 'gc-1 Unknown');
    await api.delete(`${pods}/stuck`, { gracePeriodSeconds: 1 });
    // The silent kubelet never confirms the deletion: the pod stays Terminating.
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok((await getPod('stuck')).metadata?.deletionTimestamp);
    const node = await api.request<Node>('GET', '/api/v1/nodes/gc-1');
    await api.request('PATCH', '/api/v1/nodes/gc-1', { spec: { taints: [...(node.spec?.taints ?? []), { key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } }, 'application/merge-patch+json');
    await eventually(() => gone('stuck'), 20_000, 'stuck force-deleted');
  });
});
